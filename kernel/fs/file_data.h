// A regular file's contents (FileData in fs/node.h). A file unpacked from the
// initrd keeps its bytes where they are (zero copy); the first write to a
// page copies that page into a frame from mm/frames, which the file then
// owns. Holes and the bytes past a truncation read as zeros. The page table
// (one PhysAddr per page) is on the heap; the data never is.
//
// All pointers here are kernel-accessible: user buffers must already have
// been checked and made present (proc::memory::prepare).
#pragma once

#include <stdint.h>

#include "fs/node.h"

namespace silk::kernel::fs::data {

inline constexpr uint64_t kMaxFileSize = 1ull << 40;

// Makes {file}'s contents the read-only bytes [{base}, +{size}).
void set_in_place(Node* file, const uint8_t* base, uint64_t size);

// Copies up to {n} bytes at {offset} to {dst}; returns how many (0 at or
// past the end).
uint64_t read(const Node* file, uint64_t offset, void* dst, uint64_t n);
// Writes {n} bytes from {src} at {offset}, growing the file; the bytes
// written, or -ENOSPC (no frames left; nothing written) / -EFBIG.
int64_t write(Node* file, uint64_t offset, const void* src, uint64_t n);
// Sets the size: shrinking frees whole pages and zeroes the rest of the
// last one; growing leaves a hole. 0, -ENOMEM or -EFBIG.
int truncate(Node* file, uint64_t size);
// Frees the owned frames and the page table.
void release(Node* file);

// The frame holding the whole page at {offset} (page aligned) when that
// page is in-place initrd data at a page-aligned physical address and lies
// entirely inside the file: a read-only mapping may use it directly.
bool in_place_frame(const Node* file, uint64_t offset, PhysAddr* frame);

}  // namespace silk::kernel::fs::data
