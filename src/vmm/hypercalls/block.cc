// BlockWrite / BlockRead / BlockFlush: no block backend yet (a file comes
// next): the calls fail with -1.
#include "vmm/hypercalls/hypercalls.h"

namespace silk::vmm {

HypercallOutcome handle(HypercallContext&, hvt::HvtBlockWrite& call) {
  call.ret = -1;  // not configured
  return HypercallOutcome::resume();
}

HypercallOutcome handle(HypercallContext&, hvt::HvtBlockRead& call) {
  call.ret = -1;  // not configured
  return HypercallOutcome::resume();
}

HypercallOutcome handle(HypercallContext&, hvt::HvtBlockFlush& call) {
  call.ret = -1;  // not configured
  return HypercallOutcome::resume();
}

}  // namespace silk::vmm
