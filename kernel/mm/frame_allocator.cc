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

Range g_ranges[kMaxRanges];  // bump ranges, ascending
size_t g_range_count = 0;
size_t g_current = 0;          // first range with space left
FreeFrame* g_free_list = nullptr;
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

PhysAddr allocate() {
  if (!g_initialized) {
    if (g_early_used == kEarlyFrames) panic("frames: early pool exhausted");
    return virt_to_phys(g_early_pool[g_early_used++]);
  }
  if (g_free_list != nullptr) {
    FreeFrame* f = g_free_list;
    g_free_list = f->next;
    g_free_bytes -= kFrameSize;
    return virt_to_phys(f);
  }
  return allocate_contiguous(1);
}

PhysAddr allocate_zeroed() {
  PhysAddr p = allocate();
  if (!p.is_null()) memset(phys_to_virt<void>(p), 0, kFrameSize);
  return p;
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
  auto* f = phys_to_virt<FreeFrame>(frame);
  f->next = g_free_list;
  g_free_list = f;
  g_free_bytes += kFrameSize;
}

uint64_t free_bytes() { return g_free_bytes; }
uint64_t total_bytes() { return g_total_bytes; }

}  // namespace silk::kernel::mm::frames
