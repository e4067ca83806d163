#include "mm/frame_allocator.h"

#include "lib/panic.h"
#include "lib/string.h"

namespace silk::kernel::mm::frames {
namespace {

constexpr size_t kMaxRanges = 64;
constexpr size_t kEarlyFrames = 16;

struct FreeFrame {
  FreeFrame* next;
};

Range g_ranges[kMaxRanges];  // bump ranges, ascending; never handed out, so zero
size_t g_range_count = 0;
size_t g_current = 0;          // first range with space left
FreeFrame* g_free_list = nullptr;   // freed frames: contents undefined
FreeFrame* g_clean_list = nullptr;  // zero frames (but their link word)
FreeFrame* g_large_list = nullptr;  // freed 2 MiB blocks: contents undefined
uint64_t g_free_bytes = 0;
uint64_t g_total_bytes = 0;
bool g_initialized = false;

// Not zeroed at boot (.stacks): allocate_zeroed() zeroes what it hands out.
[[gnu::section(".stacks.early_frames")]] alignas(4096) uint8_t g_early_pool[kEarlyFrames][kFrameSize];
size_t g_early_used = 0;

void add_range(uint64_t base, uint64_t end) {
  base = align_up(base, kFrameSize);
  end = align_down(end, kFrameSize);
  if (end <= base) return;
  if (g_range_count == kMaxRanges) return;  // the rest of a very fragmented map is lost
  g_ranges[g_range_count++] = Range{base, end - base};
  g_free_bytes += end - base;
}

// Adds [base, end) minus every reserved range (which may be unsorted).
void add_minus_reserved(uint64_t base, uint64_t end, const Range* reserved, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    uint64_t r_base = align_down(reserved[i].base, kFrameSize);
    uint64_t r_end = align_up(reserved[i].base + reserved[i].size, kFrameSize);
    if (r_end <= base || r_base >= end) continue;
    if (r_base > base) add_minus_reserved(base, r_base, reserved + i + 1, count - i - 1);
    if (r_end < end) add_minus_reserved(r_end, end, reserved + i + 1, count - i - 1);
    return;
  }
  add_range(base, end);
}

}  // namespace

void init(const Range* ram, size_t ram_count, const Range* reserved, size_t reserved_count) {
  SILK_EXPECTS(!g_initialized);
  for (size_t i = 0; i < ram_count; ++i) {
    add_minus_reserved(ram[i].base, ram[i].base + ram[i].size, reserved, reserved_count);
  }
  // Ascending order, so low memory (below 4 GiB, where 32-bit DMA and the
  // hypercall argument blocks must live) goes first. Insertion sort: few ranges.
  for (size_t i = 1; i < g_range_count; ++i) {
    for (size_t j = i; j > 0 && g_ranges[j].base < g_ranges[j - 1].base; --j) {
      Range t = g_ranges[j];
      g_ranges[j] = g_ranges[j - 1];
      g_ranges[j - 1] = t;
    }
  }
  g_total_bytes = g_free_bytes;
  g_initialized = true;
}

namespace {

PhysAddr pop(FreeFrame** list, uint64_t bytes) {
  FreeFrame* f = *list;
  *list = f->next;
  g_free_bytes -= bytes;
  return virt_to_phys(f);
}

void push(FreeFrame** list, PhysAddr p, uint64_t bytes) {
  auto* f = phys_to_virt<FreeFrame>(p);
  f->next = *list;
  *list = f;
  g_free_bytes += bytes;
}

// Splits a freed block into frames (the last resort for 4 KiB frames).
bool split_large_block() {
  if (g_large_list == nullptr) return false;
  PhysAddr block = pop(&g_large_list, kLargeSize);
  for (uint64_t off = 0; off < kLargeSize; off += kFrameSize) push(&g_free_list, block.offset(off), kFrameSize);
  return true;
}

}  // namespace

PhysAddr allocate() {
  if (!g_initialized) {
    if (g_early_used == kEarlyFrames) panic("frames: early pool exhausted");
    return virt_to_phys(g_early_pool[g_early_used++]);
  }
  if (g_free_list != nullptr) return pop(&g_free_list, kFrameSize);
  if (g_clean_list != nullptr) return pop(&g_clean_list, kFrameSize);
  PhysAddr p = allocate_contiguous(1);
  if (p.is_null() && split_large_block()) return pop(&g_free_list, kFrameSize);
  return p;
}

PhysAddr allocate_uncleared(bool* zero) {
  *zero = true;
  if (!g_initialized) {
    PhysAddr p = allocate();
    memset(phys_to_virt<void>(p), 0, kFrameSize);
    return p;
  }
  if (g_clean_list != nullptr) {
    PhysAddr p = pop(&g_clean_list, kFrameSize);
    phys_to_virt<FreeFrame>(p)->next = nullptr;  // the link was its only non-zero word
    return p;
  }
  PhysAddr p = allocate_contiguous(1);  // fresh RAM: zero
  if (!p.is_null()) return p;
  if (g_free_list == nullptr && !split_large_block()) return PhysAddr{};
  *zero = false;
  return pop(&g_free_list, kFrameSize);
}

PhysAddr allocate_zeroed() {
  bool zero;
  PhysAddr p = allocate_uncleared(&zero);
  if (!zero) memset(phys_to_virt<void>(p), 0, kFrameSize);
  return p;
}

PhysAddr allocate_large_uncleared(bool* zero) {
  *zero = true;
  // Top-down from the highest range, so low memory stays for frames. The
  // first block from a range leaves its unaligned tail as clean frames.
  for (size_t i = g_range_count; i-- > g_current;) {
    Range& r = g_ranges[i];
    uint64_t end = r.base + r.size;
    uint64_t top = align_down(end, kLargeSize);
    if (top < r.base + kLargeSize) continue;
    for (uint64_t f = top; f < end; f += kFrameSize) push(&g_clean_list, PhysAddr{f}, kFrameSize);
    g_free_bytes -= end - top;  // push() counted the tail again
    r.size = top - kLargeSize - r.base;
    g_free_bytes -= kLargeSize;
    return PhysAddr{top - kLargeSize};
  }
  if (g_large_list == nullptr) return PhysAddr{};
  *zero = false;
  return pop(&g_large_list, kLargeSize);
}

PhysAddr allocate_large() {
  bool zero;
  PhysAddr p = allocate_large_uncleared(&zero);
  if (!p.is_null() && !zero) memset(phys_to_virt<void>(p), 0, kLargeSize);
  return p;
}

void release_large(PhysAddr block) {
  SILK_EXPECTS(block.value % kLargeSize == 0 && !block.is_null());
  push(&g_large_list, block, kLargeSize);
}

PhysAddr allocate_contiguous(uint64_t count) {
  uint64_t bytes = count * kFrameSize;
  for (size_t i = g_current; i < g_range_count; ++i) {
    Range& r = g_ranges[i];
    if (r.size < bytes) continue;
    PhysAddr p{r.base};
    r.base += bytes;
    r.size -= bytes;
    g_free_bytes -= bytes;
    // Skip exhausted leading ranges on the next call.
    while (g_current < g_range_count && g_ranges[g_current].size == 0) ++g_current;
    return p;
  }
  return PhysAddr{};
}

void release(PhysAddr frame) {
  SILK_EXPECTS(frame.value % kFrameSize == 0 && !frame.is_null());
  push(&g_free_list, frame, kFrameSize);
}

uint64_t free_bytes() { return g_free_bytes; }
uint64_t total_bytes() { return g_total_bytes; }

}  // namespace silk::kernel::mm::frames
