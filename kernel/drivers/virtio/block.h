// virtio-blk over virtio-mmio (virtio 1.2, 5.2): one request queue (0),
// polled, one request in flight. Features taken: VIRTIO_BLK_F_RO,
// VIRTIO_BLK_F_FLUSH (legacy: VIRTIO_BLK_F_WCE, the same bit) and
// VIRTIO_BLK_F_SIZE_MAX, plus VIRTIO_F_VERSION_1 on a modern device. Without
// FLUSH the device is write-through (a completed write is durable) and
// flush() has nothing to send.
//
// A request is a chain of three descriptors: the 16-byte header
// (type, reserved, sector), the caller's buffer (physically contiguous; cut
// into pieces of at most the device's size_max, else 1 MiB) and the status
// byte. The header and status live in one frame of the driver's.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "drivers/block.h"
#include "drivers/virtio/mmio.h"
#include "drivers/virtio/virtqueue.h"

namespace silk::kernel::drivers::virtio {

class VirtioBlock final : public BlockDevice {
 public:
  // Sets up the device at {device} (probed, DeviceID block): features, the
  // queue, DRIVER_OK. False (with the reason printed) when the device refused
  // or memory ran out.
  bool init(const MmioDevice& device);

  const char* name() const override;  // "virtio-blk@0xfeb00e00 (mmio v1)"
  uint64_t sectors() const override { return sectors_; }
  bool read_only() const override { return read_only_; }
  bool can_flush() const override { return can_flush_; }
  int read(uint64_t sector, void* buf, uint64_t count) override;
  int write(uint64_t sector, const void* buf, uint64_t count) override;
  int flush() override;

 private:
  // One request of {type}; {len} bytes at {buf} (none for a flush). 0 or -EIO.
  int request(uint32_t type, uint64_t sector, const void* buf, uint32_t len);
  int transfer(uint32_t type, uint64_t sector, const void* buf, uint64_t count);

  MmioDevice mmio_;
  Virtqueue queue_;
  uint8_t* control_ = nullptr;  // the request header at 0, the status byte at 64
  uint64_t sectors_ = 0;
  uint32_t max_bytes_ = 0;  // per request, whole sectors
  bool read_only_ = false;
  bool can_flush_ = false;
  bool failed_ = false;  // a request timed out: the queue's state is unknown
  mutable char name_[40] = {};
};

// The first virtio-blk device announced on {cmdline} (virtio_mmio.device=),
// set up; nullptr when there is none or it failed.
VirtioBlock* probe_block(const char* cmdline);

}  // namespace silk::kernel::drivers::virtio
