// Poll: block the vCPU until a device is ready or {timeout_ns} passes. With
// no network device configured yet nothing can become ready, so this is a
// sleep; with one it becomes epoll_pwait over the network fd (KERNEL.md).
#include <poll.h>

#include <cerrno>

#include "vmm/hypercalls/hypercalls.h"

namespace silk::vmm {

HypercallOutcome handle(HypercallContext&, hvt::HvtPoll& call) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(call.timeout_ns / 1000000000ull);
  ts.tv_nsec = static_cast<long>(call.timeout_ns % 1000000000ull);
  while (::ppoll(nullptr, 0, &ts, nullptr) < 0 && errno == EINTR) {
  }
  call.ready_set = 0;
  call.ret = 0;
  return HypercallOutcome::resume();
}

}  // namespace silk::vmm
