// The process's signals (Linux semantics for one single-threaded process):
// the actions of rt_sigaction, the blocked mask, the pending set, the
// alternate stack, delivery to handlers and the default actions.
//
// Sources: synchronous faults from ring 3 (force_fault: delivered at once;
// blocked or ignored, the default action applies, as Linux's force_sig) and
// kill/tgkill/tkill to itself (send: pending until the way back to ring 3).
// Every way back to ring 3 calls deliver_pending, which pushes one frame per
// deliverable signal (arch/signal_frame.h). A default action that
// terminates prints a report and halts the machine with 128 + signo; "stop"
// (no job control) and "ignore" do nothing. Standard and real-time signals
// alike are pending at most once (real-time ones are not queued).
#pragma once

#include <stdint.h>

#include "arch/signal_frame.h"
#include "arch/trap_frame.h"

namespace silk::kernel::proc::signal {

inline constexpr int kSigInt = 2, kSigTerm = 15;
inline constexpr int kSigIll = 4, kSigTrap = 5, kSigAbrt = 6, kSigBus = 7, kSigFpe = 8, kSigKill = 9,
                     kSigSegv = 11, kSigStop = 19;
inline constexpr int kNsig = 64;

// si_code values (uapi asm-generic/siginfo.h).
inline constexpr int kSiUser = 0, kSiKernel = 0x80, kSiTkill = -6;
inline constexpr int kSegvMaperr = 1, kSegvAccerr = 2;
inline constexpr int kBusAdraln = 1, kBusAdrerr = 2;
inline constexpr int kFpeIntdiv = 1;
inline constexpr int kIllIllopn = 2;

// siginfo_t, x86-64: the fields used here; the rest of the 128 bytes is 0.
struct SigInfo {
  int32_t signo, errno_value, code, pad;
  union {
    uint64_t addr;  // SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP: si_addr
    struct {
      int32_t pid;
      uint32_t uid;
    } sender;  // kill, tkill: si_pid, si_uid
  };
  uint64_t rest[13];
};
static_assert(sizeof(SigInfo) == 128);

// A synchronous fault, as the CPU reported it.
struct Fault {
  int signo;
  int code;          // si_code
  uint64_t addr;     // si_addr
  uint64_t trapno;   // exception vector
  uint64_t error;    // error code
  uint64_t cr2;      // the faulting address of a #PF, else 0
};

// struct sigaction as the kernel sees it (x86-64: no sa_restorer-less form).
struct Action {
  uint64_t handler;  // SIG_DFL 0, SIG_IGN 1, or the handler
  uint64_t flags;
  uint64_t restorer;
  uint64_t mask;
};
inline constexpr uint64_t kSigDfl = 0, kSigIgn = 1;
inline constexpr uint64_t kSaSiginfo = 0x4, kSaOnstack = 0x08000000, kSaRestart = 0x10000000,
                          kSaNodefer = 0x40000000, kSaResethand = 0x80000000, kSaRestorer = 0x04000000;
inline constexpr int kSsOnstack = 1, kSsDisable = 2;
inline constexpr uint32_t kSsAutodisarm = 1u << 31;
inline constexpr uint64_t kMinSigStackSize = 2048;  // MINSIGSTKSZ

// The bit of {signo} in a mask (signal 1 is bit 0).
inline constexpr uint64_t bit(int signo) { return uint64_t{1} << (signo - 1); }
inline constexpr uint64_t kUnblockable = bit(kSigKill) | bit(kSigStop);

// Delivers {fault} to its handler by changing {frame} (the ring-3 context
// that faulted), or terminates the process (never returns then).
void force_fault(arch::TrapFrame* frame, const Fault& fault);

// kill/tgkill/tkill to the process itself with si_code {code}: makes
// {signo} pending unless it is ignored. 0 for signo 0 (the existence check).
int64_t send(int signo, int code);

// The lowest pending signal of {mask}, taken off the pending set (signalfd's
// read): its number, with its si_code in {code}; 0 when none is pending.
int take(uint64_t mask, int* code);

// Whether a pending signal is not blocked: a blocking call then ends with
// -EINTR, and the signal is delivered on the way back to ring 3.
bool deliverable();

// Delivers every pending signal that is not blocked, changing {frame}.
void deliver_pending(arch::TrapFrame* frame);

// What each thread has of its own: the blocked mask and the alternate stack
// (proc/thread.h swaps them when it switches threads; the actions and the
// pending set belong to the process).
struct ThreadState {
  uint64_t blocked;
  arch::SignalStack alt;
};
ThreadState thread_state();
void set_thread_state(const ThreadState& state);
// A new thread's: {parent}'s mask, no alternate stack (as clone does).
ThreadState new_thread_state(const ThreadState& parent);

// rt_sigaction: {act} and {old} may be null. -EINVAL for a bad signo or for
// changing SIGKILL/SIGSTOP.
int64_t set_action(int signo, const Action* act, Action* old);
uint64_t blocked();
void set_blocked(uint64_t mask);  // SIGKILL and SIGSTOP stay unblocked
uint64_t pending();
// sigaltstack with the user's current {sp}: {old} gets the current state;
// {ss} (may be null) replaces it: -EPERM while on the alternate stack,
// -EINVAL for bad flags, -ENOMEM below MINSIGSTKSZ.
int64_t altstack(const arch::SignalStack* ss, arch::SignalStack* old, uint64_t sp);
// rt_sigreturn: restores the context a handler was called from; a bad frame
// is a SIGSEGV. Returns the restored RAX.
int64_t sigreturn(arch::TrapFrame* frame);

// The signal's name ("SIGSEGV"), or "signal N" style "SIG?" for unknown ones.
const char* name(int signo);

// Terminates the process with 128 + {signo} after the report line
// (proc/process.h: "/prog: SIGSEGV: ..."); {fault} may be null.
[[noreturn]] void die(int signo, const Fault* fault, const arch::TrapFrame& frame);

}  // namespace silk::kernel::proc::signal
