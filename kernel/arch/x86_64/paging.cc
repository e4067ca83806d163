#include "arch/paging.h"

#include "arch/cpu.h"

// x86-64 4-level paging (Intel SDM vol. 3A, 4.5): PML4 (level 3), PDPT (2),
// PD (1), PT (0); 9 index bits per level above a 12-bit page offset.

namespace silk::kernel::arch {
namespace {

constexpr uint64_t kPresent = 1ull << 0;
constexpr uint64_t kWritable = 1ull << 1;
constexpr uint64_t kUser = 1ull << 2;
// PWT|PCD with PAT clear selects PAT entry 3, UC in the power-on PAT (SDM 12.12.4).
constexpr uint64_t kUncached = (1ull << 3) | (1ull << 4);
constexpr uint64_t kHuge = 1ull << 7;  // PS: a leaf at level 1 or 2
constexpr uint64_t kBorrowed = 1ull << 9;  // available to software (SDM table 4-19)
constexpr uint64_t kNoExecute = 1ull << 63;
constexpr uint64_t kAddressMask = 0x000ffffffffff000ull;

}  // namespace

uint64_t leaf_size(int level) { return kPageSize << (9 * level); }
bool leaf_allowed(int level) { return level == 0 || level == 1; }

unsigned table_index(VirtAddr virt, int level) {
  return static_cast<unsigned>((virt.value >> (12 + 9 * level)) & 0x1ff);
}

bool is_canonical(VirtAddr virt) {
  auto high = static_cast<int64_t>(virt.value) >> 47;
  return high == 0 || high == -1;
}

PageTableEntry make_table_entry(PhysAddr table) {
  // Intermediate entries are permissive; the leaf decides (SDM 4.6).
  return (table.value & kAddressMask) | kPresent | kWritable | kUser;
}

PageTableEntry make_leaf_entry(PhysAddr frame, PageFlags flags, int level) {
  uint64_t e = (frame.value & kAddressMask) | kPresent;
  if (flags.writable && !flags.borrowed) e |= kWritable;
  if (flags.user) e |= kUser;
  if (flags.borrowed) e |= kBorrowed;
  if (flags.uncached) e |= kUncached;
  if (!flags.executable && cpu_has_nx()) e |= kNoExecute;
  if (level > 0) e |= kHuge;
  return e;
}

bool entry_present(PageTableEntry e) { return (e & kPresent) != 0; }
bool entry_is_leaf(PageTableEntry e, int level) { return level == 0 || (e & kHuge) != 0; }
PhysAddr entry_address(PageTableEntry e) { return PhysAddr{e & kAddressMask}; }

PageFlags entry_flags(PageTableEntry e) {
  return PageFlags{(e & kWritable) != 0, (e & kNoExecute) == 0, (e & kUser) != 0, (e & kBorrowed) != 0,
                   (e & kUncached) == kUncached};
}

PhysAddr active_root() {
  uint64_t cr3;
  asm volatile("mov %%cr3, %0" : "=r"(cr3));
  return PhysAddr{cr3 & kAddressMask};
}

void activate_root(PhysAddr root) {
  // SAFETY: the caller's new tables map the running code, stack and data at
  // the same addresses (the identity map), so execution continues.
  asm volatile("mov %0, %%cr3" : : "r"(root.value) : "memory");
}

void flush_tlb_page(VirtAddr virt) { asm volatile("invlpg (%0)" : : "r"(virt.value) : "memory"); }

}  // namespace silk::kernel::arch
