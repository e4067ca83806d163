// silk::vmm — loading the kernel image into guest memory.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "common/result.h"
#include "vmm/kvm/memory.h"

namespace silk::vmm {

struct LoadedKernel {
  GuestPhys entry;  // guest-physical entry point (inside an executable segment)
  GuestPhys end;    // first byte after the highest segment, page-aligned
};

// Loads the kernel at {path}: a static, fixed-address ELF64 ET_EXEC for the
// host's architecture, whose PT_LOAD segments are placed at their physical
// addresses (p_paddr), all at or above 1 MiB and inside {memory}, none both
// writable and executable (W^X), none overlapping. {memory} must be freshly
// zeroed (bss is not cleared again). Every offset, address and size is
// overflow-checked against the file and guest RAM; the error names the file,
// the program header and the problem.
Result<LoadedKernel> load_kernel_elf(const std::string& path, GuestMemory& memory);
// The same for a kernel ELF already in memory ({name} is used in errors).
Result<LoadedKernel> load_kernel_elf(std::span<const uint8_t> file, const std::string& name, GuestMemory& memory);

}  // namespace silk::vmm
