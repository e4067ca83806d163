// The user half of the (single) address space: a table of regions (VMAs,
// sorted by address) with their protection, demand paging, brk, and the
// mmap/munmap/mprotect/madvise/mremap behind the system calls. User pages
// live in the kernel's page tables (one process, no other address space
// yet), always with the user bit, and never writable and executable at once
// (W^X: PROT_WRITE|PROT_EXEC is refused with -EACCES).
//
// A region is anonymous (zero-filled on first touch; a 2 MiB leaf where the
// region covers the aligned block and nothing is mapped there yet) or shows
// a file (4 KiB pages only): a private mapping's pages are filled from the
// file on first touch (bytes past the end of the file, or past the region's
// zero_from, read as zero; a page wholly past the file's last page is
// SIGBUS). A read of a page whose bytes sit page-aligned in the initrd maps
// that frame directly (borrowed, arch::PageFlags: never released, never made
// writable), with its neighbours (fault-around); a write to a borrowed page
// of a writable private mapping copies it first. A shared mapping is
// read-only and shows the file as of the first touch of each page. The
// region holds a reference on the file's node.
//
// Layout (the kernel identity-maps RAM from 0, so the user half starts above
// any RAM; a fixed-address ET_EXEC below that is the one exception, see
// proc/elf_loader.h):
//   0x0000_0100_0000_0000  brk of an ET_EXEC (1 TiB: above any guest RAM)
//   0x0000_5555_5555_4000  a PIE's load address; its brk follows it
//   ...        mmap: the highest free range below 0x7f00_0000_0000
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
// {prot}, replacing what was there (its pages are released). No pages are
// allocated. False when the table is full or the range is not user memory.
bool add_region(uint64_t start, uint64_t size, int prot, RegionKind kind = RegionKind::kAnonymous);
// Adds a private file region (the ELF loader's segments): the page at
// {start} shows {node}'s bytes from {offset} (page aligned); addresses from
// {zero_from} on read as zero.
bool add_file_region(uint64_t start, uint64_t size, int prot, fs::Node* node, uint64_t offset, uint64_t zero_from);

// Demand paging: resolves a fault at {address} (error code {error}, Intel
// SDM 4.7) inside a region that allows the access: a not-present page (see
// above), or a write to a borrowed page (copied). Otherwise the fault is the
// program's: outside every region (kUnmapped), inside one that does not
// allow the access (kDenied), no frame was left (kNoMemory), or a page
// wholly past the end of a mapped file (kBeyondFile: SIGBUS).
enum class Fault { kResolved, kUnmapped, kDenied, kNoMemory, kBeyondFile };
Fault handle_fault(uint64_t address, uint64_t error);
// Whether {address} is in a file mapping but past the file's last page
// (the report of a SIGBUS tells this case apart).
bool beyond_file_end(uint64_t address);

// Checks that [{address}, +{size}) is user memory with read (or, with
// {write}, write) access and makes its pages present (and writable: a
// borrowed page is copied), so the kernel can copy to and from it directly
// without faulting. False: -EFAULT.
bool prepare(uint64_t address, uint64_t size, bool write);

// The system calls (-errno on failure). Every range operation costs
// O(regions + present pages in the range), never a step per 4 KiB of it:
// an 8 GiB PROT_NONE reservation is one region and no page tables, and a
// region no page was ever made present in costs no page-table walk.
void set_brk_base(uint64_t base);
int64_t brk(uint64_t address);
// {file}: the open file for a file mapping, nullptr with MAP_ANONYMOUS.
// MAP_PRIVATE (read-only or a writable copy) and read-only MAP_SHARED of
// regular files; /dev/zero is anonymous memory; shared writable file
// mappings -ENODEV. Without MAP_FIXED: the hint when that range is free,
// else the highest free range below kMmapTop (freed ranges are reused; 2 MiB
// aligned from 2 MiB up).
int64_t mmap(uint64_t address, uint64_t size, int prot, int flags, fs::File* file, uint64_t offset);
int64_t munmap(uint64_t address, uint64_t size);
int64_t mprotect(uint64_t address, uint64_t size, int prot);
// MADV_DONTNEED releases the pages: the next touch maps zeroed ones in
// anonymous memory and re-reads the file in a private file mapping (Linux's
// semantics); MADV_FREE does the same on anonymous memory (-EINVAL on a
// file mapping); the other advice is accepted and ignored; MADV_REMOVE
// -EINVAL.
int64_t madvise(uint64_t address, uint64_t size, int advice);
// Shrinks in place, grows in place when the range after it is free, else
// moves the pages (MREMAP_MAYMOVE, or to MREMAP_FIXED's address). The old
// range must lie in one region (-EFAULT); no MREMAP_DONTUNMAP. File
// mappings follow the same rules (a grown part continues the file; moved
// borrowed pages stay borrowed); -EINVAL for old_size 0 (the duplicate of a
// shared mapping is not supported).
int64_t mremap(uint64_t old_address, uint64_t old_size, uint64_t new_size, int flags, uint64_t new_address);

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

// 4 KiB pages of memory the process owns (getrusage's maximum resident
// size); borrowed initrd pages are not counted.
uint64_t present_pages();

}  // namespace silk::kernel::proc::memory
