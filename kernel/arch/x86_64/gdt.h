// The kernel's GDT (Intel SDM vol. 3A, 3.4.5 and 7.2.3): null, kernel code
// 0x08, kernel data 0x10, and the 64-bit TSS at 0x28, whose IST slots give
// #DF and #PF known-good stacks. The selectors match what silk's monitor and
// the PVH entry set up (hvt_abi.h), so the switch is seamless. User data 0x18
// and user code 0x20 (DPL 3) are in the order SYSRET needs.
#pragma once

#include <stdint.h>

namespace silk::kernel::x86_64 {

inline constexpr uint16_t kKernelCode = 0x08;
inline constexpr uint16_t kKernelData = 0x10;
inline constexpr uint16_t kUserData = 0x18 | 3;  // RPL 3
inline constexpr uint16_t kUserCode = 0x20 | 3;
inline constexpr uint16_t kTss = 0x28;

// IST slot numbers used by the IDT (1-based, as in the gate descriptor).
inline constexpr int kIstDoubleFault = 1;
inline constexpr int kIstPageFault = 2;

// Loads the GDT and TSS with {ist_top}[i] as the top of IST stack i + 1, and
// reloads CS, DS, ES, SS (FS and GS become null).
void gdt_init(const uint64_t* ist_top, int ist_count);
// TSS.RSP0: the stack an interrupt or exception from ring 3 switches to.
void gdt_set_kernel_stack(uint64_t rsp0);

}  // namespace silk::kernel::x86_64
