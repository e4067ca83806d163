#include "arch/x86_64/gdt.h"

#include "lib/string.h"

namespace silk::kernel::x86_64 {
namespace {

// 64-bit TSS (Intel SDM vol. 3A, figure 8-11).
struct [[gnu::packed]] Tss {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3;
  uint16_t iomap_base;
};
static_assert(sizeof(Tss) == 104);

struct [[gnu::packed]] DescriptorPointer {
  uint16_t limit;
  uint64_t base;
};

alignas(16) Tss g_tss;
alignas(16) uint64_t g_gdt[7];

}  // namespace

void gdt_init(const uint64_t* ist_top, int ist_count) {
  memset(&g_tss, 0, sizeof g_tss);
  for (int i = 0; i < ist_count && i < 7; ++i) g_tss.ist[i] = ist_top[i];
  g_tss.iomap_base = sizeof(Tss);  // no I/O permission bitmap

  g_gdt[0] = 0;
  g_gdt[1] = 0x00af9a000000ffffull;  // 0x08: 64-bit code, DPL 0
  g_gdt[2] = 0x00cf92000000ffffull;  // 0x10: data, DPL 0
  // SYSRET loads SS = STAR[63:48] + 8 and CS = STAR[63:48] + 16 (Intel SDM
  // vol. 2B, SYSRET), so user data must come right before user code.
  g_gdt[3] = 0x00cff2000000ffffull;  // 0x18: data, DPL 3
  g_gdt[4] = 0x00affa000000ffffull;  // 0x20: 64-bit code, DPL 3
  // 0x28: 16-byte available 64-bit TSS descriptor (type 9, present).
  uint64_t base = reinterpret_cast<uint64_t>(&g_tss);
  uint64_t limit = sizeof(Tss) - 1;
  g_gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) | (((limit >> 16) & 0xf) << 48) |
             (((base >> 24) & 0xff) << 56);
  g_gdt[6] = base >> 32;

  DescriptorPointer pointer{sizeof g_gdt - 1, reinterpret_cast<uint64_t>(g_gdt)};
  // SAFETY: the GDT keeps selectors 0x08/0x10 meaning what they meant, so the
  // far return and the segment loads switch to equivalent descriptors.
  asm volatile(
      "lgdt %0\n\t"
      "pushq %1\n\t"
      "leaq 1f(%%rip), %%rax\n\t"
      "pushq %%rax\n\t"
      "lretq\n"
      "1:\n\t"
      "movl %2, %%eax\n\t"
      "movl %%eax, %%ds\n\t"
      "movl %%eax, %%es\n\t"
      "movl %%eax, %%ss\n\t"
      "xorl %%eax, %%eax\n\t"
      "movl %%eax, %%fs\n\t"
      "movl %%eax, %%gs\n\t"
      "ltr %w3"
      :
      : "m"(pointer), "i"(static_cast<uint64_t>(kKernelCode)), "i"(static_cast<uint32_t>(kKernelData)),
        "r"(kTss)
      : "rax", "memory");
}

void gdt_set_kernel_stack(uint64_t rsp0) { g_tss.rsp[0] = rsp0; }

}  // namespace silk::kernel::x86_64
