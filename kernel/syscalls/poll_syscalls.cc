// poll, ppoll, select and pselect6 over every kind of descriptor: sockets,
// epoll, eventfd and signalfd files report their readiness (fs::poll_mask);
// regular files and devices are always ready, the console for writing, and
// for reading once input is waiting or its end was reached. When nothing is
// ready and the console's input is asked for with a wait allowed, the wait
// is a read-ahead of the console (silk vm: it blocks until the host's stdin
// has a byte or ends, whatever the timeout: the monitor cannot tell input is
// waiting without reading it; under QEMU the console has no input). A call that finds nothing ready waits in
// event::wait_step (net::poll) and looks again whenever some object reported
// a change (event::generation). With no such object in the set and no
// timeout nothing could ever become ready: that returns -EDEADLK with a
// message instead of hanging the machine. The signal masks of ppoll and
// pselect6 are checked, not applied: no signal can arrive while one waits.
#include "event/poll_bits.h"
#include "event/wait.h"
#include "fs/devices.h"
#include "fs/file.h"
#include "lib/clock.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"
#include "proc/fd_table.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "syscalls/args.h"
#include "syscalls/syscalls.h"

namespace silk::kernel::syscalls {
namespace {

constexpr uint64_t kMaxFds = 1024;  // RLIMIT_NOFILE
constexpr uint64_t kNsPerSec = 1'000'000'000ull;
constexpr uint32_t kSelectIn = event::kPollIn | event::kPollRdNorm | event::kPollHup | event::kPollErr;
constexpr uint32_t kSelectOut = event::kPollOut | event::kPollWrNorm | event::kPollErr;
constexpr uint32_t kSelectEx = event::kPollPri;

struct PollFd {
  int32_t fd;
  int16_t events, revents;
};
static_assert(sizeof(PollFd) == 8);

struct Timespec {
  int64_t sec, nsec;
};

// A timespec/timeval at {user} as nanoseconds ({unit}: 1 for ns, 1000 for
// µs). 0, -EFAULT, -EINVAL.
int64_t read_time(uint64_t user, uint64_t unit, uint64_t* ns) {
  Timespec t;
  if (!copy_from_user(&t, user, sizeof t)) return -err::kFault;
  if (t.sec < 0 || t.nsec < 0 || static_cast<uint64_t>(t.nsec) * unit >= kNsPerSec) return -err::kInval;
  uint64_t sec = static_cast<uint64_t>(t.sec);
  *ns = sec >= (~uint64_t{0} - kNsPerSec) / kNsPerSec ? event::kForever - 1
                                                      : sec * kNsPerSec + static_cast<uint64_t>(t.nsec) * unit;
  return 0;
}

// Writes the time left before {deadline} back (Linux updates the timeout).
void write_time_left(uint64_t user, uint64_t unit, uint64_t deadline) {
  uint64_t now = monotonic_ns();
  uint64_t left = deadline > now ? deadline - now : 0;
  Timespec t{static_cast<int64_t>(left / kNsPerSec), static_cast<int64_t>(left % kNsPerSec / unit)};
  (void)copy_to_user(user, &t, sizeof t);
}

int64_t deadlock(const char* call) {
  kprintf("silk kernel: %s: %s without a timeout on descriptors that can never become ready: -EDEADLK\n",
          proc::exe_path(), call);
  return -err::kDeadlk;
}

// Runs {scan} (the number of ready descriptors, or -errno) until it finds
// one or {deadline} passes; {waitable}: whether anything in the set can
// change at all.
template <typename Scan>
int64_t wait_for(Scan scan, uint64_t deadline, bool waitable, const char* call) {
  event::poll_now();  // frames that arrived since the last look, lwIP's timers
  for (;;) {
    uint64_t generation = event::generation();
    int64_t n = scan();
    if (n != 0) return n;
    if (!waitable && deadline == event::kForever) return deadlock(call);
    while (event::generation() == generation) {
      if (proc::signal::deliverable()) return -err::kIntr;
      if (!event::wait_step(deadline)) return 0;
    }
  }
}

int64_t do_poll(uint64_t fds, uint64_t nfds, uint64_t deadline, const char* call) {
  if (nfds > kMaxFds) return -err::kInval;
  if (nfds != 0 && !user_writable(fds, nfds * sizeof(PollFd))) return -err::kFault;
  // SAFETY: checked (and made present) for writing above.
  auto* p = reinterpret_cast<PollFd*>(fds);
  bool waitable = false;
  for (uint64_t i = 0; i < nfds; ++i) {
    fs::File* file = p[i].fd >= 0 ? proc::fds::get(p[i].fd) : nullptr;
    if (file != nullptr && file->ops != nullptr) waitable = true;
  }
  auto scan = [p, nfds]() -> int64_t {
    int64_t ready = 0;
    for (uint64_t i = 0; i < nfds; ++i) {
      uint32_t revents = 0;
      if (p[i].fd >= 0) {
        fs::File* file = proc::fds::get(p[i].fd);
        if (file == nullptr) {
          revents = event::kPollNval;
        } else {
          auto asked = static_cast<uint16_t>(p[i].events);
          revents = fs::poll_mask(file) & (asked | event::kAlwaysReported);
        }
      }
      p[i].revents = static_cast<int16_t>(revents);
      if (revents != 0) ++ready;
    }
    return ready;
  };
  if (deadline != 0 && scan() == 0) {
    for (uint64_t i = 0; i < nfds; ++i) {
      fs::File* file = p[i].fd >= 0 ? proc::fds::get(p[i].fd) : nullptr;
      if (file != nullptr && file->ops == nullptr && (p[i].events & event::kPollIn) != 0 &&
          file->node->type() == fs::kIfChr && file->node->rdev == fs::devices::kConsole &&
          fs::devices::console_readable(true)) {
        return scan();
      }
    }
  }
  return wait_for(scan, deadline, waitable, call);
}

// select's three sets: {words} 64-bit words each, in kernel copies.
struct FdSets {
  uint64_t in[kMaxFds / 64], out[kMaxFds / 64], ex[kMaxFds / 64];
};

int64_t do_select(int64_t nfds, uint64_t rd, uint64_t wr, uint64_t ex, uint64_t deadline, const char* call) {
  if (nfds < 0) return -err::kInval;
  if (static_cast<uint64_t>(nfds) > kMaxFds) nfds = kMaxFds;
  uint64_t n = static_cast<uint64_t>(nfds);
  uint64_t bytes = (n + 63) / 64 * 8;
  static FdSets asked, result;  // one system call at a time: no stack for 384 bytes x 2
  memset(&asked, 0, sizeof asked);
  if ((rd != 0 && !copy_from_user(asked.in, rd, bytes)) || (wr != 0 && !copy_from_user(asked.out, wr, bytes)) ||
      (ex != 0 && !copy_from_user(asked.ex, ex, bytes))) {
    return -err::kFault;
  }
  auto bit = [](const uint64_t* set, uint64_t fd) { return (set[fd / 64] >> (fd % 64)) & 1; };
  bool waitable = false;
  for (uint64_t fd = 0; fd < n; ++fd) {
    if (!bit(asked.in, fd) && !bit(asked.out, fd) && !bit(asked.ex, fd)) continue;
    fs::File* file = proc::fds::get(static_cast<int64_t>(fd));
    if (file == nullptr) return -err::kBadf;
    if (file->ops != nullptr) waitable = true;
  }
  auto scan = [n, &bit]() -> int64_t {
    memset(&result, 0, sizeof result);
    int64_t ready = 0;
    for (uint64_t fd = 0; fd < n; ++fd) {
      bool want_in = bit(asked.in, fd), want_out = bit(asked.out, fd), want_ex = bit(asked.ex, fd);
      if (!want_in && !want_out && !want_ex) continue;
      fs::File* file = proc::fds::get(static_cast<int64_t>(fd));
      if (file == nullptr) return -err::kBadf;  // closed meanwhile: cannot happen with one thread
      uint32_t mask = fs::poll_mask(file);
      uint64_t b = uint64_t{1} << (fd % 64);
      if (want_in && (mask & kSelectIn) != 0) result.in[fd / 64] |= b, ++ready;
      if (want_out && (mask & kSelectOut) != 0) result.out[fd / 64] |= b, ++ready;
      if (want_ex && (mask & kSelectEx) != 0) result.ex[fd / 64] |= b, ++ready;
    }
    return ready;
  };
  int64_t r = wait_for(scan, deadline, waitable, call);
  if (r < 0) return r;
  if (r == 0) memset(&result, 0, sizeof result);
  if ((rd != 0 && !copy_to_user(rd, result.in, bytes)) || (wr != 0 && !copy_to_user(wr, result.out, bytes)) ||
      (ex != 0 && !copy_to_user(ex, result.ex, bytes))) {
    return -err::kFault;
  }
  return r;
}

}  // namespace

int64_t sys_poll(uint64_t fds, uint64_t nfds, uint64_t timeout_ms, uint64_t, uint64_t, uint64_t) {
  return do_poll(fds, nfds, event::deadline_after_ms(static_cast<int32_t>(timeout_ms)), "poll");
}

int64_t sys_ppoll(uint64_t fds, uint64_t nfds, uint64_t timeout, uint64_t sigmask, uint64_t sigsetsize,
                  uint64_t) {
  if (sigmask != 0 && sigsetsize != 8) return -err::kInval;
  uint64_t deadline = event::kForever;
  if (timeout != 0) {
    uint64_t ns;
    if (int64_t r = read_time(timeout, 1, &ns); r != 0) return r;
    deadline = event::deadline_after_ns(ns);
  }
  int64_t r = do_poll(fds, nfds, deadline, "ppoll");
  if (timeout != 0 && r >= 0) write_time_left(timeout, 1, deadline);
  return r;
}

int64_t sys_select(uint64_t nfds, uint64_t rd, uint64_t wr, uint64_t ex, uint64_t timeout, uint64_t) {
  uint64_t deadline = event::kForever;
  if (timeout != 0) {
    uint64_t ns;
    if (int64_t r = read_time(timeout, 1000, &ns); r != 0) return r;
    deadline = event::deadline_after_ns(ns);
  }
  int64_t r = do_select(static_cast<int32_t>(nfds), rd, wr, ex, deadline, "select");
  if (timeout != 0 && r >= 0) write_time_left(timeout, 1000, deadline);
  return r;
}

int64_t sys_pselect6(uint64_t nfds, uint64_t rd, uint64_t wr, uint64_t ex, uint64_t timeout, uint64_t sig) {
  if (sig != 0) {
    uint64_t mask_and_size[2];
    if (!copy_from_user(mask_and_size, sig, sizeof mask_and_size)) return -err::kFault;
    if (mask_and_size[0] != 0 && mask_and_size[1] != 8) return -err::kInval;
  }
  uint64_t deadline = event::kForever;
  if (timeout != 0) {
    uint64_t ns;
    if (int64_t r = read_time(timeout, 1, &ns); r != 0) return r;
    deadline = event::deadline_after_ns(ns);
  }
  int64_t r = do_select(static_cast<int32_t>(nfds), rd, wr, ex, deadline, "pselect6");
  if (timeout != 0 && r >= 0) write_time_left(timeout, 1, deadline);
  return r;
}

}  // namespace silk::kernel::syscalls
