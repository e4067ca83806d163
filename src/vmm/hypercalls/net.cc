// NetWrite / NetRead: no network backend yet (tap and libslirp come next):
// the calls fail with -1, as for a guest that probes a device it was not given.
#include "vmm/hypercalls/hypercalls.h"

namespace silk::vmm {

HypercallOutcome handle(HypercallContext&, hvt::HvtNetWrite& call) {
  call.ret = -1;  // not configured
  return HypercallOutcome::resume();
}

HypercallOutcome handle(HypercallContext&, hvt::HvtNetRead& call) {
  call.ret = -1;  // not configured
  return HypercallOutcome::resume();
}

}  // namespace silk::vmm
