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
constexpr uint64_t kLarge = mm::frames::kLargeSize;
constexpr int kMapShared = 0x01, kMapPrivate = 0x02, kMapSharedValidate = 0x03, kMapType = 0x0f;
constexpr int kMapFixed = 0x10, kMapAnonymous = 0x20, kMapFixedNoReplace = 0x100000;
constexpr uint64_t kBrkMax = 1ull << 30;
constexpr uint64_t kFaultAround = 64 * kPage;  // 4x Linux's fault_around_bytes: a fault costs ~1 ms in ring 0 under kvm-pvm
constexpr uint64_t kNoZero = ~uint64_t{0};

struct Region {
  uint64_t start, end;  // page aligned, start < end
  uint64_t offset;      // kFile: the file offset at start (page aligned)
  uint64_t zero_at;     // kFile: file offsets from here on read as zero (kNoZero: none)
  fs::Node* node;       // kFile: referenced while in the table
  int prot;
  RegionKind kind;
  bool shared;   // kFile: MAP_SHARED (read-only)
  bool touched;  // a page was made present since the region was added: removing it must walk the page tables
};
// Sorted by start, disjoint; neighbours that touch and agree are merged.
constexpr int kMaxRegions = 512;
Region g_regions[kMaxRegions];
int g_count = 0;

uint64_t g_low_lo = 0, g_low_hi = 0;
uint64_t g_brk_base = 0, g_brk = 0;
uint64_t g_present = 0;  // 4 KiB pages the process owns (borrowed ones not counted)

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

bool is_file(const Region& r) { return r.kind == RegionKind::kFile; }

// The file offset shown at {address} of file region {r}.
uint64_t file_offset(const Region& r, uint64_t address) { return r.offset + (address - r.start); }

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

// Inserting takes a reference on a file region's node, erasing drops it.
bool insert_at(int i, const Region& r) {
  if (g_count == kMaxRegions) return false;
  memmove(&g_regions[i + 1], &g_regions[i], (g_count - i) * sizeof(Region));
  g_regions[i] = r;
  ++g_count;
  if (r.node != nullptr) fs::ref(r.node);
  return true;
}

void erase(int i, int n) {
  for (int k = i; k < i + n; ++k) {
    if (g_regions[k].node != nullptr) fs::unref(g_regions[k].node);
  }
  memmove(&g_regions[i], &g_regions[i + n], (g_count - i - n) * sizeof(Region));
  g_count -= n;
}

// {r} from {address} on (a file region's offset follows).
Region upper_part(const Region& r, uint64_t address) {
  Region upper = r;
  upper.start = address;
  if (is_file(r)) upper.offset = file_offset(r, address);
  return upper;
}

// Whether {b}, starting where {a} ends, is the same kind of memory: one
// region could describe both.
bool mergeable(const Region& a, const Region& b) {
  if (a.end != b.start || a.prot != b.prot || a.kind != b.kind) return false;
  if (!is_file(a)) return true;
  return a.node == b.node && a.shared == b.shared && a.zero_at == b.zero_at && file_offset(a, a.end) == b.offset;
}

// Merges the regions [i, j] and their outer neighbours where they touch and
// agree.
void merge(int i, int j) {
  if (i > 0) --i;
  if (j + 1 < g_count) ++j;
  for (int k = j; k > i; --k) {
    if (mergeable(g_regions[k - 1], g_regions[k])) {
      g_regions[k - 1].end = g_regions[k].end;
      g_regions[k - 1].touched |= g_regions[k].touched;
      erase(k, 1);
    }
  }
}

// Puts a region boundary at {address} (splitting the region around it).
// False when a split needed a slot and none was left.
bool split_at(uint64_t address) {
  int i = first_ending_after(address);
  if (i == g_count || g_regions[i].start >= address) return true;
  if (!insert_at(i + 1, upper_part(g_regions[i], address))) return false;
  g_regions[i].end = address;
  return true;
}

// Unmaps [start, end) and releases its frames (borrowed initrd pages are
// only unmapped): costs the present leaves and the tables they are in, not
// the size of the range.
void release_pages(uint64_t start, uint64_t end) {
  uint64_t released = 0;
  // Fails only when a 2 MiB leaf the range cuts needs a page-table frame to
  // be split and none is left; that leaf then stays mapped (and memory is
  // exhausted anyway).
  (void)space().unmap_release(VirtAddr{start}, end - start, &released);
  g_present -= released < g_present ? released : g_present;
}

