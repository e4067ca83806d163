// The boot GDT (x86_64/gdt.cc) and the KVM segment registers that match it.
#pragma once

#include <linux/kvm.h>

#include "vmm/kvm/memory.h"

namespace silk::vmm::arch {

inline constexpr uint16_t kCodeSelector = 0x08;
inline constexpr uint16_t kDataSelector = 0x10;

// Writes the flat GDT at kGdt.
void write_gdt(GuestMemory& memory);
// The hidden parts of CS and of DS/ES/FS/GS/SS as loaded from that GDT.
kvm_segment code_segment();
kvm_segment data_segment();

}  // namespace silk::vmm::arch
