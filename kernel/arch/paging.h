// Arch-neutral page-table interface (implemented in arch/x86_64/paging.cc).
//
// A page table is a radix tree of kPageTableLevels levels; level
// kPageTableLevels - 1 is the root, level 0 holds 4 KiB leaves. Levels 1
// (2 MiB) may also hold leaves. mm/address_space builds on these functions
// and never looks at entry bits itself.
#pragma once

#include <stdint.h>

#include "mm/types.h"

namespace silk::kernel::arch {

inline constexpr uint64_t kPageSize = 4096;
inline constexpr int kPageTableLevels = 4;
inline constexpr int kEntriesPerTable = 512;

struct PageFlags {
  bool writable = false;
  bool executable = false;
  bool user = false;
  // The frame is not the mapping's own (a file's page in the initrd, mapped
  // read-only): unmapping does not release it, and it never becomes
  // writable (a write copies it first). A software bit of the entry.
  bool borrowed = false;
  bool uncached = false;  // device memory (MMIO): no caching, no write combining
};

using PageTableEntry = uint64_t;

// Bytes mapped by one leaf at {level}: 4 KiB, 2 MiB, 1 GiB.
uint64_t leaf_size(int level);
// Whether a leaf may sit at {level} (0 and 1 here).
bool leaf_allowed(int level);
// Index into the table at {level} for {virt}.
unsigned table_index(VirtAddr virt, int level);
// True if {virt} is canonical (x86-64: bits 63..47 all equal).
bool is_canonical(VirtAddr virt);

PageTableEntry make_table_entry(PhysAddr table);
PageTableEntry make_leaf_entry(PhysAddr frame, PageFlags flags, int level);
// The leaf for the frame {offset} bytes after {first}'s, with its flags (a
// run of leaves is filled without re-encoding each).
inline PageTableEntry leaf_entry_advance(PageTableEntry first, uint64_t offset) { return first + offset; }
bool entry_present(PageTableEntry e);
bool entry_is_leaf(PageTableEntry e, int level);
PhysAddr entry_address(PageTableEntry e);
PageFlags entry_flags(PageTableEntry e);

// The root table the CPU uses now, and switching to another (flushes the TLB).
PhysAddr active_root();
void activate_root(PhysAddr root);
void flush_tlb_page(VirtAddr virt);

}  // namespace silk::kernel::arch
