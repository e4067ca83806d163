#include "platform/hvt/block.h"

#include "lib/errno.h"
#include "platform/hvt/hvt.h"

namespace silk::kernel::platform::hvt {
namespace {

HvtBlock g_device;

}  // namespace

uint64_t HvtBlock::sectors() const { return block_info().bytes / drivers::kSectorSize; }
bool HvtBlock::read_only() const { return block_info().read_only; }

// The range is checked here: the monitor stops a VM that asks for sectors
// past the end (hvt_abi.h, "Faults").
int HvtBlock::read(uint64_t sector, void* buf, uint64_t count) {
  if (!drivers::in_range(*this, sector, count)) return -err::kInval;
  if (count == 0) return 0;
  return block_read(sector * drivers::kSectorSize, buf, count * drivers::kSectorSize) == 0 ? 0 : -err::kIo;
}

int HvtBlock::write(uint64_t sector, const void* buf, uint64_t count) {
  if (!drivers::in_range(*this, sector, count)) return -err::kInval;
  if (read_only()) return -err::kRofs;
  if (count == 0) return 0;
  return block_write(sector * drivers::kSectorSize, buf, count * drivers::kSectorSize) == 0 ? 0 : -err::kIo;
}

int HvtBlock::flush() { return block_flush() == 0 ? 0 : -err::kIo; }

HvtBlock* block_device() { return block_info().bytes != 0 ? &g_device : nullptr; }

}  // namespace silk::kernel::platform::hvt
