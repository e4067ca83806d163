// The kernel heap: a TLSF allocator (Masmano et al., "TLSF: a new dynamic
// memory allocator for real-time systems", ECRTS 2004): O(1) allocate and
// release through a two-level segregated free list (first level: power of
// two; second level: 16 linear subdivisions) with bitmaps, immediate
// coalescing with boundary tags. Init is one pool and two bitmaps.
//
// Pools are physically contiguous runs of frames from mm/frames; the heap
// grows by another pool (at least kGrowBytes) when no free block fits.
// Alignment: 16 bytes, or any power of two up to 4096 via allocate(size, align).
// Single CPU, no preemption: not locked.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace silk::kernel::mm::heap {

inline constexpr size_t kGrowBytes = 2 * 1024 * 1024;

// Takes an initial pool of {initial_bytes} from mm/frames.
void init(size_t initial_bytes);

// nullptr when memory is exhausted or {align} is not a power of two <= 4096.
void* allocate(size_t size, size_t align = 16);
// {p} from allocate(), or nullptr.
void release(void* p);
// Usable size of the block at {p} (>= the size asked for).
size_t usable_size(const void* p);

struct Stats {
  size_t pool_bytes;  // all pools
  size_t used_bytes;  // in allocated blocks, headers included
  size_t pools;
};
Stats stats();

// Walks every pool and checks the block invariants (sizes, boundary tags,
// free-list membership, no two adjacent free blocks); false on corruption.
bool check();

}  // namespace silk::kernel::mm::heap
