// The registers of the ring-3 context that entered the kernel (a system call
// or an exception), which system calls and signal delivery read and change:
// the way back to ring 3 restores all of them. The layout is the
// architecture's (arch/x86_64/trap_frame.h).
#pragma once

#include "arch/x86_64/trap_frame.h"

namespace silk::kernel::arch {

// The frame of the current entry from ring 3. One CPU, one process: every
// entry from ring 3 saves it at the same place, the top of the process's
// kernel stack. Valid from the entry until the return to ring 3.
TrapFrame* user_frame();

// Whether {frame} may go back through SYSRET (its RCX and R11 hold RIP and
// RFLAGS, RIP is canonical and not at the top of the user half, no TF/RF);
// otherwise the return uses IRET, which restores every register.
bool can_sysret(const TrapFrame& frame);

// The user-changeable RFLAGS bits (CF PF AF ZF SF TF DF OF AC RF): what
// rt_sigreturn and the SYSCALL path may take from user values.
inline constexpr uint64_t kUserFlagsMask = 0x50dd5;
inline constexpr uint64_t kFlagsFixed = 0x2;  // bit 1 is always set; IF, IOPL stay clear

}  // namespace silk::kernel::arch
