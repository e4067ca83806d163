// Loads an x86-64 Linux ELF file from the file system into the user half
// (proc/memory): ET_EXEC at its own addresses, ET_DYN (a PIE, a static-pie,
// the dynamic loader) at a base the caller picks. Nothing is copied up
// front: each PT_LOAD becomes a private file region filled on first touch
// (read-only pages straight from the initrd when they are page-aligned there),
// and the bss past the file's bytes is anonymous memory. W^X: a writable and
// executable segment is refused. PT_INTERP is reported, not followed: the
// caller loads the interpreter (proc/process.cc).
//
// An ET_EXEC is linked at a fixed address, usually 0x400000, which is inside
// the RAM the kernel identity-maps. main.cc asks fixed_range() for that range
// before mm/frames starts (from the initrd's ELF, or the cpio entry the
// command line names) and keeps those physical pages out of the allocator;
// the loader then replaces the identity map there with user pages, and
// refuses an ET_EXEC whose range was not kept.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace silk::kernel::fs {
struct Node;
}

namespace silk::kernel::proc {

inline constexpr uint64_t kPieBase = 0x0000'5555'5555'4000ull;
// The dynamic loader: below the stack's 8 MiB, above the mmap area.
inline constexpr uint64_t kInterpBase = 0x0000'7fff'f7fc'0000ull;

struct ElfImage {
  uint64_t entry;      // with the load bias applied
  uint64_t phdr;       // user address of the program headers (AT_PHDR)
  uint64_t phnum, phent;
  uint64_t bias;       // 0 for ET_EXEC; the load address of an ET_DYN linked at 0
  uint64_t end;        // page-aligned end of the highest segment
  bool pie;            // ET_DYN
};

bool is_elf(const uint8_t* data, uint64_t size);

// For an ET_EXEC in memory: the page-aligned [lo, hi) its PT_LOADs span;
// false for anything else (including malformed files: load_elf reports
// those).
bool fixed_range(const uint8_t* data, uint64_t size, uint64_t* lo, uint64_t* hi);
// The range main.cc kept out of mm/frames (an ET_EXEC may only load there).
void set_fixed_range(uint64_t lo, uint64_t hi);

// Checks and maps the ELF file {file}; an ET_DYN goes to {dyn_base}. When it
// has a PT_INTERP, its path goes to {interp} (NUL-terminated; "" when there
// is none). nullptr on success, else why not.
const char* load_elf(fs::Node* file, uint64_t dyn_base, ElfImage* image, char* interp, size_t interp_cap);

}  // namespace silk::kernel::proc
