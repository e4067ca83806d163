#include "arch/x86_64/idt.h"

#include "arch/x86_64/gdt.h"

namespace silk::kernel::x86_64 {
namespace {

struct Gate {
  uint16_t offset_low;
  uint16_t selector;
  uint8_t ist;
  uint8_t type_attr;  // P | DPL | type (0xE: 64-bit interrupt gate)
  uint16_t offset_mid;
  uint32_t offset_high;
  uint32_t reserved;
};
static_assert(sizeof(Gate) == 16);

struct [[gnu::packed]] DescriptorPointer {
  uint16_t limit;
  uint64_t base;
};

alignas(16) Gate g_idt[256];

}  // namespace

void idt_set_gate(unsigned vector, uint64_t handler, int ist) {
  Gate& g = g_idt[vector & 0xff];
  g.offset_low = static_cast<uint16_t>(handler);
  g.selector = kKernelCode;
  g.ist = static_cast<uint8_t>(ist & 7);
  g.type_attr = 0x8e;
  g.offset_mid = static_cast<uint16_t>(handler >> 16);
  g.offset_high = static_cast<uint32_t>(handler >> 32);
  g.reserved = 0;
}

void idt_clear_present(unsigned vector) { g_idt[vector & 0xff].type_attr &= 0x7f; }

void idt_load() {
  DescriptorPointer pointer{sizeof g_idt - 1, reinterpret_cast<uint64_t>(g_idt)};
  // SAFETY: g_idt lives for the kernel's lifetime.
  asm volatile("lidt %0" : : "m"(pointer) : "memory");
}

}  // namespace silk::kernel::x86_64
