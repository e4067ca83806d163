// The user half of the (single) address space: a table of regions (VMAs,
// sorted by address) with their protection, demand paging, brk, and the
// mmap/munmap/mprotect behind the system calls. User pages live in the
// kernel's page tables (one process, no other address space yet), always
// with the user bit, and never writable and executable at once (W^X:
// PROT_WRITE|PROT_EXEC is refused with -EACCES).
//
// A region is anonymous (zero-filled on first touch) or shows a file: a
// private mapping's pages are filled from the file on first touch (bytes
// past the end of the file, or past the region's zero_from, read as zero; a
// page wholly past the file's last page is SIGBUS). A read-only page whose
// bytes sit page-aligned in the initrd maps that frame directly (borrowed,
// arch::PageFlags); a write after mprotect copies it first. A shared mapping
// is read-only and shows the file as of the first touch of each page. The
// region holds a reference on the file's node.
//
// Layout (the kernel identity-maps RAM from 0, so the user half starts above
// any RAM; a fixed-address ET_EXEC below that is the one exception, see
// proc/elf_loader.h):
//   0x0000_0100_0000_0000  brk of an ET_EXEC (1 TiB: above any guest RAM)
//   0x0000_5555_5555_4000  a PIE's load address; its brk follows it
//   ...        mmap: top-down from 0x7f00_0000_0000
//   0x7fff_f7fc_0000       the dynamic loader (PT_INTERP)
//   0x7fff_ffff_f000       top of the 8 MiB stack (demand-paged)
#pragma once

#include <stdint.h>

#include "arch/paging.h"

namespace silk::kernel::fs {
struct File;
struct Node;
}  // namespace silk::kernel::fs

namespace silk::kernel::proc::memory {

inline constexpr uint64_t kUserMin = 0x0000'0100'0000'0000ull;
inline constexpr uint64_t kUserTop = 0x0000'8000'0000'0000ull;
inline constexpr uint64_t kExecBrkBase = kUserMin;
inline constexpr uint64_t kMmapTop = 0x0000'7f00'0000'0000ull;
inline constexpr uint64_t kStackTop = 0x0000'7fff'ffff'f000ull;
inline constexpr uint64_t kStackSize = 8ull << 20;

// PROT_* bits (asm-generic/mman-common.h).
inline constexpr int kProtRead = 1, kProtWrite = 2, kProtExec = 4;

enum class RegionKind : uint8_t { kAnonymous, kHeap, kStack, kFile };

// Allows user regions in [{lo}, {hi}) below kUserMin (a fixed ET_EXEC whose
// physical range was kept from mm/frames) and removes the kernel's identity
// map there.
void allow_low_range(uint64_t lo, uint64_t hi);

// Adds the anonymous region [{start}, {start} + {size}) (page aligned) with
// {prot}, replacing what was there. No pages are allocated. False when the
// table is full or the range is not user memory.
bool add_region(uint64_t start, uint64_t size, int prot, RegionKind kind = RegionKind::kAnonymous);
// Adds a private file region (the ELF loader's segments): the page at
// {start} shows {node}'s bytes from {offset} (page aligned); addresses from
// {zero_from} on read as zero.
bool add_file_region(uint64_t start, uint64_t size, int prot, fs::Node* node, uint64_t offset, uint64_t zero_from);

// Demand paging: resolves a fault at {address} (error code {error}, Intel
// SDM 4.7) inside a region that allows the access (a not-present page, or a
// write to a borrowed page); false when the fault is the program's.
bool handle_fault(uint64_t address, uint64_t error);
// For a fault handle_fault refused: whether {address} is in a file mapping
// but past the file's last page (SIGBUS, not SIGSEGV).
bool beyond_file_end(uint64_t address);

// Checks that [{address}, +{size}) is user memory with read (or, with
// {write}, write) access and makes its pages present (and writable), so the
// kernel can copy to and from it directly without faulting. False: -EFAULT.
bool prepare(uint64_t address, uint64_t size, bool write);

void set_brk_base(uint64_t base);
int64_t brk(uint64_t address);
// {file}: the open file for a file mapping, nullptr with MAP_ANONYMOUS.
int64_t mmap(uint64_t address, uint64_t size, int prot, int flags, fs::File* file, uint64_t offset);
int64_t munmap(uint64_t address, uint64_t size);
int64_t mprotect(uint64_t address, uint64_t size, int prot);

// One region, for /proc/self/maps.
struct RegionInfo {
  uint64_t start, end;
  int prot;
  bool shared;
  RegionKind kind;
  const fs::Node* node;  // kFile
  uint64_t offset;       // kFile: the file offset at start
};
// The first region that ends above {address}; false when there is none.
bool region_from(uint64_t address, RegionInfo* out);

// Pages made present so far (diagnostics).
uint64_t present_pages();

}  // namespace silk::kernel::proc::memory
