// The saved registers of an interrupted context (x86-64), as the entry stubs
// push them: isr_common (exception_stubs.S) for exceptions, syscall_entry
// (syscalls/entry.S) for SYSCALL, which builds the same frame so that
// both ways back to ring 3 (sysretq and iretq) can restore every register.
// Lowest address first; the last five words are the CPU's interrupt frame.
#pragma once

#include <stdint.h>

namespace silk::kernel::arch {

struct TrapFrame {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t vector;      // exception vector, or kVectorSyscall
  uint64_t error_code;  // the CPU's, or 0
  uint64_t rip, cs, rflags, rsp, ss;
};
static_assert(sizeof(TrapFrame) == 22 * 8);

// TrapFrame::vector of a frame built by syscall_entry.
inline constexpr uint64_t kVectorSyscall = 256;

}  // namespace silk::kernel::arch
