// Physical page frames (4 KiB).
//
// Free memory is a list of ranges (the RAM of the memory map minus the first
// MiB, the kernel image and the initrd) handed out bottom-up by a bump
// pointer, plus a LIFO list of freed frames linked through the frames
// themselves (they are identity-mapped). Init is O(regions), not O(frames):
// no bitmap to clear, which is where boot time goes in other kernels.
//
// Before init, allocate() hands out frames from a small pool in .bss, so the
// kernel's first page tables can be built while the loader's tables and boot
// information are still in use (their frames are not yet "free").
//
// Single CPU, no preemption: not locked.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "mm/types.h"

namespace silk::kernel::mm::frames {

inline constexpr uint64_t kFrameSize = 4096;

struct Range {  // [base, base + size), physical
  uint64_t base;
  uint64_t size;
};

// {ram}: usable RAM; {reserved}: ranges that must never be handed out.
void init(const Range* ram, size_t ram_count, const Range* reserved, size_t reserved_count);

// One frame, contents undefined; a null PhysAddr when memory is exhausted.
PhysAddr allocate();
// One zeroed frame.
PhysAddr allocate_zeroed();
// {count} physically contiguous frames (from the bump ranges only).
PhysAddr allocate_contiguous(uint64_t count);
// Returns a frame from allocate*() (not from the early pool).
void release(PhysAddr frame);

uint64_t free_bytes();
uint64_t total_bytes();  // usable RAM after reservations, at init

}  // namespace silk::kernel::mm::frames
