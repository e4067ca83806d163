// The IDT (Intel SDM vol. 3A, 6.14.1): 64-bit interrupt gates in the kernel
// code segment, interrupts stay off inside handlers.
#pragma once

#include <stdint.h>

namespace silk::kernel::x86_64 {

// Sets gate {vector} to {handler}, running on IST stack {ist} (0 = none).
void idt_set_gate(unsigned vector, uint64_t handler, int ist);
// Marks gate {vector} not present (a self-test provokes #NP/#DF with it).
void idt_clear_present(unsigned vector);
void idt_load();

}  // namespace silk::kernel::x86_64
