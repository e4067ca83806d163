// silk::vmm::arch — the one place the monitor chooses an architecture
// (STYLE.md: Firecracker's arch/mod.rs). The rest of src/vmm uses only these
// names: the guest-physical layout of the boot structures, the ELF machine it
// boots, and configure_boot_vcpu().
#pragma once

#include "common/result.h"
#include "vmm/kvm/memory.h"
#include "vmm/kvm/vcpu.h"
#include "vmm/kvm/vm.h"

#if defined(__x86_64__)
#include "vmm/arch/x86_64/layout.h"
#else
#error "silk vm: only x86-64 hosts are supported"
#endif

namespace silk::vmm::arch {

// Writes the boot page tables and GDT into {memory} and puts {vcpu} in the
// state in which the kernel starts (hvt_abi.h, "Boot"): 64-bit mode at
// {entry}, first argument register = {boot_info}, stack at kBootStackTop,
// interrupts off. {memory} must already be mapped into {vm}.
Result<void> configure_boot_vcpu(const KvmVm& vm, KvmVcpu& vcpu, GuestMemory& memory, GuestPhys entry,
                                 GuestPhys boot_info);

}  // namespace silk::vmm::arch
