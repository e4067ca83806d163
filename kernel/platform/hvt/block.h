// silk vm's disk (`silk vm --disk FILE [--disk-readonly]`) as a
// drivers::BlockDevice: BlockRead/BlockWrite move any number of sectors per
// hypercall, BlockFlush is the host's fdatasync (include/silk/hvt_abi.h).
// Present when HvtBootInfo.block_size != 0 (ABI 3). Internal to platform/;
// the kernel gets it from platform::block_device().
#pragma once

#include "drivers/block.h"

namespace silk::kernel::platform::hvt {

class HvtBlock final : public drivers::BlockDevice {
 public:
  const char* name() const override { return "hvt-disk"; }
  uint64_t sectors() const override;
  bool read_only() const override;
  bool can_flush() const override { return true; }
  int read(uint64_t sector, void* buf, uint64_t count) override;
  int write(uint64_t sector, const void* buf, uint64_t count) override;
  int flush() override;
};

// The monitor's disk, or nullptr when it has none.
HvtBlock* block_device();

}  // namespace silk::kernel::platform::hvt
