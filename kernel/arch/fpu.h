// The process's FPU/SSE registers (x87, MXCSR, XMM0-15) as the 512-byte
// FXSAVE area (Intel SDM vol. 1, 10.5.1), saved into and restored from
// signal frames. The kernel itself never touches these registers
// (-mgeneral-regs-only), so between entries from ring 3 the live registers
// are the process's and nothing is saved on kernel entry.
//
// FXSAVE, not XSAVE: on this host's kvm-pvm, ring 0 runs in KVM's instruction
// emulator, which has FXSAVE/FXRSTOR but not XSAVE/XRSTOR (an XSAVE stops the
// VM). The upper halves of the YMM/ZMM registers are therefore neither saved
// nor restored around a signal handler (no UC_FP_XSTATE in the frame).
#pragma once

#include <stdint.h>

namespace silk::kernel::arch {

inline constexpr uint64_t kFpuStateSize = 512;
inline constexpr uint64_t kFpuStateAlign = 16;

// Resets the registers (fninit; MXCSR 0x1f80) and records the CPU's MXCSR
// mask. Called once by user_init.
void fpu_init();
// Saves the registers into {area} (kFpuStateSize bytes, 16-byte aligned;
// user memory is fine once proc::memory::prepare made it present).
void fpu_save(void* area);
// Loads the registers from {area} (kFpuStateSize bytes, any alignment); MXCSR
// bits the CPU does not have are cleared first (FXRSTOR would #GP on them).
void fpu_restore(const void* area);
// Loads the initial state: x87 control word 0x37f, MXCSR 0x1f80, registers 0.
void fpu_reset();
// The SIGFPE si_code for an x87 (#MF, {simd} false) or SIMD (#XM) floating-
// point exception, from the unmasked exception flags (Linux's
// fpu__exception_code): FPE_FLTINV, _FLTDIV, _FLTOVF, _FLTUND, _FLTRES, or 0.
int fpu_exception_code(bool simd);

}  // namespace silk::kernel::arch
