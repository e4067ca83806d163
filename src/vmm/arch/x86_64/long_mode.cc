// Starts the vCPU directly in 64-bit long mode (hvt_abi.h, "Boot"), the way
// Solo5's hvt and Firecracker do: no real-mode or 32-bit trampoline runs.
#include <linux/kvm.h>

#include "vmm/arch/boot.h"
#include "vmm/arch/x86_64/gdt.h"
#include "vmm/arch/x86_64/paging.h"

namespace silk::vmm::arch {
namespace {

// Intel SDM vol. 3, 2.5 "Control Registers".
constexpr uint64_t kCr0Pe = 1ull << 0, kCr0Mp = 1ull << 1, kCr0Et = 1ull << 4, kCr0Ne = 1ull << 5,
                   kCr0Wp = 1ull << 16, kCr0Am = 1ull << 18, kCr0Pg = 1ull << 31;
constexpr uint64_t kCr4Pae = 1ull << 5, kCr4Osfxsr = 1ull << 9, kCr4Osxmmexcpt = 1ull << 10;
constexpr uint64_t kEferLme = 1ull << 8, kEferLma = 1ull << 10;
constexpr uint64_t kRflagsReserved = 1ull << 1;  // bit 1 always reads 1; IF = 0

}  // namespace

Result<void> configure_boot_vcpu(const KvmVm& vm, KvmVcpu& vcpu, GuestMemory& memory, GuestPhys entry,
                                 GuestPhys boot_info) {
  // CPUID first: KVM checks CR4 and EFER against the guest's CPUID.
  if (auto r = vcpu.set_supported_cpuid(vm); !r) return r;

  write_gdt(memory);
  uint64_t cr3 = write_identity_page_tables(memory);

  auto sregs = vcpu.sregs();
  if (!sregs) return sregs.take_error();
  kvm_sregs& s = *sregs;
  s.gdt.base = kGdt;
  s.gdt.limit = 3 * 8 - 1;
  s.idt.base = 0;
  s.idt.limit = 0;  // no IDT: any exception ends in a triple fault (KVM_EXIT_SHUTDOWN)
  s.cs = code_segment();
  s.ds = s.es = s.fs = s.gs = s.ss = data_segment();
  s.cr3 = cr3;
  // SSE enabled (OSFXSR/OSXMMEXCPT) so compiler-generated code may use it
  // from the first instruction; the kernel enables XSAVE/AVX itself.
  s.cr4 = kCr4Pae | kCr4Osfxsr | kCr4Osxmmexcpt;
  s.cr0 = kCr0Pe | kCr0Mp | kCr0Et | kCr0Ne | kCr0Wp | kCr0Am | kCr0Pg;
  s.efer = kEferLme | kEferLma;
  if (auto r = vcpu.set_sregs(s); !r) return r;

  kvm_regs regs{};
  regs.rflags = kRflagsReserved;
  regs.rip = entry;
  regs.rdi = boot_info;
  // As if the entry had been called: a C function can be the entry point
  // (SysV: RSP + 8 is 16-byte aligned at function entry).
  regs.rsp = kBootStackTop - 8;
  return vcpu.set_regs(regs);
}

}  // namespace silk::vmm::arch
