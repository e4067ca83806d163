#include "mm/heap.h"

#include "mm/frame_allocator.h"
#include "mm/types.h"

namespace silk::kernel::mm::heap {
namespace {

// A block: a 16-byte header, then the payload. prev_phys is meaningful only
// when the physically previous block is free (its boundary tag). A free
// block keeps its free-list links in the first 16 bytes of its payload.
//
//   | prev_phys | size|flags | payload (size bytes) ...  | next block header
struct Block {
  Block* prev_phys;
  uint64_t size_flags;  // payload size | kFree | kPrevFree
  Block* next_free;     // payload, free blocks only
  Block* prev_free;
};

constexpr uint64_t kFree = 1;
constexpr uint64_t kPrevFree = 2;
constexpr uint64_t kFlagMask = 15;
constexpr size_t kHeader = 16;
constexpr size_t kAlign = 16;
constexpr size_t kMinPayload = 16;               // room for the free-list links
constexpr size_t kMinBlock = kHeader + kMinPayload;

constexpr int kSlLog2 = 4;                       // 16 second-level lists
constexpr int kSlCount = 1 << kSlLog2;
constexpr int kFlShift = kSlLog2 + 4;            // log2(kAlign) = 4
constexpr size_t kSmallBlock = size_t{1} << kFlShift;  // 256: below, linear classes of 16
constexpr int kFlCount = 40;                     // up to 2^47 bytes

uint64_t g_fl_bitmap = 0;
uint32_t g_sl_bitmap[kFlCount];
Block* g_heads[kFlCount][kSlCount];
Stats g_stats;

size_t block_size(const Block* b) { return b->size_flags & ~kFlagMask; }
bool is_free(const Block* b) { return (b->size_flags & kFree) != 0; }
bool prev_is_free(const Block* b) { return (b->size_flags & kPrevFree) != 0; }
void set_size(Block* b, size_t size) { b->size_flags = size | (b->size_flags & kFlagMask); }
void set_flag(Block* b, uint64_t flag, bool on) {
  b->size_flags = on ? (b->size_flags | flag) : (b->size_flags & ~flag);
}

void* payload(Block* b) { return reinterpret_cast<uint8_t*>(b) + kHeader; }
Block* from_payload(const void* p) {
  // SAFETY: p came from allocate(), which returns header + kHeader.
  return reinterpret_cast<Block*>(const_cast<uint8_t*>(static_cast<const uint8_t*>(p)) - kHeader);
}
Block* next_phys(Block* b) {
  return reinterpret_cast<Block*>(reinterpret_cast<uint8_t*>(b) + kHeader + block_size(b));
}

int fls(size_t v) { return 63 - __builtin_clzll(v); }  // v > 0
int ffs32(uint32_t v) { return __builtin_ctz(v); }     // v > 0

void mapping_insert(size_t size, int* fl, int* sl) {
  if (size < kSmallBlock) {
    *fl = 0;
    *sl = static_cast<int>(size / (kSmallBlock / kSlCount));
  } else {
    int f = fls(size);
    *sl = static_cast<int>(size >> (f - kSlLog2)) ^ kSlCount;
    *fl = f - (kFlShift - 1);
  }
}

// Rounds {size} up to the next list boundary so any block in the found list fits.
void mapping_search(size_t size, int* fl, int* sl) {
  if (size >= kSmallBlock) size += (size_t{1} << (fls(size) - kSlLog2)) - 1;
  mapping_insert(size, fl, sl);
}

void remove_free(Block* b) {
  int fl, sl;
  mapping_insert(block_size(b), &fl, &sl);
  if (b->prev_free != nullptr) b->prev_free->next_free = b->next_free;
  if (b->next_free != nullptr) b->next_free->prev_free = b->prev_free;
  if (g_heads[fl][sl] == b) {
    g_heads[fl][sl] = b->next_free;
    if (b->next_free == nullptr) {
      g_sl_bitmap[fl] &= ~(1u << sl);
      if (g_sl_bitmap[fl] == 0) g_fl_bitmap &= ~(uint64_t{1} << fl);
    }
  }
}

void insert_free(Block* b) {
  int fl, sl;
  mapping_insert(block_size(b), &fl, &sl);
  b->prev_free = nullptr;
  b->next_free = g_heads[fl][sl];
  if (b->next_free != nullptr) b->next_free->prev_free = b;
  g_heads[fl][sl] = b;
  g_sl_bitmap[fl] |= 1u << sl;
  g_fl_bitmap |= uint64_t{1} << fl;
}

Block* find_suitable(size_t size) {
  int fl, sl;
  mapping_search(size, &fl, &sl);
  if (fl >= kFlCount) return nullptr;
  uint32_t sl_map = g_sl_bitmap[fl] & (~0u << sl);
  if (sl_map == 0) {
    uint64_t fl_map = fl + 1 < kFlCount ? g_fl_bitmap & (~uint64_t{0} << (fl + 1)) : 0;
    if (fl_map == 0) return nullptr;
    fl = __builtin_ctzll(fl_map);
    sl_map = g_sl_bitmap[fl];
  }
  return g_heads[fl][ffs32(sl_map)];
}

// Marks {b} free, sets the next block's boundary tag, and inserts it.
void make_free(Block* b) {
  set_flag(b, kFree, true);
  Block* next = next_phys(b);
  next->prev_phys = b;
  set_flag(next, kPrevFree, true);
  insert_free(b);
}

// Splits the used-to-be {b} so that it keeps {size} bytes; the rest becomes a
// free block when it is big enough to be one.
void trim(Block* b, size_t size) {
  size_t have = block_size(b);
  if (have < size + kMinBlock) return;
  auto* rest = reinterpret_cast<Block*>(reinterpret_cast<uint8_t*>(b) + kHeader + size);
  rest->size_flags = have - size - kHeader;
  set_size(b, size);
  // Coalesce the remainder with a free successor.
  Block* next = next_phys(rest);
  if (is_free(next)) {
    remove_free(next);
    set_size(rest, block_size(rest) + kHeader + block_size(next));
  }
  make_free(rest);
}

void mark_used(Block* b) {
  set_flag(b, kFree, false);
  set_flag(next_phys(b), kPrevFree, false);
}

// Adds [mem, mem + bytes) as a pool: one free block and a zero-size used
// sentinel at the end that stops coalescing.
void add_pool(void* mem, size_t bytes) {
  auto* b = static_cast<Block*>(mem);
  size_t payload_bytes = align_down(bytes - 2 * kHeader, kAlign);
  b->prev_phys = nullptr;
  b->size_flags = payload_bytes;
  Block* sentinel = next_phys(b);
  sentinel->size_flags = 0;
  make_free(b);
  g_stats.pool_bytes += bytes;
  g_stats.used_bytes += 2 * kHeader;  // the pool's own overhead
  ++g_stats.pools;
}

bool grow_exact(size_t bytes) {
  PhysAddr p = frames::allocate_contiguous(bytes / frames::kFrameSize);
  if (p.is_null()) return false;
  add_pool(phys_to_virt<void>(p), bytes);
  return true;
}

// A pool big enough for a block of {size}, in kGrowBytes steps.
bool grow(size_t size) { return grow_exact(align_up(size + 4 * kHeader + kAlign, kGrowBytes)); }

size_t adjust(size_t size) {
  size_t s = align_up(size == 0 ? 1 : size, kAlign);
  return s < kMinPayload ? kMinPayload : s;
}

}  // namespace

void init(size_t initial_bytes) { grow_exact(align_up(initial_bytes, frames::kFrameSize)); }

void* allocate(size_t size, size_t align) {
  if (align == 0 || (align & (align - 1)) != 0 || align > 4096) return nullptr;
  if (size > (size_t{1} << 46)) return nullptr;
  size_t want = adjust(size);
  // For a stricter alignment, ask for room to move the payload forward by a
  // gap that can itself be a free block (Masmano's aligned variant).
  size_t search = align <= kAlign ? want : want + align + kMinBlock;
  Block* b = find_suitable(search);
  if (b == nullptr) {
    if (!grow(search)) return nullptr;
    b = find_suitable(search);
    if (b == nullptr) return nullptr;
  }
  remove_free(b);
  if (align > kAlign) {
    auto addr = reinterpret_cast<uintptr_t>(payload(b));
    uintptr_t aligned = align_up(addr, align);
    size_t gap = aligned - addr;
    if (gap != 0 && gap < kMinBlock) gap += align_up(kMinBlock - gap, align);
    if (gap != 0) {
      // Split off [b, b + gap) as a free block; the aligned block follows.
      auto* aligned_block = reinterpret_cast<Block*>(reinterpret_cast<uint8_t*>(b) + gap);
      aligned_block->size_flags = block_size(b) - gap;
      set_size(b, gap - kHeader);
      make_free(b);  // marks aligned_block's kPrevFree and boundary tag
      b = aligned_block;
      set_flag(b, kPrevFree, true);
    }
  }
  trim(b, want);
  mark_used(b);
  g_stats.used_bytes += kHeader + block_size(b);
  return payload(b);
}

void release(void* p) {
  if (p == nullptr) return;
  Block* b = from_payload(p);
  g_stats.used_bytes -= kHeader + block_size(b);
  if (prev_is_free(b)) {
    Block* prev = b->prev_phys;
    remove_free(prev);
    set_size(prev, block_size(prev) + kHeader + block_size(b));
    b = prev;
  }
  Block* next = next_phys(b);
  if (is_free(next)) {
    remove_free(next);
    set_size(b, block_size(b) + kHeader + block_size(next));
  }
  make_free(b);
}

size_t usable_size(const void* p) { return block_size(from_payload(p)); }

Stats stats() { return g_stats; }

bool check() {
  // Every free block must be findable in its list, and flags must agree.
  for (int fl = 0; fl < kFlCount; ++fl) {
    for (int sl = 0; sl < kSlCount; ++sl) {
      bool bit = (g_sl_bitmap[fl] & (1u << sl)) != 0;
      if (bit != (g_heads[fl][sl] != nullptr)) return false;
      for (Block* b = g_heads[fl][sl]; b != nullptr; b = b->next_free) {
        int f, s;
        mapping_insert(block_size(b), &f, &s);
        if (!is_free(b) || f != fl || s != sl) return false;
        Block* next = next_phys(b);
        if (!prev_is_free(next) || next->prev_phys != b || is_free(next)) return false;
      }
    }
    if (((g_fl_bitmap >> fl) & 1) != (g_sl_bitmap[fl] != 0 ? 1u : 0u)) return false;
  }
  return true;
}

}  // namespace silk::kernel::mm::heap
