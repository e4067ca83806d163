// Poll: block the vCPU until the network has a frame waiting or {timeout_ns}
// passes (hvt_abi.h). The backend does its work while it waits (libslirp's
// sockets and timers share its ppoll); without a network device this is a
// sleep.
#include <poll.h>

#include <cerrno>

#include "vmm/hypercalls/hypercalls.h"
#include "vmm/net/deadline.h"
#include "vmm/net/net_backend.h"

namespace silk::vmm {

HypercallOutcome handle(HypercallContext& ctx, hvt::HvtPoll& call) {
  call.ready_set = 0;
  call.ret = 0;
  if (ctx.net == nullptr) {
    Deadline deadline(call.timeout_ns);
    do {
      timespec ts = deadline.remaining_timespec();
      if (::ppoll(nullptr, 0, &ts, nullptr) == 0) break;
    } while (errno == EINTR && !deadline.passed());
    return HypercallOutcome::resume();
  }
  auto ready = ctx.net->wait(call.timeout_ns);
  if (!ready) {
    ++ctx.counters.net_errors;
    report_device_error(ctx, ready.error().message);
    call.ret = -1;  // the backend failed: NetRead/NetWrite fail too
  } else if (*ready) {
    call.ready_set = hvt::kHvtReadyNet;
    call.ret = 1;
  }
  return HypercallOutcome::resume();
}

}  // namespace silk::vmm
