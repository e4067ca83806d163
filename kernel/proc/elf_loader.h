// Loads a static x86-64 Linux ELF (ET_EXEC, or ET_DYN without PT_INTERP: a
// static-pie) from memory into the user half (proc/memory). PT_LOAD pages
// are allocated and filled eagerly, with the segment's protection (W^X: a
// writable and executable segment is refused). A static-pie is placed at
// kPieBase.
//
// An ET_EXEC is linked at a fixed address, usually 0x400000, which is inside
// the RAM the kernel identity-maps. fixed_range() reports that range before
// mm/frames starts, so the kernel keeps those physical pages out of the
// allocator; the loader then replaces the identity leaves with user pages.
#pragma once

#include <stdint.h>

namespace silk::kernel::proc {

inline constexpr uint64_t kPieBase = 0x0000'5555'5555'4000ull;

struct ElfImage {
  uint64_t entry;      // with the load bias applied
  uint64_t phdr;       // user address of the program headers (AT_PHDR)
  uint64_t phnum, phent;
  uint64_t bias;       // 0 for ET_EXEC
  uint64_t end;        // page-aligned end of the highest segment
  bool pie;
};

bool is_elf(const uint8_t* data, uint64_t size);

// For an ET_EXEC: the page-aligned [lo, hi) its PT_LOADs span; false for
// anything else (including malformed files: load() reports those).
bool fixed_range(const uint8_t* data, uint64_t size, uint64_t* lo, uint64_t* hi);

// Checks and loads the file; nullptr on success, else why not.
const char* load_elf(const uint8_t* data, uint64_t size, ElfImage* image);

}  // namespace silk::kernel::proc
