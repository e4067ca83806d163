// ConsoleWrite: the guest's bytes go to the console fd unchanged and
// unbuffered (the console carries the app's stdout and stderr).
#include <unistd.h>

#include <cerrno>

#include "vmm/hypercalls/hypercalls.h"

namespace silk::vmm {

HypercallOutcome handle(HypercallContext& ctx, hvt::HvtConsoleWrite& call) {
  const uint8_t* data = ctx.memory.checked(call.data, call.len);
  if (data == nullptr)
    return HypercallOutcome::fault("ConsoleWrite: buffer " + describe_range(call.data, call.len) +
                                   " outside guest RAM (" + std::to_string(ctx.memory.size() >> 20) + " MiB)");
  uint64_t left = call.len;
  while (left > 0) {
    ssize_t n = ::write(ctx.console_fd, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the console is gone (closed pipe): the guest's output is lost, as for a process
    data += n;
    left -= static_cast<uint64_t>(n);
  }
  return HypercallOutcome::resume();
}

}  // namespace silk::vmm
