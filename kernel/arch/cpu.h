// Arch-neutral CPU interface (implemented in arch/x86_64/cpu.cc): the one
// place the rest of the kernel asks the processor for something.
#pragma once

#include <stdint.h>

namespace silk::kernel::arch {

// Loads the kernel's GDT/TSS/IDT, enables no-execute pages when the CPU has
// them, turns caching on (CR0.CD/NW off, MTRR default write-back) and sets
// CR0.WP. Called once, first thing in kmain.
void cpu_init();

// What cpu_init found.
bool cpu_has_nx();
// CR0 as the loader left it (diagnostics).
uint64_t cpu_boot_cr0();
// A short model string ("GenuineIntel ..." brand string, or the vendor).
const char* cpu_model();

uint64_t read_timestamp();   // rdtsc
[[noreturn]] void halt_forever();   // interrupts off, hlt, forever

// Deliberately makes the CPU reset (triple fault): the last resort of
// platform::halt when no exit device answered.
[[noreturn]] void triple_fault();

}  // namespace silk::kernel::arch
