#include "proc/memory.h"

#include "lib/string.h"
#include "mm/address_space.h"
#include "mm/frame_allocator.h"
#include "proc/user_clear.h"
#include "syscalls/syscalls.h"

namespace silk::kernel::proc::memory {
namespace {

using syscalls::kEacces;
using syscalls::kEexist;
using syscalls::kEfault;
using syscalls::kEinval;
using syscalls::kEnodev;
using syscalls::kEnomem;

constexpr uint64_t kPage = arch::kPageSize;
constexpr uint64_t kLarge = mm::frames::kLargeSize;
constexpr int kMapShared = 0x01, kMapPrivate = 0x02, kMapFixed = 0x10, kMapAnonymous = 0x20;
constexpr int kMapFixedNoReplace = 0x100000;
constexpr uint64_t kBrkMax = 1ull << 30;

struct Region {
  uint64_t start, end;  // page aligned, start < end
  int prot;
};
// Sorted by start, disjoint; neighbours that touch and agree are merged.
constexpr int kMaxRegions = 512;
Region g_regions[kMaxRegions];
int g_count = 0;

uint64_t g_low_lo = 0, g_low_hi = 0;
uint64_t g_brk_base = 0, g_brk = 0;
uint64_t g_present = 0;  // 4 KiB pages

mm::AddressSpace& space() { return mm::kernel_space(); }

arch::PageFlags flags_for(int prot) {
  // PROT_NONE keeps the page (and its contents) but only for the kernel: a
  // user access is a protection fault.
  return arch::PageFlags{.writable = (prot & kProtWrite) != 0, .executable = (prot & kProtExec) != 0,
                         .user = prot != 0};
}

uint64_t min(uint64_t a, uint64_t b) { return a < b ? a : b; }
uint64_t max(uint64_t a, uint64_t b) { return a > b ? a : b; }

bool allowed(uint64_t start, uint64_t end) {
  if (start >= end || end > kUserTop) return false;
  return start >= kUserMin || (start >= g_low_lo && end <= g_low_hi);
}

// The first region that ends after {address} (binary search): the one
// containing it, or the next one above it; g_count when there is none.
int first_ending_after(uint64_t address) {
  int lo = 0, hi = g_count;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (g_regions[mid].end <= address) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

Region* find(uint64_t address) {
  int i = first_ending_after(address);
  return i < g_count && g_regions[i].start <= address ? &g_regions[i] : nullptr;
}

bool overlaps_any(uint64_t start, uint64_t end) {
  int i = first_ending_after(start);
  return i < g_count && g_regions[i].start < end;
}

bool insert_at(int i, Region r) {
  if (g_count == kMaxRegions) return false;
  memmove(&g_regions[i + 1], &g_regions[i], (g_count - i) * sizeof(Region));
  g_regions[i] = r;
  ++g_count;
  return true;
}

void erase(int i, int n) {
  memmove(&g_regions[i], &g_regions[i + n], (g_count - i - n) * sizeof(Region));
  g_count -= n;
}

// Merges the regions [i, j] and their outer neighbours where they touch and
// have the same protection.
void merge(int i, int j) {
  if (i > 0) --i;
  if (j + 1 < g_count) ++j;
  for (int k = j; k > i; --k) {
    if (g_regions[k - 1].end == g_regions[k].start && g_regions[k - 1].prot == g_regions[k].prot) {
      g_regions[k - 1].end = g_regions[k].end;
      erase(k, 1);
    }
  }
}

// Puts a region boundary at {address} (splitting the region around it).
// False when a split needed a slot and none was left.
bool split_at(uint64_t address) {
  int i = first_ending_after(address);
  if (i == g_count || g_regions[i].start >= address) return true;
  Region r = g_regions[i];
  if (!insert_at(i + 1, Region{address, r.end, r.prot})) return false;
  g_regions[i].end = address;
  return true;
}

// Unmaps [start, end) and releases its frames: costs the present leaves and
// the tables they are in, not the size of the range.
void release_pages(uint64_t start, uint64_t end) {
  if (user_clear::covers_stub(start, end)) user_clear::forget();
  uint64_t released = 0;
  // Fails only when a 2 MiB leaf the range cuts needs a page-table frame to
  // be split and none is left; that leaf then stays mapped (and memory is
  // exhausted anyway).
  (void)space().unmap_release(VirtAddr{start}, end - start, &released);
  g_present -= released < g_present ? released : g_present;
}

// Removes [start, end) from the regions (splitting at the edges) and unmaps
// the pages that were there (only there: in the low range of an ET_EXEC the
// kernel's identity map fills the holes). False when a split needed a slot
// and none was left (nothing changed then).
bool carve(uint64_t start, uint64_t end) {
  int i = first_ending_after(start);
  if (i == g_count || g_regions[i].start >= end) return true;
  Region& first = g_regions[i];
  if (first.start < start && first.end > end) {  // inside one region: split it
    if (g_count == kMaxRegions) return false;
    release_pages(start, end);
    Region tail{end, first.end, first.prot};
    first.end = start;
    return insert_at(i + 1, tail);
  }
  if (first.start < start) {
    release_pages(start, first.end);
    first.end = start;
    ++i;
  }
  int n = 0;
  for (; i + n < g_count && g_regions[i + n].end <= end; ++n) {
    release_pages(g_regions[i + n].start, g_regions[i + n].end);
  }
  erase(i, n);
  if (i < g_count && g_regions[i].start < end) {
    release_pages(g_regions[i].start, end);
    g_regions[i].start = end;
  }
  return true;
}

// Maps {phys} ({size} bytes: a frame or a block) at {virt} for region {r}
// as zeroed memory: fresh memory as it is; recycled memory cleared from
// ring 3 through the stub when {frame} (a ring-3 fault) allows, else here.
bool map_zeroed(uint64_t virt, PhysAddr phys, uint64_t size, bool zero, const Region& r, arch::TrapFrame* frame) {
  bool via_stub = !zero && frame != nullptr && user_clear::available();
  if (!zero && !via_stub) memset(phys_to_virt<void>(phys), 0, size);
  if (!space().map(VirtAddr{virt}, phys, size, flags_for(via_stub ? kProtRead | kProtWrite : r.prot))) return false;
  g_present += size / kPage;
  if (via_stub) user_clear::start(frame, virt, size, r.prot);
  return true;
}

// Demand paging at {address}: a 2 MiB block when the region covers the
// whole aligned 2 MiB around it and nothing is mapped there yet, else a
// 4 KiB page. Large leaves keep faults and page-table work 512 times fewer
// for big mappings (kvm-pvm emulates every ring-0 instruction, so that is
// where the time goes).
bool fault_in(uint64_t address, const Region& r, arch::TrapFrame* frame) {
  bool zero;
  uint64_t block = align_down(address, kLarge);
  if (block >= r.start && block + kLarge <= r.end && space().is_hole(VirtAddr{block}, 1)) {
    PhysAddr large = mm::frames::allocate_large_uncleared(&zero);
    if (!large.is_null()) {
      if (map_zeroed(block, large, kLarge, zero, r, frame)) return true;
      mm::frames::release_large(large);
    }
  }
  PhysAddr page = mm::frames::allocate_uncleared(&zero);
  if (page.is_null()) return false;
  if (map_zeroed(align_down(address, kPage), page, kPage, zero, r, frame)) return true;
  mm::frames::release(page);
  return false;
}

// Whether [start, start + size) may hold a new mapping: no region there and
// clear of the brk area's room to grow.
bool is_free(uint64_t start, uint64_t size) {
  uint64_t end = start + size;
  if (end < start || !allowed(start, end) || overlaps_any(start, end)) return false;
  return g_brk_base == 0 || end <= g_brk_base || start >= g_brk_base + kBrkMax;
}

// A free range of {size} bytes for mmap without MAP_FIXED: the hint when it
// is free, else the highest gap below kMmapTop (2 MiB aligned from 2 MiB
// up, so large leaves fit). 0 when there is none. O(regions).
uint64_t find_free(uint64_t hint, uint64_t size) {
  if (hint != 0 && hint % kPage == 0 && hint >= kUserMin && is_free(hint, size)) return hint;
  uint64_t align = size >= kLarge ? kLarge : kPage;
  uint64_t hi = kMmapTop;
  for (int i = g_count - 1; i >= -1; --i) {
    uint64_t lo = i >= 0 ? max(g_regions[i].end, kUserMin) : kUserMin;
    // The brk area splits a gap: try above it, then below it.
    for (int part = 0; part < 2 && hi > lo && hi - lo >= size; ++part) {
      uint64_t candidate = align_down(hi - size, align);
      if (candidate >= lo && is_free(candidate, size)) return candidate;
      if (g_brk_base == 0 || g_brk_base >= hi || g_brk_base + kBrkMax <= lo) break;
      hi = g_brk_base;
    }
    if (i >= 0) hi = min(hi, g_regions[i].start);
  }
  return 0;
}

// mremap's move: maps every present leaf of [from, from + size) at the same
// offset from {to} (large leaves stay large where {to} keeps them aligned),
// then unmaps the old range without releasing the frames.
struct Move {
  uint64_t from, to;
  bool ok;
};
bool move_leaf(void* context, VirtAddr virt, PhysAddr phys, uint64_t size, arch::PageFlags flags) {
  auto* m = static_cast<Move*>(context);
  m->ok = space().map(VirtAddr{m->to + (virt.value - m->from)}, phys, size, flags);
  return m->ok;
}

}  // namespace

void allow_low_range(uint64_t lo, uint64_t hi) {
  g_low_lo = lo;
  g_low_hi = hi;
}

bool add_region(uint64_t start, uint64_t size, int prot) {
  uint64_t end = start + size;
  if (!allowed(start, end) || start % kPage != 0 || size % kPage != 0) return false;
  if (!carve(start, end)) return false;
  // Below kUserMin the kernel's identity map of (reserved) RAM is there:
  // user pages replace it (proc/elf_loader.h).
  if (start < kUserMin && !space().unmap(VirtAddr{start}, size)) return false;
  int i = first_ending_after(start);
  if (!insert_at(i, Region{start, end, prot})) return false;
  merge(i, i);
  return true;
}

bool map_page(uint64_t page, PhysAddr frame, int prot) {
  if (!space().map(VirtAddr{page}, frame, kPage, flags_for(prot))) return false;
  ++g_present;
  return true;
}

Fault handle_fault(uint64_t address, uint64_t error, arch::TrapFrame* frame) {
  Region* r = find(address);
  if (r == nullptr) return Fault::kUnmapped;
  if ((error & 1) != 0) return Fault::kDenied;  // present: a protection violation
  bool write = (error & 2) != 0, fetch = (error & 16) != 0;
  if (write && (r->prot & kProtWrite) == 0) return Fault::kDenied;
  if (fetch && (r->prot & kProtExec) == 0) return Fault::kDenied;
  if (r->prot == 0) return Fault::kDenied;
  return fault_in(address, *r, frame) ? Fault::kResolved : Fault::kNoMemory;
}

bool prepare(uint64_t address, uint64_t size, bool write) {
  if (size == 0) return true;
  uint64_t end = address + size;
  if (end < address || end > kUserTop) return false;
  const int need = write ? kProtWrite : kProtRead | kProtWrite;
  uint64_t page = align_down(address, kPage);
  while (page < end) {
    // A present user leaf carries its region's protection (PROT_NONE pages
    // are supervisor-only), so it answers without the region lookup.
    PhysAddr phys;
    arch::PageFlags flags;
    uint64_t leaf;
    if (space().translate(VirtAddr{page}, &phys, &flags, &leaf) && flags.user && (!write || flags.writable)) {
      page = align_down(page, leaf) + leaf;
      continue;
    }
    Region* r = find(page);
    if (r == nullptr || (r->prot & need) == 0) return false;
    if (!space().translate(VirtAddr{page}, &phys) && !fault_in(page, *r, nullptr)) return false;
    page += kPage;
  }
  return true;
}

void set_brk_base(uint64_t base) { g_brk_base = g_brk = base; }

int64_t brk(uint64_t address) {
  if (address < g_brk_base || address > g_brk_base + kBrkMax) return static_cast<int64_t>(g_brk);
  uint64_t old_end = align_up(g_brk, kPage), new_end = align_up(address, kPage);
  if (new_end > old_end) {
    // Growing into another mapping fails, as on Linux.
    if (overlaps_any(old_end, new_end) || !add_region(old_end, new_end - old_end, kProtRead | kProtWrite)) {
      return static_cast<int64_t>(g_brk);
    }
  } else if (new_end < old_end) {
    if (!carve(new_end, old_end)) return static_cast<int64_t>(g_brk);
  }
  g_brk = address;
  return static_cast<int64_t>(g_brk);
}

int64_t mmap(uint64_t address, uint64_t size, int prot, int flags, int fd, uint64_t offset) {
  if ((flags & kMapAnonymous) == 0) return -kEnodev;  // file mappings come with files
  if ((flags & (kMapShared | kMapPrivate)) == 0 || size == 0) return -kEinval;
  if (size > kUserTop) return -kEnomem;
  if ((prot & kProtWrite) != 0 && (prot & kProtExec) != 0) return -kEacces;  // W^X
  size = align_up(size, kPage);
  if ((flags & (kMapFixed | kMapFixedNoReplace)) != 0) {
    if (address % kPage != 0 || !allowed(address, address + size)) return -kEinval;
    if ((flags & kMapFixedNoReplace) != 0 && overlaps_any(address, address + size)) return -kEexist;
  } else {
    address = find_free(address, size);
    if (address == 0) return -kEnomem;
  }
  if (!add_region(address, size, prot)) return -kEnomem;
  return static_cast<int64_t>(address);
}

int64_t munmap(uint64_t address, uint64_t size) {
  if (address % kPage != 0 || size == 0) return -kEinval;
  size = align_up(size, kPage);
  if (!allowed(address, address + size)) return -kEinval;
  return carve(address, address + size) ? 0 : -kEnomem;
}

int64_t mprotect(uint64_t address, uint64_t size, int prot) {
  if (address % kPage != 0) return -kEinval;
  if ((prot & kProtWrite) != 0 && (prot & kProtExec) != 0) return -kEacces;  // W^X
  size = align_up(size, kPage);
  if (size == 0) return 0;
  uint64_t end = address + size;
  if (end < address || !allowed(address, end)) return -kEnomem;
  // Every byte must be mapped: the regions from the first one must touch.
  int i = first_ending_after(address);
  uint64_t covered_to = address;
  for (int k = i; k < g_count && g_regions[k].start <= covered_to && covered_to < end; ++k) {
    covered_to = g_regions[k].end;
  }
  if (covered_to < end) return -kEnomem;
  // A failed split leaves two halves with the same protection: harmless.
  if (!split_at(address) || !split_at(end)) return -kEnomem;
  i = first_ending_after(address);
  int j = i;
  while (j + 1 < g_count && g_regions[j + 1].start < end) ++j;
  for (int k = i; k <= j; ++k) g_regions[k].prot = prot;
  merge(i, j);
  return space().protect(VirtAddr{address}, size, flags_for(prot)) ? 0 : -kEnomem;
}

int64_t madvise(uint64_t address, uint64_t size, int advice) {
  constexpr int kDontNeed = 4, kFree = 8, kRemove = 9, kMaxAdvice = 25;
  if (address % kPage != 0 || advice < 0 || advice > kMaxAdvice) return -kEinval;
  size = align_up(size, kPage);
  if (size == 0) return 0;
  uint64_t end = address + size;
  if (end < address || end > kUserTop) return -kEinval;
  if (advice == kRemove) return -kEinval;  // shared file mappings only
  bool gaps = false;
  uint64_t at = address;
  for (int i = first_ending_after(address); i < g_count && g_regions[i].start < end; ++i) {
    if (g_regions[i].start > at) gaps = true;
    // MADV_DONTNEED on private anonymous memory: the pages go, and the next
    // touch maps zeroed ones (MADV_FREE may do the same).
    if (advice == kDontNeed || advice == kFree) release_pages(max(at, g_regions[i].start), min(end, g_regions[i].end));
    at = g_regions[i].end;
  }
  return gaps || at < end ? -kEnomem : 0;
}

int64_t mremap(uint64_t old_address, uint64_t old_size, uint64_t new_size, int flags, uint64_t new_address) {
  constexpr int kMayMove = 1, kFixed = 2;
  if (old_address % kPage != 0 || (flags & ~(kMayMove | kFixed)) != 0) return -kEinval;
  if ((flags & kFixed) != 0 && (flags & kMayMove) == 0) return -kEinval;
  old_size = align_up(old_size, kPage);
  new_size = align_up(new_size, kPage);
  if (new_size == 0 || old_size == 0) return -kEinval;  // old_size 0 duplicates shared mappings only
  Region* r = find(old_address);
  if (r == nullptr || old_address + old_size > r->end || old_address + old_size < old_address) return -kEfault;
  int prot = r->prot;
  uint64_t to;
  if ((flags & kFixed) != 0) {
    to = new_address;
    if (to % kPage != 0 || !allowed(to, to + new_size)) return -kEinval;
    if (to < old_address + old_size && old_address < to + new_size) return -kEinval;
    if (!carve(to, to + new_size)) return -kEnomem;
  } else if (new_size <= old_size) {
    if (!carve(old_address + new_size, old_address + old_size)) return -kEnomem;
    return static_cast<int64_t>(old_address);
  } else if (is_free(old_address + old_size, new_size - old_size)) {
    if (!add_region(old_address + old_size, new_size - old_size, prot)) return -kEnomem;
    return static_cast<int64_t>(old_address);
  } else if ((flags & kMayMove) == 0) {
    return -kEnomem;
  } else {
    to = find_free(0, new_size);
    if (to == 0) return -kEnomem;
  }
  uint64_t moved = min(old_size, new_size);
  if (!add_region(to, new_size, prot)) return -kEnomem;
  Move m{old_address, to, true};
  space().visit(VirtAddr{old_address}, moved, &move_leaf, &m);
  if (!m.ok || !space().unmap(VirtAddr{old_address}, moved)) return -kEnomem;
  carve(old_address, old_address + old_size);  // whatever was not moved is released
  return static_cast<int64_t>(to);
}

void set_page_protection(uint64_t address, uint64_t size, int prot) {
  (void)space().protect(VirtAddr{address}, size, flags_for(prot));  // whole leaves: no split, cannot fail
}

uint64_t present_pages() { return g_present; }

}  // namespace silk::kernel::proc::memory
