// The process's kernel-time profile for `trace-boot`: how many system calls
// of each number and page faults ran, and the TSC ticks spent handling them
// (ring-0 time: under kvm-pvm, where every ring-0 instruction is emulated,
// that is where a program's extra time in the VM goes). Printed at exit.
#pragma once

#include <stdint.h>

namespace silk::kernel::profile {

void set_enabled(bool enabled);
bool enabled();
// Adds one system call {nr} (or page fault, nr = kFault) that took {ticks}.
inline constexpr uint64_t kFault = 511;
void add(uint64_t nr, uint64_t ticks);
// Prints the totals and the ten costliest kinds (kernel messages).
void print(const char* const* names);

}  // namespace silk::kernel::profile
