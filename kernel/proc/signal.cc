#include "proc/signal.h"

#include "lib/format.h"
#include "lib/string.h"
#include "platform/platform.h"
#include "proc/memory.h"
#include "proc/process.h"
#include "syscalls/syscalls.h"

namespace silk::kernel::proc::signal {
namespace {

using syscalls::kEinval;
using syscalls::kEnomem;
using syscalls::kEperm;

constexpr uint64_t kRedZone = 128;  // System V AMD64 ABI 3.2.2: below RSP, the leaf's
constexpr int kSigChld = 17, kSigCont = 18, kSigTstp = 20, kSigTtin = 21, kSigTtou = 22, kSigUrg = 23,
              kSigWinch = 28;

Action g_actions[kNsig + 1];
uint64_t g_blocked = 0;
uint64_t g_pending = 0;
int g_pending_code[kNsig + 1];
// sigaltstack: the flags are kept as given (SS_AUTODISARM, or SS_DISABLE when
// there is none), as Linux reports them in uc_stack.
arch::SignalStack g_alt{0, kSsDisable, 0, 0};

const char* const kNames[32] = {
    "SIG0",    "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",    "SIGTRAP", "SIGABRT",  "SIGBUS",
    "SIGFPE",  "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",   "SIGPIPE", "SIGALRM",  "SIGTERM",
    "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",   "SIGTTIN", "SIGTTOU",  "SIGURG",
    "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",  "SIGIO",   "SIGPWR",   "SIGSYS"};

bool valid(int signo) { return signo >= 1 && signo <= kNsig; }

enum class Default { kTerminate, kIgnore, kStop };
Default default_action(int signo) {
  switch (signo) {
    case kSigChld: case kSigCont: case kSigUrg: case kSigWinch: return Default::kIgnore;
    case kSigStop: case kSigTstp: case kSigTtin: case kSigTtou: return Default::kStop;
    default: return Default::kTerminate;
  }
}

bool ignored(int signo) {
  const Action& a = g_actions[signo];
  return a.handler == kSigIgn || (a.handler == kSigDfl && default_action(signo) == Default::kIgnore);
}

bool on_altstack(uint64_t sp) { return g_alt.size != 0 && sp > g_alt.sp && sp - g_alt.sp <= g_alt.size; }

// sas_ss_flags(): what sigaltstack reports for the stack {sp} is on.
int32_t altstack_state(uint64_t sp) {
  if (g_alt.size == 0) return kSsDisable;
  return on_altstack(sp) ? kSsOnstack : 0;
}

SigInfo info_for(int signo, int code) {
  SigInfo info{};
  info.signo = signo;
  info.code = code;
  if (code == kSiUser || code == kSiTkill) info.sender = {1, 0};  // from the process itself (pid 1, uid 0)
  return info;
}

[[noreturn]] void die_undeliverable(int signo, uint64_t stack_top, const char* why, arch::TrapFrame* frame) {
  kprintf("silk kernel: %s: cannot deliver %s: %s (stack 0x%lx)\n", exe_path(), name(signo), why, stack_top);
  Fault fault{kSigSegv, kSiKernel, 0, 0, 0, 0};
  die(kSigSegv, &fault, *frame);
}

// Builds the handler's frame for {signo} (Linux's get_sigframe and
// handle_signal): the alternate stack when SA_ONSTACK asks and the process
// is not on it yet, else below the red zone of the current stack.
void deliver(arch::TrapFrame* frame, int signo, const SigInfo& info, const Fault* fault) {
  Action& a = g_actions[signo];
  uint64_t top = frame->rsp - kRedZone;
  if ((a.flags & kSaOnstack) != 0 && altstack_state(top) == 0) top = g_alt.sp + g_alt.size;
  if ((a.flags & kSaRestorer) == 0) die_undeliverable(signo, top, "no SA_RESTORER", frame);
  // On the alternate stack and about to overflow it: Linux gives the frame
  // a bogus address so the delivery fails.
  if (on_altstack(top) && !on_altstack(arch::signal_frame_bottom(top))) {
    die_undeliverable(signo, top, "the alternate signal stack is too small", frame);
  }
  arch::SignalFrameSetup setup{};
  setup.signo = signo;
  setup.siginfo = &info;
  setup.handler = a.handler;
  setup.restorer = a.restorer;
  setup.stack_top = top;
  setup.mask = g_blocked;
  setup.altstack = g_alt;
  if (fault != nullptr) {
    setup.trapno = fault->trapno;
    setup.error = fault->error;
    setup.cr2 = fault->cr2;
  }
  if (!arch::push_signal_frame(frame, setup)) die_undeliverable(signo, top, "the stack is not writable", frame);
  if ((g_alt.flags & static_cast<int32_t>(kSsAutodisarm)) != 0) g_alt = arch::SignalStack{0, kSsDisable, 0, 0};
  g_blocked |= a.mask;
  if ((a.flags & kSaNodefer) == 0) g_blocked |= bit(signo);
  g_blocked &= ~kUnblockable;
  if ((a.flags & kSaResethand) != 0) a.handler = kSigDfl;
}

}  // namespace

const char* name(int signo) {
  if (signo > 0 && signo < 32) return kNames[signo];
  return signo >= 32 && signo <= kNsig ? "SIGRT" : "SIG?";
}

void die(int signo, const Fault* fault, const arch::TrapFrame& frame) {
  const char* n = name(signo);
  // Asked to stop (silk vm passes on the host's SIGINT/SIGTERM): no report,
  // as a Linux process killed by them prints none.
  if (fault == nullptr && (signo == kSigInt || signo == kSigTerm)) platform::halt(128 + signo);
  if (fault != nullptr && fault->trapno == 14) {
    kprintf("silk kernel: %s: %s: %s at address 0x%lx, rip 0x%lx, rsp 0x%lx\n", exe_path(), n,
            signo == kSigBus ? (memory::beyond_file_end(fault->addr) ? "access past the end of a mapped file"
                                                                     : "no memory for the page")
            : fault->code == kSegvAccerr ? "protection violation"
                                         : "unmapped memory",
            fault->addr, frame.rip, frame.rsp);
  } else if (fault != nullptr && fault->trapno != 0) {
    kprintf("silk kernel: %s: %s: exception %lu (error code 0x%lx) at rip 0x%lx, rsp 0x%lx\n", exe_path(), n,
            fault->trapno, fault->error, frame.rip, frame.rsp);
  } else {
    kprintf("silk kernel: %s: %s at rip 0x%lx, rsp 0x%lx\n", exe_path(), n, frame.rip, frame.rsp);
  }
  kprintf("silk kernel: process killed by %s, halting with status %d\n", n, 128 + signo);
  platform::halt(128 + signo);
}

void force_fault(arch::TrapFrame* frame, const Fault& fault) {
  int signo = fault.signo;
  Action& a = g_actions[signo];
  // Linux's force_sig_info: a blocked or ignored fault signal cannot be
  // deferred (the instruction would fault again), so the default applies.
  if ((g_blocked & bit(signo)) != 0 || a.handler == kSigIgn) {
    a.handler = kSigDfl;
    g_blocked &= ~bit(signo);
  }
  if (a.handler == kSigDfl) die(signo, &fault, *frame);
  SigInfo info{};
  info.signo = signo;
  info.code = fault.code;
  info.addr = fault.addr;
  deliver(frame, signo, info, &fault);
}

int64_t send(int signo, int code) {
  if (signo == 0) return 0;
  if (!valid(signo)) return -kEinval;
  if ((g_blocked & bit(signo)) == 0 && ignored(signo)) return 0;
  g_pending |= bit(signo);
  g_pending_code[signo] = code;
  return 0;
}

int take(uint64_t mask, int* code) {
  uint64_t ready = g_pending & mask;
  if (ready == 0) return 0;
  int signo = __builtin_ctzll(ready) + 1;
  g_pending &= ~bit(signo);
  *code = g_pending_code[signo];
  return signo;
}

bool deliverable() { return (g_pending & ~g_blocked) != 0; }

void deliver_pending(arch::TrapFrame* frame) {
  while (uint64_t ready = g_pending & ~g_blocked) {
    int signo = __builtin_ctzll(ready) + 1;
    g_pending &= ~bit(signo);
    const Action& a = g_actions[signo];
    if (a.handler == kSigIgn) continue;
    if (a.handler == kSigDfl) {
      Default d = default_action(signo);
      if (d == Default::kIgnore) continue;
      if (d == Default::kStop) {
        kprintf("silk kernel: %s: %s ignored (no job control)\n", exe_path(), name(signo));
        continue;
      }
      die(signo, nullptr, *frame);
    }
    deliver(frame, signo, info_for(signo, g_pending_code[signo]), nullptr);
  }
}

int64_t set_action(int signo, const Action* act, Action* old) {
  if (!valid(signo)) return -kEinval;
  if (act != nullptr && (signo == kSigKill || signo == kSigStop)) return -kEinval;
  if (old != nullptr) *old = g_actions[signo];
  if (act != nullptr) {
    g_actions[signo] = *act;
    g_actions[signo].mask &= ~kUnblockable;
    if (ignored(signo)) g_pending &= ~bit(signo);  // POSIX: discarded when set to ignore
  }
  return 0;
}

uint64_t blocked() { return g_blocked; }
void set_blocked(uint64_t mask) { g_blocked = mask & ~kUnblockable; }
uint64_t pending() { return g_pending; }

ThreadState thread_state() { return ThreadState{g_blocked, g_alt}; }
void set_thread_state(const ThreadState& state) {
  g_blocked = state.blocked;
  g_alt = state.alt;
}
ThreadState new_thread_state(const ThreadState& parent) {
  return ThreadState{parent.blocked, arch::SignalStack{0, kSsDisable, 0, 0}};
}

int64_t altstack(const arch::SignalStack* ss, arch::SignalStack* old, uint64_t sp) {
  if (old != nullptr) {
    *old = arch::SignalStack{g_alt.sp, altstack_state(sp) | (g_alt.flags & static_cast<int32_t>(kSsAutodisarm)),
                             0, g_alt.size};
  }
  if (ss == nullptr) return 0;
  if (on_altstack(sp)) return -kEperm;
  int32_t mode = ss->flags & ~static_cast<int32_t>(kSsAutodisarm);
  if (mode != 0 && mode != kSsOnstack && mode != kSsDisable) return -kEinval;
  if (mode == kSsDisable) {
    g_alt = arch::SignalStack{0, ss->flags, 0, 0};
    return 0;
  }
  if (ss->size < kMinSigStackSize) return -kEnomem;
  g_alt = arch::SignalStack{ss->sp, ss->flags, 0, ss->size};
  return 0;
}

int64_t sigreturn(arch::TrapFrame* frame) {
  uint64_t mask;
  arch::SignalStack stack;
  if (!arch::pop_signal_frame(frame, &mask, &stack)) {
    kprintf("silk kernel: %s: rt_sigreturn: bad signal frame at 0x%lx\n", exe_path(), frame->rsp - 8);
    force_fault(frame, Fault{kSigSegv, kSiKernel, 0, 0, 0, 0});
    return static_cast<int64_t>(frame->rax);
  }
  set_blocked(mask);
  altstack(&stack, nullptr, frame->rsp);  // restore_altstack: refused while on it, like Linux
  return static_cast<int64_t>(frame->rax);
}

}  // namespace silk::kernel::proc::signal
