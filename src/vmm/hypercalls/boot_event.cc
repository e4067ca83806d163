// BootEvent: the guest names a boot milestone; the monitor notes the time
// for --trace-boot. Unknown events are ignored (no effect on the guest).
#include <time.h>

#include "vmm/hypercalls/hypercalls.h"

namespace silk::vmm {

HypercallOutcome handle(HypercallContext& ctx, hvt::HvtBootEvent& call) {
  if (call.event < ctx.boot_event_ns.size() && ctx.boot_event_ns[call.event] == 0) {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    ctx.boot_event_ns[call.event] = static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
  }
  return HypercallOutcome::resume();
}

}  // namespace silk::vmm
