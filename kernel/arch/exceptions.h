// CPU exceptions (implemented in arch/x86_64/exceptions.cc). Every fatal
// exception prints its name, error code, RIP, RSP (and CR2 for a page fault)
// on the console and halts with platform::kExitCpuException. #PF and #DF run
// on their own IST stacks, so a kernel stack overflow is reported, not a
// triple fault. A #DE at a registered fixup address resumes at its fixup
// (the self-check; later, the kernel's user-copy routines).
#pragma once

#include <stdint.h>

namespace silk::kernel::arch {

void exceptions_init();

// Divides by zero under a fixup: true when the #DE was delivered through the
// IDT and execution resumed after the instruction. (A fault, not int3: a trap
// re-injected by a nested hypervisor without next-RIP support is emulated, and
// KVM's emulator can fail on it.)
bool probe_divide_error();

// The stack guard page: a #PF inside it is reported as a stack overflow.
void set_stack_guard(uint64_t guard_start, uint64_t guard_size);

// Self-test hook: makes the #PF gate not present, so the next page fault
// escalates to a double fault (Intel SDM vol. 3A, table 6-5: #PF then #NP).
void break_page_fault_gate();

}  // namespace silk::kernel::arch
