// The signal system calls (proc/signal.h has the semantics): rt_sigaction,
// rt_sigprocmask, rt_sigpending, rt_sigreturn, sigaltstack, and kill, tkill,
// tgkill to the process itself (pid 1, tid 1). Sigsets are 8 bytes.
#include "arch/trap_frame.h"
#include "event/eventfd.h"
#include "event/wait.h"
#include "lib/string.h"
#include "proc/memory.h"
#include "proc/signal.h"
#include "proc/thread.h"
#include "syscalls/syscalls.h"
#include "syscalls/user_copy.h"

namespace silk::kernel::syscalls {
namespace {

namespace signal = proc::signal;

constexpr uint64_t kSigsetSize = 8;
constexpr uint64_t kSigBlock = 0, kSigUnblock = 1, kSigSetmask = 2;

bool is_self(int64_t pid) { return pid == 1; }

// The signal pending in the process (unless ignored); its signalfds wake.
int64_t send_to_self(uint64_t signo, int code) {
  int64_t r = signal::send(static_cast<int>(signo), code);
  if (r == 0 && signo != 0) event::signals_raised();
  return r;
}

}  // namespace

int64_t sys_rt_sigaction(uint64_t signo, uint64_t act, uint64_t oldact, uint64_t sigsetsize, uint64_t,
                         uint64_t) {
  if (sigsetsize != kSigsetSize) return -kEinval;
  signal::Action in, out;
  if (act != 0 && !copy_in(&in, act)) return -kEfault;
  int64_t r = signal::set_action(static_cast<int>(signo), act != 0 ? &in : nullptr, oldact != 0 ? &out : nullptr);
  if (r == 0 && oldact != 0 && !copy_out(oldact, out)) return -kEfault;
  return r;
}

int64_t sys_rt_sigprocmask(uint64_t how, uint64_t set, uint64_t oldset, uint64_t sigsetsize, uint64_t,
                           uint64_t) {
  if (sigsetsize != kSigsetSize) return -kEinval;
  uint64_t old = signal::blocked();
  if (set != 0) {
    uint64_t mask;
    if (!copy_in(&mask, set)) return -kEfault;
    switch (how) {
      case kSigBlock: signal::set_blocked(old | mask); break;
      case kSigUnblock: signal::set_blocked(old & ~mask); break;
      case kSigSetmask: signal::set_blocked(mask); break;
      default: return -kEinval;
    }
  }
  if (oldset != 0 && !copy_out(oldset, old)) return -kEfault;
  return 0;
}

int64_t sys_rt_sigpending(uint64_t set, uint64_t sigsetsize, uint64_t, uint64_t, uint64_t, uint64_t) {
  if (sigsetsize > kSigsetSize) return -kEinval;
  uint64_t pending = signal::pending() & signal::blocked();
  if (!proc::memory::prepare(set, sigsetsize, true)) return -kEfault;
  memcpy(reinterpret_cast<void*>(set), &pending, sigsetsize);
  return 0;
}

// Waits for a signal of {set} (blocked, as sigwait's callers have it) to be
// pending and takes it: its number, its siginfo in {info}. -EAGAIN when
// {timeout} passes first, -EINTR when another signal that is not blocked
// arrives. The host's SIGINT/SIGTERM under silk vm arrive this way.
int64_t sys_rt_sigtimedwait(uint64_t set, uint64_t info, uint64_t timeout, uint64_t sigsetsize, uint64_t,
                            uint64_t) {
  if (sigsetsize != kSigsetSize) return -kEinval;
  uint64_t mask;
  if (!copy_in(&mask, set)) return -kEfault;
  mask &= ~signal::kUnblockable;
  uint64_t deadline = event::kForever;
  if (timeout != 0) {
    uint64_t ns;
    if (int64_t r = read_timespec(timeout, &ns); r != 0) return r;
    deadline = event::deadline_after_ns(ns);
  }
  event::poll_now();
  for (;;) {
    int code = 0;
    if (int signo = signal::take(mask, &code); signo != 0) {
      if (info != 0) {
        signal::SigInfo si{};
        si.signo = signo;
        si.code = code;
        if (!copy_out(info, si)) return -kEfault;
      }
      return signo;
    }
    if (signal::deliverable()) return -kEintr;
    if (!event::wait_step(deadline)) return -kEagain;
  }
}

int64_t sys_rt_sigreturn(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return signal::sigreturn(arch::user_frame());
}

int64_t sys_sigaltstack(uint64_t ss, uint64_t old_ss, uint64_t, uint64_t, uint64_t, uint64_t) {
  arch::SignalStack in, out;
  if (ss != 0 && !copy_in(&in, ss)) return -kEfault;
  int64_t r = signal::altstack(ss != 0 ? &in : nullptr, &out, arch::user_frame()->rsp);
  if (r == 0 && old_ss != 0 && !copy_out(old_ss, out)) return -kEfault;
  return r;
}

int64_t sys_kill(uint64_t pid, uint64_t signo, uint64_t, uint64_t, uint64_t, uint64_t) {
  // pid 0 is the caller's process group: the process itself. -1 means every
  // process but init and the caller: nobody here.
  auto p = static_cast<int32_t>(pid);
  if (signo > signal::kNsig) return -kEinval;
  if (p != 0 && !is_self(p)) return -kEsrch;
  return send_to_self(signo, signal::kSiUser);
}

int64_t sys_tkill(uint64_t tid, uint64_t signo, uint64_t, uint64_t, uint64_t, uint64_t) {
  if (static_cast<int64_t>(tid) <= 0) return -kEinval;
  if (!proc::thread::exists(static_cast<int>(tid))) return -kEsrch;
  return send_to_self(signo, signal::kSiTkill);
}

int64_t sys_tgkill(uint64_t tgid, uint64_t tid, uint64_t signo, uint64_t, uint64_t, uint64_t) {
  if (static_cast<int64_t>(tgid) <= 0 || static_cast<int64_t>(tid) <= 0) return -kEinval;
  if (!is_self(static_cast<int64_t>(tgid)) || !proc::thread::exists(static_cast<int>(tid))) return -kEsrch;
  return send_to_self(signo, signal::kSiTkill);
}

}  // namespace silk::kernel::syscalls