// Removes [start, end) from the regions (splitting at the edges) and unmaps
// the pages that were there, releasing their frames; regions no page was
// ever made present in cost no page-table walk. False when a split needed a
// slot and none was left (nothing changed then).
bool carve(uint64_t start, uint64_t end) {
  int i = first_ending_after(start);
  if (i == g_count || g_regions[i].start >= end) return true;
  Region& first = g_regions[i];
  if (first.start < start && first.end > end) {  // inside one region: split it
    if (g_count == kMaxRegions) return false;
    if (first.touched) release_pages(start, end);
    Region tail = upper_part(first, end);
    first.end = start;
    return insert_at(i + 1, tail);
  }
  if (first.start < start) {
    if (first.touched) release_pages(start, first.end);
    first.end = start;
    ++i;
  }
  int n = 0;
  for (; i + n < g_count && g_regions[i + n].end <= end; ++n) {
    if (g_regions[i + n].touched) release_pages(g_regions[i + n].start, g_regions[i + n].end);
  }
  erase(i, n);
  if (i < g_count && g_regions[i].start < end) {
    Region& last = g_regions[i];
    if (last.touched) release_pages(last.start, end);
    last = upper_part(last, end);
  }
  return true;
}

// Adds {r} (page aligned, user memory), replacing what was there, and
// merges it with its neighbours where they agree.
bool place(const Region& r) {
  if (!allowed(r.start, r.end) || r.start % kPage != 0 || r.end % kPage != 0) return false;
  if (!carve(r.start, r.end)) return false;
  int i = first_ending_after(r.start);
  if (!insert_at(i, r)) return false;
  merge(i, i);
  return true;
}

// Maps a zeroed page of anonymous region {r} at {address} (or, when the
// region covers the whole aligned 2 MiB around it and nothing is mapped
// there yet, a zeroed 2 MiB block): demand paging. Large leaves keep faults
// and page-table work 512 times fewer for big mappings (kvm-pvm emulates
// every ring-0 instruction, so that is where the time goes).
Fault fault_in_anonymous(uint64_t address, Region& r) {
  uint64_t block = align_down(address, kLarge);
  if (block >= r.start && block + kLarge <= r.end && space().is_hole(VirtAddr{block}, 1)) {
    PhysAddr large = mm::frames::allocate_large();
    if (!large.is_null()) {
      if (space().map(VirtAddr{block}, large, kLarge, flags_for(r.prot))) {
        g_present += kLarge / kPage;
        r.touched = true;
        return Fault::kResolved;
      }
      mm::frames::release_large(large);
    }
  }
  PhysAddr frame = mm::frames::allocate_zeroed();
  if (frame.is_null()) return Fault::kNoMemory;
  if (!space().map(VirtAddr{align_down(address, kPage)}, frame, kPage, flags_for(r.prot))) {
    mm::frames::release(frame);
    return Fault::kNoMemory;
  }
  ++g_present;
  r.touched = true;
  return Fault::kResolved;
}

// Whether {page} of file region {r} can borrow the initrd frame {frame}:
// not present yet, and all of it file bytes in place there.
bool borrowable(uint64_t page, const Region& r, PhysAddr frame) {
  PhysAddr in_place, mapped;
  uint64_t offset = file_offset(r, page);
  return offset + kPage <= r.zero_at && !space().translate(VirtAddr{page}, &mapped) &&
         fs::data::in_place_frame(r.node, offset, &in_place) && in_place == frame;
}

// Maps the initrd frame {frame} read-only at {page} of file region {r} (a
// writable private region copies the page on its first write), and with it
// the neighbours in the same 64 KiB window that can borrow theirs (as
// Linux's fault-around): the initrd is contiguous, so they form one run and
// one page-table walk maps it. Reading a program's text then costs one
// fault per 16 pages.
Fault map_borrowed(uint64_t page, Region& r, PhysAddr frame) {
  uint64_t window = align_down(page, kFaultAround);
  uint64_t lo = max(window, r.start), hi = min(window + kFaultAround, r.end);
  uint64_t first = page, last = page + kPage;
  while (first > lo && borrowable(first - kPage, r, PhysAddr{frame.value - (page - first) - kPage})) first -= kPage;
  while (last < hi && borrowable(last, r, PhysAddr{frame.value + (last - page)})) last += kPage;
  arch::PageFlags flags = flags_for(r.prot);
  flags.borrowed = true;
  if (!space().map(VirtAddr{first}, PhysAddr{frame.value - (page - first)}, last - first, flags)) {
    return Fault::kNoMemory;
  }
  r.touched = true;
  return Fault::kResolved;
}

