#include "mm/address_space.h"

#include "arch/exceptions.h"
#include "lib/panic.h"
#include "mm/frame_allocator.h"
#include "platform/platform.h"

extern "C" {
// From the linker script and entry64.S.
extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];
extern char boot_stack_guard[], boot_stack_bottom[];
}

namespace silk::kernel::mm {
namespace {

using arch::PageTableEntry;

PageTableEntry* table_at(PhysAddr p) { return phys_to_virt<PageTableEntry>(p); }

constexpr uint64_t kLowLimit = 4 * kGiB;
constexpr arch::PageFlags kData{.writable = true, .executable = false};

AddressSpace g_kernel_space;

// Identity-maps the RAM in [{low}, {high}), read/write, no-execute; page 0
// stays unmapped (null pointers fault).
bool map_ram(AddressSpace& space, uint64_t low, uint64_t high) {
  bool ok = true;
  platform::MemoryMap ram = platform::memory_map();
  for (size_t i = 0; i < ram.count; ++i) {
    uint64_t base = align_up(ram.regions[i].base, arch::kPageSize);
    uint64_t end = align_down(ram.regions[i].base + ram.regions[i].size, arch::kPageSize);
    if (base < low) base = low;
    if (end > high) end = high;
    if (base == 0) base = arch::kPageSize;
    if (end > base) ok &= space.map(VirtAddr{base}, PhysAddr{base}, end - base, kData);
  }
  return ok;
}

}  // namespace

AddressSpace AddressSpace::create() { return AddressSpace(frames::allocate_zeroed()); }

bool AddressSpace::split_leaf(PageTableEntry* entry, int level) {
  // Replace a leaf of leaf_size(level) by a table of leaves one level down
  // with the same flags.
  PhysAddr table = frames::allocate();
  if (table.is_null()) return false;
  PhysAddr base = arch::entry_address(*entry);
  arch::PageFlags flags = arch::entry_flags(*entry);
  uint64_t step = arch::leaf_size(level - 1);
  PageTableEntry* t = table_at(table);
  PageTableEntry first = arch::make_leaf_entry(base, flags, level - 1);
  for (int i = 0; i < arch::kEntriesPerTable; ++i) t[i] = arch::leaf_entry_advance(first, i * step);
  *entry = arch::make_table_entry(table);
  return true;
}

PageTableEntry* AddressSpace::walk_create(VirtAddr virt, int level) {
  PageTableEntry* table = table_at(root_);
  for (int l = arch::kPageTableLevels - 1; l > level; --l) {
    PageTableEntry* e = &table[arch::table_index(virt, l)];
    if (!arch::entry_present(*e)) {
      PhysAddr t = frames::allocate_zeroed();
      if (t.is_null()) return nullptr;
      *e = arch::make_table_entry(t);
    } else if (arch::entry_is_leaf(*e, l)) {
      if (!split_leaf(e, l)) return nullptr;
    }
    table = table_at(arch::entry_address(*e));
  }
  return &table[arch::table_index(virt, level)];
}

bool AddressSpace::map(VirtAddr virt, PhysAddr phys, uint64_t size, arch::PageFlags flags) {
  SILK_EXPECTS(virt.value % arch::kPageSize == 0 && phys.value % arch::kPageSize == 0 &&
               size % arch::kPageSize == 0);
  bool active = is_active();
  while (size > 0) {
    int level = 0;
    uint64_t large = arch::leaf_size(1);
    if (arch::leaf_allowed(1) && virt.value % large == 0 && phys.value % large == 0 && size >= large) level = 1;
    PageTableEntry* e = walk_create(virt, level);
    if (e == nullptr) return false;
    // Fill the run of leaves in this table in one go (one walk per table,
    // not per page: boot maps hundreds of 4 KiB pages).
    uint64_t step = arch::leaf_size(level);
    unsigned index = arch::table_index(virt, level);
    uint64_t run = (arch::kEntriesPerTable - index) * step;
    if (run > size) run = size;
    if (level > 0) run = step;  // large leaves: one at a time (alignment may end)
    PageTableEntry first = arch::make_leaf_entry(phys, flags, level);
    for (uint64_t off = 0; off < run; off += step, ++e) {
      // A table here (from earlier 4 KiB mappings) is dropped for the large
      // leaf; its frame is released.
      if (level > 0 && arch::entry_present(*e) && !arch::entry_is_leaf(*e, level)) {
        frames::release(arch::entry_address(*e));
      }
      // A not-present entry is never cached in the TLB (Intel SDM vol. 3A,
      // 4.10.2.3): only replacing a present one needs invlpg, which is
      // costly where the hypervisor shadows the page tables (PVM).
      bool was_present = arch::entry_present(*e);
      *e = arch::leaf_entry_advance(first, off);
      if (active && was_present) arch::flush_tlb_page(virt.offset(off));
    }
    virt = virt.offset(run);
    phys = phys.offset(run);
    size -= run;
  }
  return true;
}

struct AddressSpace::EditState {
  Edit op;
  arch::PageFlags flags;
  bool active;
  uint64_t released = 0;  // 4 KiB pages
  uint64_t flushes = 0;
  bool flush_all = false;
};

namespace {

constexpr uint64_t kFlushOneByOne = 32;  // more leaves than this: one full flush at the end

// The span of one entry of a table at {level}, and of the whole table.
uint64_t table_span(int level) { return arch::leaf_size(level) * arch::kEntriesPerTable; }

}  // namespace

bool AddressSpace::edit_table(PageTableEntry* table, int level, uint64_t base, uint64_t start, uint64_t end,
                              EditState& st) {
  const uint64_t span = arch::leaf_size(level);
  const uint64_t lo = start > base ? start : base;
  const uint64_t hi = end < base + table_span(level) ? end : base + table_span(level);
  for (uint64_t entry_base = base + (lo - base) / span * span; entry_base < hi; entry_base += span) {
    PageTableEntry* e = &table[(entry_base - base) / span];
    if (!arch::entry_present(*e)) continue;
    uint64_t a = lo > entry_base ? lo : entry_base;
    uint64_t b = hi < entry_base + span ? hi : entry_base + span;
    bool whole = a == entry_base && b == entry_base + span;
    if (arch::entry_is_leaf(*e, level)) {
      if (whole) {
        // A borrowed leaf (a file's page in the initrd) is not the
        // mapping's own: it stays borrowed and read-only under a protect and
        // is never released (nor counted as released).
        bool borrowed = arch::entry_flags(*e).borrowed;
        if (st.op == Edit::kProtect) {
          arch::PageFlags leaf = st.flags;
          leaf.borrowed = borrowed;  // make_leaf_entry keeps it read-only
          *e = arch::make_leaf_entry(arch::entry_address(*e), leaf, level);
        } else {
          if (st.op == Edit::kUnmapRelease && !borrowed) {
            if (level == 0) frames::release(arch::entry_address(*e));
            if (level == 1) frames::release_large(arch::entry_address(*e));
            st.released += span / arch::kPageSize;
          }
          *e = 0;
        }
        if (st.active && ++st.flushes <= kFlushOneByOne) arch::flush_tlb_page(VirtAddr{entry_base});
        continue;
      }
      // Part of a large leaf: split it, then edit the part in the new table.
      if (!split_leaf(e, level)) return false;
    }
    if (!edit_table(table_at(arch::entry_address(*e)), level - 1, entry_base, a, b, st)) return false;
    if (whole && st.op != Edit::kProtect) {
      // Every leaf below is gone: the table itself goes too.
      frames::release(arch::entry_address(*e));
      *e = 0;
      st.flush_all = true;
    }
  }
  return true;
}

bool AddressSpace::edit(VirtAddr virt, uint64_t size, Edit op, arch::PageFlags flags, uint64_t* released) {
  SILK_EXPECTS(virt.value % arch::kPageSize == 0 && size % arch::kPageSize == 0);
  EditState st{op, flags, is_active()};
  bool ok = edit_table(table_at(root_), arch::kPageTableLevels - 1, 0, virt.value, virt.value + size, st);
  if (st.active && (st.flush_all || st.flushes > kFlushOneByOne)) arch::flush_tlb_all();
  if (released != nullptr) *released = st.released;
  return ok;
}

bool AddressSpace::visit_table(const PageTableEntry* table, int level, uint64_t base, uint64_t start,
                               uint64_t end, Visitor fn, void* context) const {
  const uint64_t span = arch::leaf_size(level);
  const uint64_t lo = start > base ? start : base;
  const uint64_t hi = end < base + table_span(level) ? end : base + table_span(level);
  for (uint64_t entry_base = base + (lo - base) / span * span; entry_base < hi; entry_base += span) {
    PageTableEntry e = table[(entry_base - base) / span];
    if (!arch::entry_present(e)) continue;
    uint64_t a = lo > entry_base ? lo : entry_base;
    uint64_t b = hi < entry_base + span ? hi : entry_base + span;
    if (arch::entry_is_leaf(e, level)) {
      if (!fn(context, VirtAddr{a}, arch::entry_address(e).offset(a - entry_base), b - a, arch::entry_flags(e))) {
        return false;
      }
      continue;
    }
    if (!visit_table(table_at(arch::entry_address(e)), level - 1, entry_base, a, b, fn, context)) return false;
  }
  return true;
}

bool AddressSpace::visit(VirtAddr virt, uint64_t size, Visitor fn, void* context) const {
  return visit_table(table_at(root_), arch::kPageTableLevels - 1, 0, virt.value, virt.value + size, fn, context);
}

bool AddressSpace::is_hole(VirtAddr virt, int level) const {
  const PageTableEntry* table = table_at(root_);
  for (int l = arch::kPageTableLevels - 1; l >= level; --l) {
    PageTableEntry e = table[arch::table_index(virt, l)];
    if (!arch::entry_present(e)) return true;
    if (l == level || arch::entry_is_leaf(e, l)) return false;
    table = table_at(arch::entry_address(e));
  }
  return false;
}

bool AddressSpace::translate(VirtAddr virt, PhysAddr* phys, arch::PageFlags* flags, uint64_t* leaf) const {
  if (!arch::is_canonical(virt)) return false;
  const PageTableEntry* table = table_at(root_);
  for (int level = arch::kPageTableLevels - 1; level >= 0; --level) {
    PageTableEntry e = table[arch::table_index(virt, level)];
    if (!arch::entry_present(e)) return false;
    if (arch::entry_is_leaf(e, level)) {
      *phys = arch::entry_address(e).offset(virt.value % arch::leaf_size(level));
      if (flags != nullptr) *flags = arch::entry_flags(e);
      if (leaf != nullptr) *leaf = arch::leaf_size(level);
      return true;
    }
    table = table_at(arch::entry_address(e));
  }
  return false;
}

void AddressSpace::activate() const { arch::activate_root(root_); }
bool AddressSpace::is_active() const { return arch::active_root() == root_; }

void kernel_space_init() {
  g_kernel_space = AddressSpace::create();
  AddressSpace& space = g_kernel_space;
  if (!space.is_valid()) panic("mm: no frame for the kernel page table");

  const uint64_t kernel_start = reinterpret_cast<uint64_t>(__kernel_start);
  const uint64_t text_end = reinterpret_cast<uint64_t>(__text_end);
  const uint64_t rodata_end = reinterpret_cast<uint64_t>(__rodata_end);
  const uint64_t kernel_end = reinterpret_cast<uint64_t>(__kernel_end);
  const uint64_t guard = reinterpret_cast<uint64_t>(boot_stack_guard);
  const uint64_t guard_end = reinterpret_cast<uint64_t>(boot_stack_bottom);

  bool ok = map_ram(space, 0, kLowLimit);
  // The image: text R-X, rodata R--, data and bss RW- (W^X), minus the guard.
  ok &= space.map(VirtAddr{kernel_start}, PhysAddr{kernel_start}, text_end - kernel_start,
                  arch::PageFlags{.writable = false, .executable = true});
  ok &= space.map(VirtAddr{text_end}, PhysAddr{text_end}, rodata_end - text_end, arch::PageFlags{});
  ok &= space.map(VirtAddr{rodata_end}, PhysAddr{rodata_end}, kernel_end - rodata_end, kData);
  ok &= space.unmap(VirtAddr{guard}, guard_end - guard);
  if (!ok) panic("mm: out of frames for the kernel page tables");
  arch::set_stack_guard(guard, guard_end - guard);
  space.activate();
}

void kernel_space_map_high_ram() {
  if (!map_ram(g_kernel_space, kLowLimit, ~uint64_t{0})) panic("mm: out of frames mapping RAM above 4 GiB");
}

AddressSpace& kernel_space() { return g_kernel_space; }

}  // namespace silk::kernel::mm
