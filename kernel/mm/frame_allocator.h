// Physical page frames (4 KiB) and large blocks (2 MiB, 2 MiB aligned).
//
// Free memory is a list of ranges (the RAM of the memory map minus the first
// MiB, the kernel image and the initrd): 4 KiB frames are handed out
// bottom-up and 2 MiB blocks top-down by bump pointers, plus LIFO lists of
// freed frames and blocks linked through the memory itself (it is
// identity-mapped). Init is O(regions), not O(frames): no bitmap to clear,
// which is where boot time goes in other kernels. Freed frames do not
// coalesce back into blocks; a freed block is split into frames when no
// other frame is left.
//
// Zeroing: RAM the kernel has not handed out yet is zero, because both
// platforms give the guest fresh, zero-filled memory (silk vm and QEMU map
// anonymous host memory; their loaders write only the kernel, the initrd and
// the first MiB, all reserved). allocate_zeroed and allocate_large clear only
// memory that was used before. That matters where ring 0 is emulated
// (kvm-pvm: clearing 4 KiB costs about 0.35 ms, 2 MiB about 175 ms).
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
// One zeroed, 2 MiB aligned block of kLargeSize bytes; null when there is
// none (memory may still be left in frames).
inline constexpr uint64_t kLargeSize = 2 * 1024 * 1024;
PhysAddr allocate_large();
// Returns a block from allocate_large() (whole; a block whose mapping was
// split goes back frame by frame with release()).
void release_large(PhysAddr block);
// The same two without the clearing: {*zero} says whether the memory is
// known to be zero; when it is not, the caller clears it (proc/memory does
// that from ring 3 where it can).
PhysAddr allocate_uncleared(bool* zero);
PhysAddr allocate_large_uncleared(bool* zero);
// {count} physically contiguous frames (from the bump ranges only).
PhysAddr allocate_contiguous(uint64_t count);
// Returns a frame from allocate*() (not from the early pool).
void release(PhysAddr frame);

uint64_t free_bytes();
uint64_t total_bytes();  // usable RAM after reservations, at init

}  // namespace silk::kernel::mm::frames