// Maps a frame at {page} (not present) with what {r} shows there, for a
// {write} access. Anonymous memory: zeroes (see fault_in_anonymous). A file
// region: the file's bytes (4 KiB pages only), borrowed from the initrd
// unless the page is about to be written; kBeyondFile for a page wholly
// past the file's last page.
Fault populate(uint64_t page, Region& r, bool write) {
  uint64_t offset = is_file(r) ? file_offset(r, page) : 0;
  if (!is_file(r) || offset >= r.zero_at) {
    if (!is_file(r)) return fault_in_anonymous(page, r);
    PhysAddr zero = mm::frames::allocate_zeroed();  // a file region's bss part
    if (zero.is_null()) return Fault::kNoMemory;
    if (!space().map(VirtAddr{page}, zero, kPage, flags_for(r.prot))) {
      mm::frames::release(zero);
      return Fault::kNoMemory;
    }
    ++g_present;
    r.touched = true;
    return Fault::kResolved;
  }
  uint64_t size = r.node->size;
  if (offset >= align_up(size, kPage)) return Fault::kBeyondFile;  // SIGBUS
  uint64_t valid = min(min(size - offset, kPage), r.zero_at - offset);
  PhysAddr frame;
  if (!write && valid == kPage && fs::data::in_place_frame(r.node, offset, &frame)) {
    return map_borrowed(page, r, frame);
  }
  frame = mm::frames::allocate();
  if (frame.is_null()) return Fault::kNoMemory;
  auto* dst = phys_to_virt<uint8_t>(frame);
  uint64_t n = fs::data::read(r.node, offset, dst, valid);
  memset(dst + n, 0, kPage - n);
  if (!space().map(VirtAddr{page}, frame, kPage, flags_for(r.prot))) {
    mm::frames::release(frame);
    return Fault::kNoMemory;
  }
  ++g_present;
  r.touched = true;
  return Fault::kResolved;
}

// A write to the borrowed (read-only) page at {page} of a writable private
// region: the page becomes a private copy. kDenied when the page is not a
// borrowed one.
Fault copy_on_write(uint64_t page, const Region& r) {
  PhysAddr old;
  arch::PageFlags old_flags;
  if (!space().translate(VirtAddr{page}, &old, &old_flags) || !old_flags.borrowed) return Fault::kDenied;
  PhysAddr frame = mm::frames::allocate();
  if (frame.is_null()) return Fault::kNoMemory;
  memcpy(phys_to_virt<void>(frame), phys_to_virt<void>(old), kPage);
  if (!space().map(VirtAddr{page}, frame, kPage, flags_for(r.prot))) {
    mm::frames::release(frame);
    return Fault::kNoMemory;
  }
  ++g_present;
  return Fault::kResolved;
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
// offset from {to} with its flags (large leaves stay large where {to} keeps
// them aligned; borrowed leaves stay borrowed), then unmaps the old range
// without releasing the frames.
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
  // The identity map there (RAM nobody uses: main.cc kept it from mm/frames)
  // gives way to the program's pages, mapped on demand.
  (void)space().unmap(VirtAddr{lo}, hi - lo);
}

bool add_region(uint64_t start, uint64_t size, int prot, RegionKind kind) {
  return place(Region{start, start + size, 0, kNoZero, nullptr, prot, kind, false, false});
}

bool add_file_region(uint64_t start, uint64_t size, int prot, fs::Node* node, uint64_t offset, uint64_t zero_from) {
  if (offset % kPage != 0 || node == nullptr) return false;
  // zero_at is kept as a file offset, so it follows splits and moves.
  uint64_t zero_at = offset;
  if (zero_from == kNoZero || zero_from - start > kNoZero - offset) {
    zero_at = kNoZero;
  } else if (zero_from > start) {
    zero_at = offset + (zero_from - start);
  }
  return place(Region{start, start + size, offset, zero_at, node, prot, RegionKind::kFile, false, false});
}

Fault handle_fault(uint64_t address, uint64_t error) {
  Region* r = find(address);
  if (r == nullptr) return Fault::kUnmapped;
  bool present = (error & 1) != 0, write = (error & 2) != 0, fetch = (error & 16) != 0;
  if (r->prot == 0) return Fault::kDenied;
  if (write && (r->prot & kProtWrite) == 0) return Fault::kDenied;
  if (fetch && (r->prot & kProtExec) == 0) return Fault::kDenied;
  uint64_t page = align_down(address, kPage);
  // Present: a protection violation, unless it is a write to a borrowed
  // page of a writable private mapping.
  if (present) return write ? copy_on_write(page, *r) : Fault::kDenied;
  return populate(page, *r, write);
}

