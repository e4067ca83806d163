// The flat boot GDT. Long mode ignores base and limit for code and data, but
// the descriptors in memory and the hidden parts KVM loads must agree, or the
// guest's first segment reload (e.g. `mov ss, ax` or an iret) would change them.
#include "vmm/arch/x86_64/gdt.h"

#include "vmm/arch/x86_64/layout.h"

namespace silk::vmm::arch {
namespace {

// Intel SDM vol. 3, 3.4.5 "Segment Descriptors": flags in bits 52-55
// (G, D/B, L, AVL), access byte in bits 40-47 (P, DPL, S, type).
constexpr uint64_t descriptor(uint64_t flags, uint64_t access, uint64_t base, uint64_t limit) {
  return ((base & 0xff000000ull) << 32) | ((flags & 0xf) << 52) | ((limit & 0xf0000ull) << 32) |
         ((access & 0xff) << 40) | ((base & 0x00ffffffull) << 16) | (limit & 0xffffull);
}

constexpr uint64_t kCodeFlags = 0xa;    // G=1, L=1 (64-bit), D=0
constexpr uint64_t kCodeAccess = 0x9b;  // P, DPL 0, S, execute/read, accessed
constexpr uint64_t kDataFlags = 0xc;    // G=1, B=1
constexpr uint64_t kDataAccess = 0x93;  // P, DPL 0, S, read/write, accessed

kvm_segment segment(uint16_t selector, uint64_t flags, uint64_t access) {
  kvm_segment s{};
  s.base = 0;
  s.limit = 0xffffffff;
  s.selector = selector;
  s.type = access & 0xf;
  s.present = (access >> 7) & 1;
  s.dpl = (access >> 5) & 3;
  s.s = (access >> 4) & 1;
  s.l = (flags >> 1) & 1;
  s.db = (flags >> 2) & 1;
  s.g = (flags >> 3) & 1;
  s.avl = flags & 1;
  return s;
}

}  // namespace

void write_gdt(GuestMemory& memory) {
  const uint64_t gdt[3] = {
      0,
      descriptor(kCodeFlags, kCodeAccess, 0, 0xfffff),
      descriptor(kDataFlags, kDataAccess, 0, 0xfffff),
  };
  memory.write(kGdt, gdt);
}

kvm_segment code_segment() { return segment(kCodeSelector, kCodeFlags, kCodeAccess); }
kvm_segment data_segment() { return segment(kDataSelector, kDataFlags, kDataAccess); }

}  // namespace silk::vmm::arch
