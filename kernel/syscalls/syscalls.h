// Linux x86-64 system calls from ring 3 (the table is syscalls.def). A
// handler gets the six argument registers and returns the value for RAX: a
// result, or -errno.
#pragma once

#include <stdint.h>

namespace silk::kernel::syscalls {

// Layout pushed by syscall_entry (entry.S), lowest address first.
struct SyscallFrame {
  uint64_t r15, r14, r13, r12, rbp, rbx, r9, r8, r10, rdx, rsi, rdi, rax;
  uint64_t rip, rflags, rsp;  // user RCX, R11, RSP
};
static_assert(sizeof(SyscallFrame) == 16 * 8);

// Runs system call {nr}; the value for RAX. Unknown numbers: -ENOSYS,
// logged once each.
uint64_t invoke(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

// The SYSCALL instruction's way in (EFER.SCE, LSTAR: arch/x86_64/user.cc)
// does not reach ring 0 on every hypervisor: this host's kvm-pvm jumps to
// LSTAR but stays in ring 3, which faults fetching the supervisor page. The
// #PF handler recognises that fault and runs the call instead
// (arch/x86_64/exceptions.cc). The first time, this prints a note.
void note_syscall_fault_path();

// errno values (asm-generic/errno-base.h).
inline constexpr int64_t kEperm = 1, kEnoent = 2, kEsrch = 3, kEbadf = 9, kEnomem = 12, kEfault = 14,
                         kEexist = 17, kEnodev = 19, kEinval = 22, kEnotty = 25, kErange = 34, kEnosys = 38;

#define SYSCALL(nr, name) \
  int64_t sys_##name(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
#include "syscalls/syscalls.def"
#undef SYSCALL

}  // namespace silk::kernel::syscalls
