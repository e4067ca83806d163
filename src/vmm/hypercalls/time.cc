// Walltime: CLOCK_REALTIME in nanoseconds. (Monotonic time is the guest's own
// rdtsc, scaled by HvtBootInfo::tsc_khz: no exit needed.)
#include <time.h>

#include "vmm/hypercalls/hypercalls.h"

namespace silk::vmm {

HypercallOutcome handle(HypercallContext&, hvt::HvtWalltime& call) {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  call.nsecs = static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
  return HypercallOutcome::resume();
}

}  // namespace silk::vmm