bool beyond_file_end(uint64_t address) {
  const Region* r = find(address);
  if (r == nullptr || !is_file(*r)) return false;
  uint64_t offset = file_offset(*r, align_down(address, kPage));
  return offset < r->zero_at && offset >= align_up(r->node->size, kPage);
}

bool prepare(uint64_t address, uint64_t size, bool write) {
  if (size == 0) return true;
  uint64_t end = address + size;
  if (end < address || end > kUserTop) return false;
  const int need = write ? kProtWrite : kProtRead | kProtWrite;
  uint64_t page = align_down(address, kPage);
  while (page < end) {
    // A present user leaf carries its region's protection (PROT_NONE pages
    // are supervisor-only; borrowed pages read-only), so it answers without
    // the region lookup.
    PhysAddr phys;
    arch::PageFlags flags;
    uint64_t leaf;
    bool present = space().translate(VirtAddr{page}, &phys, &flags, &leaf);
    if (present && flags.user && (!write || flags.writable)) {
      page = align_down(page, leaf) + leaf;
      continue;
    }
    Region* r = find(page);
    if (r == nullptr || (r->prot & need) == 0) return false;
    if (!present) {
      if (populate(page, *r, write) != Fault::kResolved) return false;
    } else if (write && copy_on_write(page, *r) != Fault::kResolved) {
      return false;
    }
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
    if (overlaps_any(old_end, new_end) ||
        !add_region(old_end, new_end - old_end, kProtRead | kProtWrite, RegionKind::kHeap)) {
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
  if ((type != kMapShared && type != kMapPrivate && type != kMapSharedValidate) || size == 0) return -err::kInval;
  bool shared = type != kMapPrivate;
  if (size > kUserTop) return -err::kNomem;
  if ((prot & kProtWrite) != 0 && (prot & kProtExec) != 0) return -err::kAcces;  // W^X
  fs::Node* node = nullptr;
  if ((flags & kMapAnonymous) == 0) {
    if (file == nullptr) return -err::kBadf;
    if (offset % kPage != 0 || offset > fs::data::kMaxFileSize) return -err::kInval;
    if (!fs::can_read(file)) return -err::kAcces;
    node = file->node;
    if (node->type() == fs::kIfChr && node->rdev == fs::devices::kZero) {
      node = nullptr;  // /dev/zero: anonymous memory, as on Linux
    } else if (!node->is_regular()) {
      return -err::kNodev;
    } else if (shared && (prot & kProtWrite) != 0) {
      // Shared writable file mappings (write-back) are not supported yet.
      return fs::can_write(file) ? -err::kNodev : -err::kAcces;
    }
  }
  size = align_up(size, kPage);
  if ((flags & (kMapFixed | kMapFixedNoReplace)) != 0) {
    if (address % kPage != 0 || !allowed(address, address + size)) return -err::kInval;
    if ((flags & kMapFixedNoReplace) != 0 && overlaps_any(address, address + size)) return -err::kExist;
  } else {
    address = find_free(address, size);
    if (address == 0) return -err::kNomem;
  }
  Region r{address, address + size, 0, kNoZero, nullptr, prot, RegionKind::kAnonymous, false, false};
  if (node != nullptr) {
    r.kind = RegionKind::kFile;
    r.node = node;
    r.offset = offset;
    r.shared = shared;
  }
  if (!place(r)) return -err::kNomem;
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
  if (end < address || !allowed(address, end)) return -err::kNomem;
  // Every byte must be mapped: the regions from the first one must touch.
  int i = first_ending_after(address);
  uint64_t covered_to = address;
  for (int k = i; k < g_count && g_regions[k].start <= covered_to && covered_to < end; ++k) {
    // A shared file mapping stays read-only (no write-back yet).
    if (g_regions[k].shared && (prot & kProtWrite) != 0) return -err::kAcces;
    covered_to = g_regions[k].end;
  }
  if (covered_to < end) return -err::kNomem;
  // A failed split leaves two halves that agree: harmless.
  if (!split_at(address) || !split_at(end)) return -err::kNomem;
  i = first_ending_after(address);
  int j = i;
  while (j + 1 < g_count && g_regions[j + 1].start < end) ++j;
  bool touched = false;
  for (int k = i; k <= j; ++k) {
    g_regions[k].prot = prot;
    touched |= g_regions[k].touched;
  }
  merge(i, j);
  if (!touched) return 0;  // no page there yet: nothing to walk
  return space().protect(VirtAddr{address}, size, flags_for(prot)) ? 0 : -err::kNomem;
}

int64_t madvise(uint64_t address, uint64_t size, int advice) {
  constexpr int kDontNeed = 4, kFree = 8, kRemove = 9, kMaxAdvice = 25;
  if (address % kPage != 0 || advice < 0 || advice > kMaxAdvice) return -err::kInval;
  size = align_up(size, kPage);
  if (size == 0) return 0;
  uint64_t end = address + size;
  if (end < address || end > kUserTop) return -err::kInval;
  if (advice == kRemove) return -err::kInval;  // shared writable file mappings only
  if (advice == kFree) {
    // Private anonymous memory only, as on Linux.
    for (int i = first_ending_after(address); i < g_count && g_regions[i].start < end; ++i) {
      if (is_file(g_regions[i])) return -err::kInval;
    }
  }
  bool gaps = false;
  uint64_t at = address;
  for (int i = first_ending_after(address); i < g_count && g_regions[i].start < end; ++i) {
    if (g_regions[i].start > at) gaps = true;
    // MADV_DONTNEED: the pages go; the next touch maps zeroed ones in
    // anonymous memory and reads the file again in a private file mapping
    // (borrowed pages are only unmapped). MADV_FREE may do the same.
    if ((advice == kDontNeed || advice == kFree) && g_regions[i].touched) {
      release_pages(max(at, g_regions[i].start), min(end, g_regions[i].end));
    }
    at = g_regions[i].end;
  }
  return gaps || at < end ? -err::kNomem : 0;
}

int64_t mremap(uint64_t old_address, uint64_t old_size, uint64_t new_size, int flags, uint64_t new_address) {
  constexpr int kMayMove = 1, kFixed = 2;
  if (old_address % kPage != 0 || (flags & ~(kMayMove | kFixed)) != 0) return -err::kInval;
  if ((flags & kFixed) != 0 && (flags & kMayMove) == 0) return -err::kInval;
  old_size = align_up(old_size, kPage);
  new_size = align_up(new_size, kPage);
  if (new_size == 0 || old_size == 0) return -err::kInval;  // old_size 0 duplicates shared mappings only
  Region* r = find(old_address);
  if (r == nullptr || old_address + old_size > r->end || old_address + old_size < old_address) return -err::kFault;
  // What the old range shows, as a region starting at old_address: the new
  // range shows the same (a file region continues the file past the old
  // end). The node's reference is taken again by insert_at.
  Region shown = upper_part(*r, old_address);
  shown.touched = false;
  uint64_t to;
  if ((flags & kFixed) != 0) {
    to = new_address;
    if (to % kPage != 0 || !allowed(to, to + new_size)) return -err::kInval;
    if (to < old_address + old_size && old_address < to + new_size) return -err::kInval;
    if (!carve(to, to + new_size)) return -err::kNomem;
  } else if (new_size <= old_size) {
    if (!carve(old_address + new_size, old_address + old_size)) return -err::kNomem;
    return static_cast<int64_t>(old_address);
  } else if (is_free(old_address + old_size, new_size - old_size)) {
    Region grown = upper_part(shown, old_address + old_size);
    grown.end = old_address + new_size;
    if (!place(grown)) return -err::kNomem;
    return static_cast<int64_t>(old_address);
  } else if ((flags & kMayMove) == 0) {
    return -err::kNomem;
  } else {
    to = find_free(0, new_size);
    if (to == 0) return -err::kNomem;
  }
  uint64_t moved = min(old_size, new_size);
  Region target = shown;
  target.start = to;
  target.end = to + new_size;
  target.touched = true;  // zero_at is a file offset: it moves with the pages
  if (!place(target)) return -err::kNomem;
  Move m{old_address, to, true};
  space().visit(VirtAddr{old_address}, moved, &move_leaf, &m);
  if (!m.ok || !space().unmap(VirtAddr{old_address}, moved)) return -err::kNomem;
  carve(old_address, old_address + old_size);  // whatever was not moved is released
  return static_cast<int64_t>(to);
}

bool region_from(uint64_t address, RegionInfo* out) {
  int i = first_ending_after(address);
  if (i == g_count) return false;
  const Region& r = g_regions[i];
  *out = RegionInfo{r.start, r.end, r.prot, r.shared, r.kind, r.node, r.offset};
  return true;
}

uint64_t present_pages() { return g_present; }

}  // namespace silk::kernel::proc::memory
