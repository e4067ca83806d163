// ConsoleWrite and ConsoleRead: the console carries the app's stdin, stdout
// and stderr, unbuffered. Writes go to the host's stdout (or stderr for
// stream 2) unchanged; reads block on the host's stdin.
#include <unistd.h>

#include <cerrno>

#include "vmm/hypercalls/hypercalls.h"

namespace silk::vmm {

HypercallOutcome handle(HypercallContext& ctx, hvt::HvtConsoleWrite& call) {
  const uint8_t* data = ctx.memory.checked(call.data, call.len);
  if (data == nullptr)
    return HypercallOutcome::fault("ConsoleWrite: buffer " + describe_range(call.data, call.len) +
                                   " outside guest RAM (" + std::to_string(ctx.memory.size() >> 20) + " MiB)");
  int fd = call.stream == 2 ? ctx.console_err_fd : ctx.console_fd;
  uint64_t left = call.len;
  while (left > 0) {
    ssize_t n = ::write(fd, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the console is gone (closed pipe): the guest's output is lost, as for a process
    data += n;
    left -= static_cast<uint64_t>(n);
  }
  return HypercallOutcome::resume();
}

HypercallOutcome handle(HypercallContext& ctx, hvt::HvtConsoleRead& call) {
  uint8_t* data = ctx.memory.checked(call.data, call.len);
  if (data == nullptr)
    return HypercallOutcome::fault("ConsoleRead: buffer " + describe_range(call.data, call.len) +
                                   " outside guest RAM (" + std::to_string(ctx.memory.size() >> 20) + " MiB)");
  ssize_t n;
  do {
    n = ::read(ctx.console_in_fd, data, call.len);
  } while (n < 0 && errno == EINTR);
  call.ret = n < 0 ? -1 : n;
  return HypercallOutcome::resume();
}

}  // namespace silk::vmm
