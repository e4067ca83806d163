// Linux x86-64 system calls from ring 3 (the table is syscalls.def). A
// handler gets the six argument registers and returns the value for RAX: a
// result, or -errno.
#pragma once

#include <stdint.h>

#include "arch/trap_frame.h"

namespace silk::kernel::syscalls {

// Runs the system call {frame} asks for (RAX = number, RDI, RSI, RDX, R10,
// R8, R9 = arguments), puts the result in its RAX and delivers the pending
// signals (proc/signal.h), which may redirect {frame} to a handler. Unknown
// numbers: -ENOSYS, logged once each. Handlers that need the registers
// (rt_sigreturn, sigaltstack) get {frame} from arch::user_frame().
void run(arch::TrapFrame* frame);

// The SYSCALL instruction's way in (EFER.SCE, LSTAR: arch/x86_64/user.cc)
// does not reach ring 0 on every hypervisor: this host's kvm-pvm jumps to
// LSTAR but stays in ring 3, which faults fetching the supervisor page. The
// #PF handler recognises that fault and runs the call instead
// (arch/x86_64/exceptions.cc). The first time, this prints a note.
void note_syscall_fault_path();

// errno values (asm-generic/errno-base.h, errno.h).
inline constexpr int64_t kEperm = 1, kEnoent = 2, kEsrch = 3, kEintr = 4, kEbadf = 9, kEagain = 11,
                         kEnomem = 12, kEacces = 13, kEfault = 14, kEexist = 17, kEnodev = 19, kEinval = 22,
                         kEnotty = 25, kErange = 34, kEdeadlk = 35, kEnosys = 38, kEtimedout = 110;

#define SYSCALL(nr, name) \
  int64_t sys_##name(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
#include "syscalls/syscalls.def"
#undef SYSCALL

}  // namespace silk::kernel::syscalls
