// Ring 3 (implemented in arch/x86_64/user.cc and syscalls/entry.S): the
// processor state user code needs and the way in and out of it.
#pragma once

#include <stdint.h>

namespace silk::kernel::arch {

// Enables the FPU/SSE/AVX state for user code (CR0.MP, CR4.OSFXSR,
// OSXMMEXCPT and OSXSAVE, XCR0 = what CPUID leaf 0xD reports of x87, SSE,
// AVX and AVX-512) and resets the x87 control word. The kernel itself never
// touches these registers (-mgeneral-regs-only), and with one thread and no
// preemption nothing needs saving yet. Also programs SYSCALL (EFER.SCE,
// STAR, LSTAR = syscall_entry, FMASK) and TSS.RSP0. Returns XCR0 (0 without
// XSAVE).
uint64_t user_init();

// Leaves the kernel for good: ring 3 at {entry} with RSP = {stack}, all
// general registers zero (RDX = 0: no exit handler from a dynamic loader),
// RFLAGS.IF clear (no interrupt sources are programmed yet).
[[noreturn]] void enter_user(uint64_t entry, uint64_t stack);

// The running thread's kernel stack top: system calls and exceptions from
// ring 3 put their TrapFrame there (TSS.RSP0 and syscall_entry's stack).
void set_kernel_stack(uint64_t top);
uint64_t kernel_stack();

// Switches kernel contexts: saves the callee-saved registers and RSP into
// {*save_rsp} and resumes the context saved at {resume_rsp} (returning from
// its own switch_context call, or entering a new thread's start routine).
extern "C" void switch_context(uint64_t* save_rsp, uint64_t resume_rsp);

// A new thread's first kernel context on the stack whose top is {top}: its
// TrapFrame (a copy of {frame}) just below {top}; switch_context to the
// returned RSP leaves through trap_return to ring 3 with that frame.
uint64_t prepare_thread_start(uint64_t top, const void* frame, uint64_t frame_size);

// FS.base (arch_prctl ARCH_SET_FS / ARCH_GET_FS).
void set_fs_base(uint64_t base);
uint64_t fs_base();

// AT_HWCAP: CPUID leaf 1 EDX, as Linux reports it.
uint64_t hwcap();

// Whether the CPU has RDRAND, and 64 bits from it (false when it failed).
bool random64(uint64_t* out);

}  // namespace silk::kernel::arch
