// Poll: block the vCPU until the network has a frame waiting, the host asks
// the guest to stop (stop_signal.h) or {timeout_ns} passes (hvt_abi.h). The backend does its work while it waits (libslirp's
// sockets and timers share its ppoll); without a network device this is a
// sleep.
#include <poll.h>

#include <cerrno>

#include "vmm/hypercalls/hypercalls.h"
#include "vmm/net/deadline.h"
#include "vmm/net/net_backend.h"
#include "vmm/stop_signal.h"

namespace silk::vmm {

namespace {

// The host's stop signal, if one waits, into {call}: true when it did.
bool report_stop_signal(hvt::HvtPoll& call) {
  int signo = take_stop_signal();
  if (signo == 0) return false;
  call.ready_set |= hvt::kHvtReadyStop;
  call.stop_signal = static_cast<uint32_t>(signo);
  ++call.ret;
  return true;
}

}  // namespace

HypercallOutcome handle(HypercallContext& ctx, hvt::HvtPoll& call) {
  call.ready_set = 0;
  call.ret = 0;
  call.stop_signal = 0;
  if (ctx.net == nullptr) {
    Deadline deadline(call.timeout_ns);
    while (!report_stop_signal(call)) {
      timespec ts = deadline.remaining_timespec();
      if (::ppoll(nullptr, 0, &ts, nullptr) == 0 || deadline.passed()) break;
    }
    return HypercallOutcome::resume();
  }
  // A signal that is already waiting ends the wait before it starts.
  auto ready = ctx.net->wait(stop_signal_waiting() ? 0 : call.timeout_ns);
  if (!ready) {
    ++ctx.counters.net_errors;
    report_device_error(ctx, ready.error().message);
    call.ret = -1;  // the backend failed: NetRead/NetWrite fail too
  } else if (*ready) {
    call.ready_set = hvt::kHvtReadyNet;
    call.ret = 1;
  }
  if (call.ret >= 0) report_stop_signal(call);
  return HypercallOutcome::resume();
}

}  // namespace silk::vmm
