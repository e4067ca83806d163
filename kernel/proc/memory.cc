#include "proc/memory.h"

#include "fs/devices.h"
#include "fs/file.h"
#include "fs/file_data.h"
#include "fs/node.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/address_space.h"
#include "mm/frame_allocator.h"

namespace silk::kernel::proc::memory {
namespace {

constexpr uint64_t kPage = arch::kPageSize;
constexpr int kMapShared = 0x01, kMapPrivate = 0x02, kMapType = 0x03, kMapFixed = 0x10, kMapAnonymous = 0x20;
constexpr int kMapFixedNoReplace = 0x100000;
constexpr uint64_t kBrkMax = 1ull << 30;
constexpr uint64_t kFaultAround = 16 * kPage;  // Linux's fault_around_bytes

struct Region {
  uint64_t start, end;  // page aligned, start < end
  uint64_t offset;      // kFile: the file offset at start (page aligned)
  uint64_t zero_from;   // kFile: addresses from here on read as zero
  fs::Node* node;       // kFile: referenced
  int prot;
  RegionKind kind;
  bool shared;
  bool touched;  // a page was made present since the region was added: munmap must walk the page tables
};
constexpr int kMaxRegions = 512;
Region g_regions[kMaxRegions];  // sorted by start, never overlapping
int g_count = 0;

uint64_t g_low_lo = 0, g_low_hi = 0;
uint64_t g_brk_base = 0, g_brk = 0;
uint64_t g_mmap_next = kMmapTop;
uint64_t g_present = 0;

mm::AddressSpace& space() { return mm::kernel_space(); }
uint64_t min(uint64_t a, uint64_t b) { return a < b ? a : b; }

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

// The index of the first region ending above {address} (g_count if none):
// ends are sorted too, since regions do not overlap.
int first_ending_above(uint64_t address) {
  int lo = 0, hi = g_count;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (g_regions[mid].end > address) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

Region* find(uint64_t address) {
  int i = first_ending_above(address);
  return i < g_count && g_regions[i].start <= address ? &g_regions[i] : nullptr;
}

uint64_t covered(uint64_t start, uint64_t end) {
  uint64_t bytes = 0;
  for (int i = first_ending_above(start); i < g_count && g_regions[i].start < end; ++i) {
    bytes += min(g_regions[i].end, end) - (g_regions[i].start > start ? g_regions[i].start : start);
  }
  return bytes;
}

void insert_at(int i, const Region& r) {
  memmove(&g_regions[i + 1], &g_regions[i], (g_count - i) * sizeof(Region));
  g_regions[i] = r;
  ++g_count;
  if (r.node != nullptr) fs::ref(r.node);
}

void erase_at(int i) {
  fs::Node* node = g_regions[i].node;
  memmove(&g_regions[i], &g_regions[i + 1], (g_count - i - 1) * sizeof(Region));
  --g_count;
  if (node != nullptr) fs::unref(node);
}

// Splits the region holding {address} strictly inside it into two at
// {address} (the upper half's file offset follows). The caller made sure a
// slot is free.
void split_at(uint64_t address) {
  int i = first_ending_above(address);
  if (i == g_count || g_regions[i].start >= address) return;
  Region upper = g_regions[i];
  upper.start = address;
  if (upper.kind == RegionKind::kFile) upper.offset += address - g_regions[i].start;
  g_regions[i].end = address;
  insert_at(i + 1, upper);
}

// How many splits at {start} and {end} a change to [start, end) needs.
int splits_for(uint64_t start, uint64_t end) {
  const Region* a = find(start);
  const Region* b = find(end);
  return (a != nullptr && a->start < start ? 1 : 0) + (b != nullptr && b->start < end ? 1 : 0);
}

// Removes [start, end) from the regions (splitting at the edges) and unmaps
// the pages that were there, releasing their frames. False when a split
// needed a slot and none was left (nothing changed then).
bool carve(uint64_t start, uint64_t end) {
  if (g_count + splits_for(start, end) > kMaxRegions) return false;
  split_at(start);
  split_at(end);
  // Every user page lies in a region: only the removed regions' pages need
  // unmapping, and only when one was ever touched (ld.so's reservations and
  // fresh ranges cost no page-table walk).
  bool ok = true;
  int i = first_ending_above(start);
  while (i < g_count && g_regions[i].start < end) {
    const Region& r = g_regions[i];
    if (r.touched) ok &= space().unmap_release(VirtAddr{r.start}, r.end - r.start);
    erase_at(i);
  }
  return ok;
}

bool mergeable(const Region& a, const Region& b) {
  return a.kind == b.kind && a.kind != RegionKind::kFile && a.prot == b.prot;
}

// Whether {page} of file region {r} can borrow the initrd frame {frame}:
// not present yet, and all of it file bytes in place there.
bool borrowable(uint64_t page, const Region& r, PhysAddr frame) {
  PhysAddr in_place, mapped;
  return page + kPage <= r.zero_from && !space().translate(VirtAddr{page}, &mapped) &&
         fs::data::in_place_frame(r.node, r.offset + (page - r.start), &in_place) && in_place == frame;
}

// Maps the initrd frame {frame} read-only at {page} of file region {r} (a
// writable private region copies the page on its first write), and
// with it the neighbours in the same 64 KiB window that can borrow theirs
// (as Linux's fault-around): the initrd is contiguous, so they form one run
// and one page-table walk maps it. Reading a program's text then costs one
// fault per 16 pages.
bool map_borrowed(uint64_t page, Region& r, PhysAddr frame) {
  uint64_t lo = align_down(page, kFaultAround), hi = lo + kFaultAround;
  if (lo < r.start) lo = r.start;
  if (hi > r.end) hi = r.end;
  uint64_t first = page, last = page + kPage;
  while (first > lo && borrowable(first - kPage, r, PhysAddr{frame.value - (page - first) - kPage})) first -= kPage;
  while (last < hi && borrowable(last, r, PhysAddr{frame.value + (last - page)})) last += kPage;
  arch::PageFlags flags = flags_for(r.prot);
  flags.borrowed = true;
  if (!space().map(VirtAddr{first}, PhysAddr{frame.value - (page - first)}, last - first, flags)) return false;
  r.touched = true;
  g_present += (last - first) / kPage;
  return true;
}

// Maps a frame at {page} with what {r} shows there (for a {write} access);
// false when out of memory or past the end of {r}'s file. A file page that
// is in the initrd is borrowed unless it is about to be written.
bool populate(uint64_t page, Region& r, bool write) {
  PhysAddr frame;
  if (r.kind == RegionKind::kFile && page < r.zero_from) {
    uint64_t offset = r.offset + (page - r.start);
    uint64_t size = r.node->size;
    if (offset >= align_up(size, kPage)) return false;  // SIGBUS
    uint64_t valid = min(min(size - offset, kPage), r.zero_from - page);
    if (!write && valid == kPage && fs::data::in_place_frame(r.node, offset, &frame)) {
      return map_borrowed(page, r, frame);
    }
    frame = mm::frames::allocate();
    if (frame.is_null()) return false;
    auto* dst = phys_to_virt<uint8_t>(frame);
    uint64_t n = fs::data::read(r.node, offset, dst, valid);
    memset(dst + n, 0, kPage - n);
  } else {
    frame = mm::frames::allocate_zeroed();
    if (frame.is_null()) return false;
  }
  if (!space().map(VirtAddr{page}, frame, kPage, flags_for(r.prot))) {
    mm::frames::release(frame);
    return false;
  }
  r.touched = true;
  ++g_present;
  return true;
}

// A write to the borrowed (read-only) page at {page} of a writable private
// region: the page becomes a private copy.
bool copy_on_write(uint64_t page, const Region& r) {
  PhysAddr old;
  arch::PageFlags old_flags;
  if (!space().translate(VirtAddr{page}, &old, &old_flags) || !old_flags.borrowed) return false;
  PhysAddr frame = mm::frames::allocate();
  if (frame.is_null()) return false;
  memcpy(phys_to_virt<void>(frame), phys_to_virt<void>(old), kPage);
  if (!space().map(VirtAddr{page}, frame, kPage, flags_for(r.prot))) {
    mm::frames::release(frame);
    return false;
  }
  return true;
}

}  // namespace

void allow_low_range(uint64_t lo, uint64_t hi) {
  g_low_lo = lo;
  g_low_hi = hi;
  // The identity map there (RAM nobody uses: main.cc kept it from mm/frames)
  // gives way to the program's pages, mapped on demand.
  (void)space().unmap(VirtAddr{lo}, hi - lo);
}

bool add_region(uint64_t start, uint64_t size, int prot, RegionKind kind) {
  uint64_t end = start + size;
  if (!allowed(start, end) || start % kPage != 0 || size % kPage != 0) return false;
  if (!carve(start, end)) return false;
  Region r{start, end, 0, 0, nullptr, prot, kind, false, false};
  // Grow a neighbour instead when it is the same kind of memory (brk grows
  // page by page; mmap allocates top-down, each new block below the last).
  int i = first_ending_above(start);
  if (i > 0 && g_regions[i - 1].end == start && mergeable(g_regions[i - 1], r)) {
    g_regions[i - 1].end = end;
    if (i < g_count && g_regions[i].start == end && mergeable(g_regions[i], r)) {
      g_regions[i - 1].end = g_regions[i].end;
      g_regions[i - 1].touched |= g_regions[i].touched;
      erase_at(i);
    }
    return true;
  }
  if (i < g_count && g_regions[i].start == end && mergeable(g_regions[i], r)) {
    g_regions[i].start = start;
    return true;
  }
  if (g_count == kMaxRegions) return false;
  insert_at(i, r);
  return true;
}

bool add_file_region(uint64_t start, uint64_t size, int prot, fs::Node* node, uint64_t offset, uint64_t zero_from) {
  uint64_t end = start + size;
  if (!allowed(start, end) || start % kPage != 0 || size % kPage != 0 || offset % kPage != 0) return false;
  if (!carve(start, end) || g_count == kMaxRegions) return false;
  Region r{start, end, offset, zero_from, node, prot, RegionKind::kFile, false, false};
  insert_at(first_ending_above(start), r);
  return true;
}

bool handle_fault(uint64_t address, uint64_t error) {
  Region* r = find(address);
  if (r == nullptr || r->prot == 0) return false;
  bool present = (error & 1) != 0, write = (error & 2) != 0, fetch = (error & 16) != 0;
  if (write && (r->prot & kProtWrite) == 0) return false;
  if (fetch && (r->prot & kProtExec) == 0) return false;
  uint64_t page = align_down(address, kPage);
  if (present) return write && copy_on_write(page, *r);
  return populate(page, *r, write);
}

bool beyond_file_end(uint64_t address) {
  const Region* r = find(address);
  if (r == nullptr || r->kind != RegionKind::kFile) return false;
  uint64_t page = align_down(address, kPage);
  return page < r->zero_from && r->offset + (page - r->start) >= align_up(r->node->size, kPage);
}

bool prepare(uint64_t address, uint64_t size, bool write) {
  if (size == 0) return true;
  if (address + size < address || address + size > kUserTop) return false;
  Region* r = nullptr;
  for (uint64_t page = align_down(address, kPage); page < address + size; page += kPage) {
    if (r == nullptr || page >= r->end) r = find(page);
    if (r == nullptr || (r->prot & (write ? kProtWrite : kProtRead | kProtWrite)) == 0) return false;
    PhysAddr phys;
    arch::PageFlags flags;
    if (!space().translate(VirtAddr{page}, &phys, &flags)) {
      if (!populate(page, *r, write)) return false;
    } else if (write && !flags.writable && !copy_on_write(page, *r)) {
      return false;
    }
  }
  return true;
}

void set_brk_base(uint64_t base) { g_brk_base = g_brk = base; }

int64_t brk(uint64_t address) {
  if (address < g_brk_base || address > g_brk_base + kBrkMax) return static_cast<int64_t>(g_brk);
  uint64_t old_end = align_up(g_brk, kPage), new_end = align_up(address, kPage);
  if (new_end > old_end) {
    if (!add_region(old_end, new_end - old_end, kProtRead | kProtWrite, RegionKind::kHeap)) {
      return static_cast<int64_t>(g_brk);
    }
  } else if (new_end < old_end) {
    if (!carve(new_end, old_end)) return static_cast<int64_t>(g_brk);
  }
  g_brk = address;
  return static_cast<int64_t>(g_brk);
}

int64_t mmap(uint64_t address, uint64_t size, int prot, int flags, fs::File* file, uint64_t offset) {
  int type = flags & kMapType;
  if ((type != kMapShared && type != kMapPrivate) || size == 0 || size > kUserTop) return -err::kInval;
  if ((prot & kProtWrite) != 0 && (prot & kProtExec) != 0) return -err::kAcces;  // W^X
  fs::Node* node = nullptr;
  if ((flags & kMapAnonymous) == 0) {
    if (offset % kPage != 0 || offset > fs::data::kMaxFileSize) return -err::kInval;
    if (!fs::can_read(file)) return -err::kAcces;
    node = file->node;
    if (node->type() == fs::kIfChr && node->rdev == fs::devices::kZero) {
      node = nullptr;  // /dev/zero: anonymous memory, as on Linux
    } else if (!node->is_regular()) {
      return -err::kNodev;
    } else if (type == kMapShared && (prot & kProtWrite) != 0) {
      // Shared writable file mappings (write-back) are not supported yet.
      return fs::can_write(file) ? -err::kNodev : -err::kAcces;
    }
  }
  size = align_up(size, kPage);
  if ((flags & (kMapFixed | kMapFixedNoReplace)) != 0) {
    if (address % kPage != 0 || !allowed(address, address + size)) return -err::kInval;
    if ((flags & kMapFixedNoReplace) != 0 && covered(address, address + size) != 0) return -err::kExist;
  } else {
    // Hints are ignored: top-down, never reusing addresses (yet).
    if (g_mmap_next - kUserMin < size) return -err::kNomem;
    address = g_mmap_next - size;
    g_mmap_next = address;
  }
  if (node == nullptr) {
    if (!add_region(address, size, prot)) return -err::kNomem;
    return static_cast<int64_t>(address);
  }
  if (!add_file_region(address, size, prot, node, offset, ~uint64_t{0})) return -err::kNomem;
  if (type == kMapShared) find(address)->shared = true;
  return static_cast<int64_t>(address);
}

int64_t munmap(uint64_t address, uint64_t size) {
  if (address % kPage != 0 || size == 0) return -err::kInval;
  size = align_up(size, kPage);
  if (!allowed(address, address + size)) return -err::kInval;
  return carve(address, address + size) ? 0 : -err::kNomem;
}

int64_t mprotect(uint64_t address, uint64_t size, int prot) {
  if (address % kPage != 0) return -err::kInval;
  if ((prot & kProtWrite) != 0 && (prot & kProtExec) != 0) return -err::kAcces;  // W^X
  size = align_up(size, kPage);
  if (size == 0) return 0;
  uint64_t end = address + size;
  if (!allowed(address, end) || covered(address, end) != size) return -err::kNomem;
  for (int i = first_ending_above(address); i < g_count && g_regions[i].start < end; ++i) {
    if (g_regions[i].shared && (prot & kProtWrite) != 0) return -err::kAcces;
  }
  // Split at the edges and give the pieces inside the new protection.
  if (g_count + splits_for(address, end) > kMaxRegions) return -err::kNomem;
  split_at(address);
  split_at(end);
  bool touched = false;
  for (int i = first_ending_above(address); i < g_count && g_regions[i].start < end; ++i) {
    g_regions[i].prot = prot;
    touched |= g_regions[i].touched;
  }
  if (!touched) return 0;  // no page there yet: nothing to walk
  return space().protect(VirtAddr{address}, size, flags_for(prot)) ? 0 : -err::kNomem;
}

bool region_from(uint64_t address, RegionInfo* out) {
  int i = first_ending_above(address);
  if (i == g_count) return false;
  const Region& r = g_regions[i];
  *out = RegionInfo{r.start, r.end, r.prot, r.shared, r.kind, r.node, r.offset};
  return true;
}

uint64_t present_pages() { return g_present; }

}  // namespace silk::kernel::proc::memory
