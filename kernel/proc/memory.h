// The user half of the (single) address space: a table of regions (VMAs)
// with their protection, demand paging for anonymous memory, brk, and the
// mmap/munmap/mprotect behind the system calls. User pages live in the
// kernel's page tables (one process, no other address space yet), always
// with the user bit, and never writable and executable at once (W^X:
// PROT_WRITE|PROT_EXEC is refused with -EACCES).
//
// Layout (the kernel identity-maps RAM from 0, so the user half starts above
// any RAM; a fixed-address ET_EXEC below that is the one exception, see
// proc/elf_loader.h):
//   0x0000_0100_0000_0000  brk of an ET_EXEC (1 TiB: above any guest RAM)
//   0x0000_5555_5555_4000  a static-pie's load address; its brk follows it
//   ...        mmap: the highest free range below 0x7f00_0000_0000
//   0x7fff_ffff_f000       top of the 8 MiB stack (demand-paged)
#pragma once

#include <stdint.h>

#include "arch/paging.h"
#include "arch/trap_frame.h"

namespace silk::kernel::proc::memory {

inline constexpr uint64_t kUserMin = 0x0000'0100'0000'0000ull;
inline constexpr uint64_t kUserTop = 0x0000'8000'0000'0000ull;
inline constexpr uint64_t kExecBrkBase = kUserMin;
inline constexpr uint64_t kMmapTop = 0x0000'7f00'0000'0000ull;
inline constexpr uint64_t kStackTop = 0x0000'7fff'ffff'f000ull;
inline constexpr uint64_t kStackSize = 8ull << 20;

// PROT_* bits (asm-generic/mman-common.h).
inline constexpr int kProtRead = 1, kProtWrite = 2, kProtExec = 4;

// Allows user regions in [{lo}, {hi}) below kUserMin (a fixed ET_EXEC whose
// physical range was kept from mm/frames).
void allow_low_range(uint64_t lo, uint64_t hi);

// Adds the region [{start}, {start} + {size}) (page aligned) with {prot},
// replacing what was there (its pages are released). No pages are
// allocated. False when the table is full or the range is not user memory.
bool add_region(uint64_t start, uint64_t size, int prot);
// Maps one page at {page} to {frame} with the region's protection (the ELF
// loader's eager pages).
bool map_page(uint64_t page, PhysAddr frame, int prot);

// Demand paging: resolves a not-present fault at {address} (error code
// {error}, Intel SDM 4.7) inside a region that allows the access, with a
// zeroed 2 MiB leaf when the region covers the aligned 2 MiB around it and
// nothing is mapped there yet, else a zeroed 4 KiB page. Otherwise
// the fault is the program's: outside every region, inside one that does
// not allow the access, or no frame was left.
// A fault from ring 3 passes its {frame}: recycled memory is then cleared
// from ring 3 (proc/user_clear.h), which redirects {frame} through the stub;
// the kernel's own faults pass nullptr.
enum class Fault { kResolved, kUnmapped, kDenied, kNoMemory };
Fault handle_fault(uint64_t address, uint64_t error, arch::TrapFrame* frame);
// Gives the pages present in [{address}, +{size}) the page protection of
// {prot}, leaving the regions alone (proc/user_clear's last step).
void set_page_protection(uint64_t address, uint64_t size, int prot);

// Checks that [{address}, +{size}) is user memory with read (or, with
// {write}, write) access and makes its pages present, so the kernel can copy
// to and from it directly. False: -EFAULT.
bool prepare(uint64_t address, uint64_t size, bool write);

// The system calls (-errno on failure). Every range operation costs
// O(regions + present pages in the range), never a step per 4 KiB of it:
// an 8 GiB PROT_NONE reservation is one region and no page tables.
void set_brk_base(uint64_t base);
int64_t brk(uint64_t address);
// Anonymous memory only (-ENODEV otherwise). Without MAP_FIXED: the hint
// when that range is free, else the highest free range below kMmapTop (freed
// ranges are reused; 2 MiB aligned from 2 MiB up).
int64_t mmap(uint64_t address, uint64_t size, int prot, int flags, int fd, uint64_t offset);
int64_t munmap(uint64_t address, uint64_t size);
int64_t mprotect(uint64_t address, uint64_t size, int prot);
// MADV_DONTNEED and MADV_FREE release the pages (the next touch maps zeroed
// ones); the other advice is accepted and ignored; MADV_REMOVE -EINVAL.
int64_t madvise(uint64_t address, uint64_t size, int advice);
// Shrinks in place, grows in place when the range after it is free, else
// moves the pages (MREMAP_MAYMOVE, or to MREMAP_FIXED's address). The old
// range must lie in one region (-EFAULT); no MREMAP_DONTUNMAP.
int64_t mremap(uint64_t old_address, uint64_t old_size, uint64_t new_size, int flags, uint64_t new_address);

// 4 KiB pages of user memory present (getrusage's maximum resident size).
uint64_t present_pages();

}  // namespace silk::kernel::proc::memory
