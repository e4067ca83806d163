// A virtual address space: one page-table tree whose table pages come from
// mm/frames. map() uses 2 MiB leaves wherever the virtual and physical
// addresses and the remaining length allow, 4 KiB leaves elsewhere; unmap()
// and protect() split a 2 MiB leaf when they change part of one.
//
// Range operations cost O(present leaves + the tables they visit), not
// O(pages in the range): not-present entries are skipped a whole table span
// at a time, so an 8 GiB reservation with nothing mapped costs a few steps.
//
// The kernel space (kernel_space()) identity-maps RAM; see README.md,
// "Memory map". Single CPU, no preemption: not locked.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "arch/paging.h"
#include "mm/types.h"

namespace silk::kernel::mm {

class AddressSpace {
 public:
  constexpr AddressSpace() = default;  // invalid until assigned from create()
  // An empty space (a zeroed root table); is_valid() is false when no frame
  // was left for the root.
  static AddressSpace create();

  bool is_valid() const { return !root_.is_null(); }
  PhysAddr root() const { return root_; }

  // Maps [{virt}, {virt} + {size}) to [{phys}, ...) with {flags}; all three
  // page aligned. Replaces existing mappings. False when a table frame could
  // not be allocated (the range may then be partly mapped).
  [[nodiscard]] bool map(VirtAddr virt, PhysAddr phys, uint64_t size, arch::PageFlags flags);
  // Removes the mappings in [{virt}, {virt} + {size}) (page aligned); holes
  // are fine. False only when splitting a large page needed a frame and none
  // was left.
  // Page tables whose whole span the range covers are released too.
  [[nodiscard]] bool unmap(VirtAddr virt, uint64_t size) { return edit(virt, size, Edit::kUnmap, {}, nullptr); }
  // The same, and hands the frames of the removed leaves back to mm/frames
  // (user memory: 4 KiB leaves came from frames::allocate*, 2 MiB leaves
  // from frames::allocate_large), except borrowed ones
  // (arch::PageFlags::borrowed), which are only unmapped. {released} (may be
  // null) gets the number of 4 KiB pages released (borrowed ones not
  // counted).
  [[nodiscard]] bool unmap_release(VirtAddr virt, uint64_t size, uint64_t* released = nullptr) {
    return edit(virt, size, Edit::kUnmapRelease, {}, released);
  }
  // Gives the present leaves in the range {flags}; holes stay holes, and
  // borrowed leaves stay borrowed and read-only.
  [[nodiscard]] bool protect(VirtAddr virt, uint64_t size, arch::PageFlags flags) {
    return edit(virt, size, Edit::kProtect, flags, nullptr);
  }
  // The physical address {virt} maps to, its flags and the size of the leaf
  // that maps it; false if unmapped.
  bool translate(VirtAddr virt, PhysAddr* phys, arch::PageFlags* flags = nullptr, uint64_t* leaf = nullptr) const;
  // True when nothing is mapped in the aligned span of leaf_size({level})
  // at {virt} (no leaf and no table there).
  bool is_hole(VirtAddr virt, int level) const;

  // Calls {fn} for the present leaves in [{virt}, {virt} + {size}), each
  // clipped to the range, lowest address first. {fn} may map elsewhere (not
  // inside the range). Stops early, returning false, when {fn} does.
  using Visitor = bool (*)(void* context, VirtAddr virt, PhysAddr phys, uint64_t size, arch::PageFlags flags);
  bool visit(VirtAddr virt, uint64_t size, Visitor fn, void* context) const;

  // Makes this the CPU's active space.
  void activate() const;
  bool is_active() const;

 private:
  enum class Edit { kUnmap, kUnmapRelease, kProtect };
  struct EditState;
  bool edit(VirtAddr virt, uint64_t size, Edit op, arch::PageFlags flags, uint64_t* released);
  bool edit_table(arch::PageTableEntry* table, int level, uint64_t base, uint64_t start, uint64_t end,
                  EditState& state);
  bool visit_table(const arch::PageTableEntry* table, int level, uint64_t base, uint64_t start, uint64_t end,
                   Visitor fn, void* context) const;
  explicit AddressSpace(PhysAddr root) : root_(root) {}
  // The entry that maps {virt} at {level}, creating tables on the way down
  // (and splitting large leaves above {level}); nullptr when out of frames.
  arch::PageTableEntry* walk_create(VirtAddr virt, int level);
  bool split_leaf(arch::PageTableEntry* entry, int level);

  PhysAddr root_{};
};

// Builds the kernel's space (identity map of the RAM below 4 GiB, W^X for the
// kernel image, page 0 and the boot-stack guard left unmapped) and activates
// it. Called once from kmain, before mm/frames::init: its table frames come
// from the frame allocator's early pool, which covers the low 4 GiB.
void kernel_space_init();
// Identity-maps the RAM at and above 4 GiB, after mm/frames::init.
void kernel_space_map_high_ram();
AddressSpace& kernel_space();

}  // namespace silk::kernel::mm
