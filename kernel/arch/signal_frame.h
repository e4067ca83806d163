// The signal frame on the user stack, laid out exactly as Linux x86-64 does
// (arch/x86/kernel/signal.c, uapi asm/sigcontext.h and asm/ucontext.h):
//
//   frame ->  pretcode (the sa_restorer the handler returns to)
//   +8        struct ucontext  uc (uc_flags, uc_link, uc_stack, uc_mcontext =
//                               struct sigcontext, uc_sigmask)
//   +312      siginfo_t        info (128 bytes)
//   ...       (64-byte aligned) the 512-byte FXSAVE area uc_mcontext.fpstate
//                               points to (arch/fpu.h)
//
// The handler starts with RSP = frame (16-byte aligned minus 8, as after a
// call), RDI = signo, RSI = &info, RDX = &uc, RAX = 0, DF/TF/RF clear, and the
// FPU in its initial state. User memory is checked with proc::memory::prepare
// before it is touched.
#pragma once

#include <stdint.h>

#include "arch/trap_frame.h"

namespace silk::kernel::arch {

// stack_t (uc_stack, sigaltstack).
struct SignalStack {
  uint64_t sp;
  int32_t flags;
  int32_t pad;
  uint64_t size;
};
static_assert(sizeof(SignalStack) == 24);

struct SignalFrameSetup {
  int signo;
  const void* siginfo;  // 128 bytes
  uint64_t handler;
  uint64_t restorer;
  uint64_t stack_top;   // the frame goes below this address
  uint64_t mask;        // uc_sigmask (and sigcontext.oldmask): restored by rt_sigreturn
  SignalStack altstack;  // uc_stack
  uint64_t trapno, error, cr2;  // sigcontext's fault fields
};

// The lowest address (the handler's RSP) of a frame built below {stack_top}.
uint64_t signal_frame_bottom(uint64_t stack_top);

// Writes the frame for {setup} below {setup.stack_top} from {frame}'s
// registers and the FPU, then points {frame} at the handler and resets the
// FPU. False when that stack memory is not writable user memory ({frame} is
// unchanged then).
[[nodiscard]] bool push_signal_frame(TrapFrame* frame, const SignalFrameSetup& setup);

// rt_sigreturn: reads the frame whose pretcode the handler's `ret` popped
// (at {frame}->rsp - 8), restores the registers (RFLAGS: the user-changeable
// bits only; CS/SS: the user selectors) and the FPU, and returns the saved
// uc_sigmask and uc_stack. False when the frame is not readable or not valid
// (a non-canonical RIP or RSP, a bad fpstate pointer): {frame} is unchanged
// then.
[[nodiscard]] bool pop_signal_frame(TrapFrame* frame, uint64_t* mask, SignalStack* altstack);

}  // namespace silk::kernel::arch
