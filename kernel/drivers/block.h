// A block device as the kernel sees it: 512-byte sectors read and written many
// at a time, a flush that makes completed writes durable, a size and a
// read-only flag. Implemented by virtio-blk over virtio-mmio
// (drivers/virtio/block.h: QEMU microvm, Firecracker) and by silk vm's hvt
// disk (platform/hvt/block.h); platform::block_device() picks one.
//
// Synchronous and polled: each call returns when the device has finished.
// Buffers are kernel memory that is physically contiguous (the identity map:
// frames from mm/frames, heap blocks, the image), because the device reads
// and writes them by physical address. Single CPU, no preemption: not locked.
#pragma once

#include <stdint.h>

namespace silk::kernel::drivers {

inline constexpr uint64_t kSectorSize = 512;

class BlockDevice {
 public:
  // "virtio-blk@0xfeb00e00 (mmio v1)", "hvt-disk": for messages.
  virtual const char* name() const = 0;
  // The disk's size in kSectorSize sectors.
  virtual uint64_t sectors() const = 0;
  virtual bool read_only() const = 0;
  // False when the device has no flush (a virtio-blk device without
  // VIRTIO_BLK_F_FLUSH is write-through: a write is durable when it
  // completes); flush() then returns 0 at once.
  virtual bool can_flush() const = 0;

  // {count} sectors from sector {sector} into / from {buf}. 0, -EINVAL (the
  // range leaves the disk; nothing was sent to the device), -EROFS (a write
  // to a read-only disk) or -EIO (the device failed; the sectors' contents are
  // then unspecified).
  virtual int read(uint64_t sector, void* buf, uint64_t count) = 0;
  virtual int write(uint64_t sector, const void* buf, uint64_t count) = 0;
  // Makes every completed write durable. 0 or -EIO.
  virtual int flush() = 0;

 protected:
  ~BlockDevice() = default;  // devices live for the kernel's lifetime
};

// Whether [{sector}, +{count}) lies on {device}.
inline bool in_range(const BlockDevice& device, uint64_t sector, uint64_t count) {
  return sector <= device.sectors() && count <= device.sectors() - sector;
}

}  // namespace silk::kernel::drivers
