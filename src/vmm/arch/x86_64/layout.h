// The guest-physical memory layout silk's monitor sets up on x86-64. Memory
// below 1 MiB belongs to the monitor's boot structures; the kernel may reuse
// it once it runs on its own page tables, GDT and stack.
//
//   0x000000  unused (zero)
//   0x001000  GDT: null, code 0x08 (64-bit), data 0x10
//   0x002000  PML4
//   0x003000  PDPT
//   0x004000  page directories, one per GiB of RAM (2 MiB pages), up to 64
//   0x044000  HvtBootInfo
//   0x045000  command line, NUL-terminated (at most kCmdlineMax bytes)
//   0x050000  boot stack (256 KiB), growing down from
//   0x090000  kBootStackTop
//   0x100000  the kernel's PT_LOAD segments (kImageMin and up)
//   ...       the initrd, page-aligned after the kernel (boot info: initrd)
//   ...       free up to mem_size
#pragma once

#include <elf.h>

#include <cstdint>

#include "silk/hvt_abi.h"

namespace silk::vmm::arch {

using hvt::GuestPhys;

inline constexpr uint64_t kPageSize = 4096;
inline constexpr uint64_t kLargePageSize = 2ull << 20;
inline constexpr GuestPhys kGdt = 0x1000;
inline constexpr GuestPhys kPml4 = 0x2000;
inline constexpr GuestPhys kPdpt = 0x3000;
inline constexpr GuestPhys kPageDirectories = 0x4000;
inline constexpr uint64_t kMaxPageDirectories = 64;
inline constexpr GuestPhys kBootInfo = 0x44000;
inline constexpr GuestPhys kCmdline = 0x45000;
inline constexpr uint64_t kCmdlineMax = 0x50000 - kCmdline;  // including the NUL
inline constexpr GuestPhys kBootStackBottom = 0x50000;
inline constexpr GuestPhys kBootStackTop = 0x90000;
inline constexpr GuestPhys kImageMin = 0x100000;

// Guest RAM: a whole number of 2 MiB pages, from 4 MiB to 64 GiB (one page
// directory per GiB).
inline constexpr uint64_t kMemoryAlign = kLargePageSize;
inline constexpr uint64_t kMinMemory = 4ull << 20;
inline constexpr uint64_t kMaxMemory = kMaxPageDirectories << 30;

inline constexpr uint16_t kElfMachine = EM_X86_64;

static_assert(kPageDirectories + kMaxPageDirectories * kPageSize <= kBootInfo);
static_assert(sizeof(hvt::HvtBootInfo) <= kCmdline - kBootInfo);

}  // namespace silk::vmm::arch
