#include "proc/memory.h"

#include "lib/string.h"
#include "mm/address_space.h"
#include "mm/frame_allocator.h"
#include "syscalls/syscalls.h"

namespace silk::kernel::proc::memory {
namespace {

using syscalls::kEexist;
using syscalls::kEinval;
using syscalls::kEnodev;
using syscalls::kEnomem;
constexpr int64_t kEacces = 13;

constexpr uint64_t kPage = arch::kPageSize;
constexpr int kMapShared = 0x01, kMapPrivate = 0x02, kMapFixed = 0x10, kMapAnonymous = 0x20;
constexpr int kMapFixedNoReplace = 0x100000;
constexpr uint64_t kBrkMax = 1ull << 30;

struct Region {
  uint64_t start, end;  // page aligned, start < end; empty slot when end == 0
  int prot;
};
constexpr int kMaxRegions = 512;
Region g_regions[kMaxRegions];
int g_region_count = 0;  // slots in use (holes are compacted away)

uint64_t g_low_lo = 0, g_low_hi = 0;
uint64_t g_brk_base = 0, g_brk = 0;
uint64_t g_mmap_next = kMmapTop;
uint64_t g_present = 0;

mm::AddressSpace& space() { return mm::kernel_space(); }

arch::PageFlags flags_for(int prot) {
  // PROT_NONE keeps the page (and its contents) but only for the kernel: a
  // user access is a protection fault.
  return arch::PageFlags{.writable = (prot & kProtWrite) != 0, .executable = (prot & kProtExec) != 0,
                         .user = prot != 0};
}

bool allowed(uint64_t start, uint64_t end) {
  if (start >= end || end > kUserTop) return false;
  return start >= kUserMin || (start >= g_low_lo && end <= g_low_hi);
}

Region* find(uint64_t address) {
  for (int i = 0; i < g_region_count; ++i) {
    if (address >= g_regions[i].start && address < g_regions[i].end) return &g_regions[i];
  }
  return nullptr;
}

uint64_t covered(uint64_t start, uint64_t end) {
  uint64_t bytes = 0;
  for (int i = 0; i < g_region_count; ++i) {
    uint64_t a = g_regions[i].start > start ? g_regions[i].start : start;
    uint64_t b = g_regions[i].end < end ? g_regions[i].end : end;
    if (a < b) bytes += b - a;
  }
  return bytes;
}

// Removes [start, end) from the regions (splitting at the edges) and unmaps
// the pages that were there, releasing their frames. False when a split
// needed a slot and none was left (nothing changed then).
bool carve(uint64_t start, uint64_t end) {
  int splits = 0;
  for (int i = 0; i < g_region_count; ++i) {
    if (g_regions[i].start < start && g_regions[i].end > end) ++splits;
  }
  if (g_region_count + splits > kMaxRegions) return false;
  for (int i = 0; i < g_region_count;) {
    Region r = g_regions[i];
    uint64_t a = r.start > start ? r.start : start;
    uint64_t b = r.end < end ? r.end : end;
    if (a >= b) {
      ++i;
      continue;
    }
    if (!space().unmap_release(VirtAddr{a}, b - a)) return false;
    if (r.start < a && r.end > b) {
      g_regions[i].end = a;
      g_regions[g_region_count++] = Region{b, r.end, r.prot};
      ++i;
    } else if (r.start < a) {
      g_regions[i++].end = a;
    } else if (r.end > b) {
      g_regions[i++].start = b;
    } else {
      g_regions[i] = g_regions[--g_region_count];  // fully removed
    }
  }
  return true;
}

bool populate(uint64_t page, int prot) {
  PhysAddr frame = mm::frames::allocate_zeroed();
  if (frame.is_null()) return false;
  if (!space().map(VirtAddr{page}, frame, kPage, flags_for(prot))) {
    mm::frames::release(frame);
    return false;
  }
  ++g_present;
  return true;
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
  // Extend a neighbour with the same protection (brk grows page by page).
  for (int i = 0; i < g_region_count; ++i) {
    if (g_regions[i].end == start && g_regions[i].prot == prot) {
      g_regions[i].end = end;
      return true;
    }
  }
  if (g_region_count == kMaxRegions) return false;
  g_regions[g_region_count++] = Region{start, end, prot};
  return true;
}

bool map_page(uint64_t page, PhysAddr frame, int prot) {
  if (!space().map(VirtAddr{page}, frame, kPage, flags_for(prot))) return false;
  ++g_present;
  return true;
}

Fault handle_fault(uint64_t address, uint64_t error) {
  Region* r = find(address);
  if (r == nullptr) return Fault::kUnmapped;
  if ((error & 1) != 0) return Fault::kDenied;  // present: a protection violation
  bool write = (error & 2) != 0, fetch = (error & 16) != 0;
  if (write && (r->prot & kProtWrite) == 0) return Fault::kDenied;
  if (fetch && (r->prot & kProtExec) == 0) return Fault::kDenied;
  if (r->prot == 0) return Fault::kDenied;
  return populate(address & ~(kPage - 1), r->prot) ? Fault::kResolved : Fault::kNoMemory;
}

bool prepare(uint64_t address, uint64_t size, bool write) {
  if (size == 0) return true;
  if (address + size < address || address + size > kUserTop) return false;
  for (uint64_t page = address & ~(kPage - 1); page < address + size; page += kPage) {
    Region* r = find(page);
    if (r == nullptr || (r->prot & (write ? kProtWrite : kProtRead | kProtWrite)) == 0) return false;
    PhysAddr phys;
    if (!space().translate(VirtAddr{page}, &phys) && !populate(page, r->prot)) return false;
  }
  return true;
}

void set_brk_base(uint64_t base) { g_brk_base = g_brk = base; }

int64_t brk(uint64_t address) {
  if (address < g_brk_base || address > g_brk_base + kBrkMax) return static_cast<int64_t>(g_brk);
  uint64_t old_end = align_up(g_brk, kPage), new_end = align_up(address, kPage);
  if (new_end > old_end) {
    if (!add_region(old_end, new_end - old_end, kProtRead | kProtWrite)) return static_cast<int64_t>(g_brk);
  } else if (new_end < old_end) {
    if (!carve(new_end, old_end)) return static_cast<int64_t>(g_brk);
  }
  g_brk = address;
  return static_cast<int64_t>(g_brk);
}

int64_t mmap(uint64_t address, uint64_t size, int prot, int flags, int fd, uint64_t offset) {
  if ((flags & kMapAnonymous) == 0) return -kEnodev;  // file mappings come with files
  if ((flags & (kMapShared | kMapPrivate)) == 0 || size == 0 || size > kUserTop) return -kEinval;
  if ((prot & kProtWrite) != 0 && (prot & kProtExec) != 0) return -kEacces;  // W^X
  size = align_up(size, kPage);
  if ((flags & (kMapFixed | kMapFixedNoReplace)) != 0) {
    if (address % kPage != 0 || !allowed(address, address + size)) return -kEinval;
    if ((flags & kMapFixedNoReplace) != 0 && covered(address, address + size) != 0) return -kEexist;
  } else {
    // Hints are ignored: top-down, never reusing addresses (yet).
    if (g_mmap_next - kUserMin < size) return -kEnomem;
    address = g_mmap_next - size;
    g_mmap_next = address;
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
  if (!allowed(address, end) || covered(address, end) != size) return -kEnomem;
  // Split at the edges and give the pieces inside the new protection.
  int splits = 0;
  for (int i = 0; i < g_region_count; ++i) {
    Region& r = g_regions[i];
    if (r.start < address && r.end > address) ++splits;
    if (r.start < end && r.end > end) ++splits;
  }
  if (g_region_count + splits > kMaxRegions) return -kEnomem;
  for (int i = 0; i < g_region_count; ++i) {
    Region r = g_regions[i];
    if (r.start < address && r.end > address) {
      g_regions[i].end = address;
      g_regions[g_region_count++] = Region{address, r.end, r.prot};
    }
  }
  for (int i = 0; i < g_region_count; ++i) {
    Region r = g_regions[i];
    if (r.start < end && r.end > end) {
      g_regions[i].end = end;
      g_regions[g_region_count++] = Region{end, r.end, r.prot};
    }
  }
  for (int i = 0; i < g_region_count; ++i) {
    if (g_regions[i].start >= address && g_regions[i].end <= end) g_regions[i].prot = prot;
  }
  return space().protect(VirtAddr{address}, size, flags_for(prot)) ? 0 : -kEnomem;
}

uint64_t present_pages() { return g_present; }

}  // namespace silk::kernel::proc::memory
