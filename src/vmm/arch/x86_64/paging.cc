#include "vmm/arch/x86_64/paging.h"

#include "vmm/arch/x86_64/layout.h"

namespace silk::vmm::arch {
namespace {

// Intel SDM vol. 3, 4.5 "4-Level Paging": entry bits.
constexpr uint64_t kPresent = 1ull << 0;
constexpr uint64_t kWritable = 1ull << 1;
constexpr uint64_t kLargePage = 1ull << 7;  // PS in a page-directory entry: maps 2 MiB

}  // namespace

uint64_t write_identity_page_tables(GuestMemory& memory) {
  uint64_t large_pages = memory.size() / kLargePageSize;
  uint64_t directories = (large_pages + 511) / 512;
  memory.write<uint64_t>(kPml4, kPdpt | kPresent | kWritable);
  for (uint64_t d = 0; d < directories; ++d)
    memory.write<uint64_t>(kPdpt + d * 8, (kPageDirectories + d * kPageSize) | kPresent | kWritable);
  // SAFETY: the directories lie in the monitor's low area (layout.h), inside
  // RAM, since RAM is at least kMinMemory.
  auto* pde = reinterpret_cast<uint64_t*>(memory.checked(kPageDirectories, directories * kPageSize));
  for (uint64_t i = 0; i < large_pages; ++i) pde[i] = (i * kLargePageSize) | kPresent | kWritable | kLargePage;
  return kPml4;
}

}  // namespace silk::vmm::arch
