// The PVH boot information, from Xen's public header
// xen/include/public/arch-x86/hvm/start_info.h (the layout is the ABI; the
// memory map needs version >= 1). All addresses are physical.
#pragma once

#include <stdint.h>

namespace silk::kernel::platform::pvh {

inline constexpr uint32_t kStartInfoMagic = 0x336ec578;
inline constexpr uint32_t kMemmapRam = 1;  // E820 type "usable"

struct HvmStartInfo {
  uint32_t magic;
  uint32_t version;
  uint32_t flags;
  uint32_t nr_modules;
  uint64_t modlist_paddr;   // HvmModlistEntry[nr_modules]
  uint64_t cmdline_paddr;   // NUL-terminated, or 0
  uint64_t rsdp_paddr;
  uint64_t memmap_paddr;    // HvmMemmapEntry[memmap_entries], version >= 1
  uint32_t memmap_entries;
  uint32_t reserved;
};
static_assert(sizeof(HvmStartInfo) == 56);

struct HvmModlistEntry {
  uint64_t paddr;
  uint64_t size;
  uint64_t cmdline_paddr;
  uint64_t reserved;
};
static_assert(sizeof(HvmModlistEntry) == 32);

struct HvmMemmapEntry {
  uint64_t addr;
  uint64_t size;
  uint32_t type;
  uint32_t reserved;
};
static_assert(sizeof(HvmMemmapEntry) == 24);

}  // namespace silk::kernel::platform::pvh
