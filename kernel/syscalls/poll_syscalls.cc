// poll and ppoll over the fd table (proc/fd_table.h). Regular files,
// directories and the devices with data (/dev/null, zero, random, urandom)
// are always ready for reading and writing; the console is writable, and
// readable once input is waiting or its end was reached. Negative fds are
// skipped; descriptors that are not open, and O_PATH ones, are POLLNVAL.
// With nothing ready: when the console's input is asked for and a timeout
// other than 0 was given, the wait is a read-ahead of the console (silk vm:
// it blocks until the host's stdin has a byte or ends, whatever the
// timeout; the monitor cannot tell input is waiting without reading it);
// otherwise a finite timeout is slept out (proc/sleep.h) and returns 0, and
// an infinite one would block forever (no input source, no other thread),
// so it logs that and returns -EDEADLK. ppoll's signal mask is checked but
// not applied: no signal can arrive while it sleeps.
#include "fs/devices.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "lib/format.h"
#include "proc/fd_table.h"
#include "proc/memory.h"
#include "proc/process.h"
#include "proc/sleep.h"
#include "syscalls/syscalls.h"
#include "syscalls/user_copy.h"

namespace silk::kernel::syscalls {
namespace {

constexpr int16_t kPollIn = 0x1, kPollOut = 0x4, kPollNval = 0x20, kPollRdNorm = 0x40, kPollWrNorm = 0x100;
constexpr uint64_t kMaxFds = proc::fds::kMaxFds;  // RLIMIT_NOFILE

struct PollFd {
  int32_t fd;
  int16_t events, revents;
};
static_assert(sizeof(PollFd) == 8);

// The events {fd} is ready for now (before masking with the requested ones);
// {wait_input}: the console may wait for its input.
int16_t ready_events(int32_t fd, bool wait_input) {
  fs::File* file = proc::fds::get(fd);
  if (file == nullptr || (file->flags & fs::kOPath) != 0) return kPollNval;
  constexpr int16_t kIn = kPollIn | kPollRdNorm, kOut = kPollOut | kPollWrNorm;
  const fs::Node* node = file->node;
  if (node->type() == fs::kIfChr && node->rdev == fs::devices::kConsole) {
    return fs::devices::console_readable(wait_input) ? kIn | kOut : kOut;
  }
  return kIn | kOut;
}

// Fills in revents; the number of entries with any.
int64_t scan(uint64_t fds, uint64_t nfds, bool wait_input) {
  // SAFETY: the callers checked [fds, +nfds * 8) with prepare(write).
  auto* p = reinterpret_cast<PollFd*>(fds);
  int64_t ready = 0;
  for (uint64_t i = 0; i < nfds; ++i) {
    int16_t revents = 0;
    if (p[i].fd >= 0) {
      revents = ready_events(p[i].fd, wait_input && (p[i].events & (kPollIn | kPollRdNorm)) != 0);
      if (revents != kPollNval) revents = static_cast<int16_t>(revents & p[i].events);
    }
    p[i].revents = revents;
    if (revents != 0) ++ready;
  }
  return ready;
}

int64_t poll_for(uint64_t fds, uint64_t nfds, bool forever, uint64_t timeout_ns) {
  if (nfds > kMaxFds) return -kEinval;
  if (!proc::memory::prepare(fds, nfds * sizeof(PollFd), true)) return -kEfault;
  int64_t ready = scan(fds, nfds, false);
  if (ready != 0) return ready;
  // Waiting: the console's input is the one thing that can arrive.
  if (forever || timeout_ns != 0) ready = scan(fds, nfds, true);
  if (ready != 0) return ready;
  if (forever) {
    kprintf("silk kernel: %s: poll without a timeout on %lu fds, none can become ready: -EDEADLK\n",
            proc::exe_path(), nfds);
    return -kEdeadlk;
  }
  proc::sleep_for(timeout_ns);
  return 0;
}

}  // namespace

int64_t sys_poll(uint64_t fds, uint64_t nfds, uint64_t timeout_ms, uint64_t, uint64_t, uint64_t) {
  auto ms = static_cast<int32_t>(timeout_ms);
  return poll_for(fds, nfds, ms < 0, ms < 0 ? 0 : static_cast<uint64_t>(ms) * 1000000);
}

int64_t sys_ppoll(uint64_t fds, uint64_t nfds, uint64_t timeout, uint64_t sigmask, uint64_t sigsetsize,
                  uint64_t) {
  if (sigmask != 0 && sigsetsize != 8) return -kEinval;
  uint64_t ns = 0;
  if (timeout != 0) {
    if (int64_t r = read_timespec(timeout, &ns); r != 0) return r;
  }
  int64_t r = poll_for(fds, nfds, timeout == 0, ns);
  // The time left, as Linux writes it back: none after a timeout.
  if (r == 0 && timeout != 0) (void)copy_out(timeout, Timespec{0, 0});
  return r;
}

}  // namespace silk::kernel::syscalls
