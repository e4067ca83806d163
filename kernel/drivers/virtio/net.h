// virtio-net over virtio-mmio (virtio 1.2, 5.1): one receive queue (0) and
// one transmit queue (1), polled. Features taken: VIRTIO_NET_F_MAC and, on a
// modern device, VIRTIO_F_VERSION_1; no offloads (lwIP checksums in software),
// no mergeable buffers, no control queue.
//
// Buffers come from mm/frames (physical = virtual): 2 KiB each, the
// virtio_net_hdr followed by the frame. Receive buffers stay offered to the
// device and are copied out by receive(); each send copies the frame once
// into a free transmit buffer.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "drivers/virtio/mmio.h"
#include "drivers/virtio/virtqueue.h"
#include "net/device.h"

namespace silk::kernel::drivers::virtio {

class VirtioNet final : public net::NetDevice {
 public:
  // Sets up the device at {device} (probed, DeviceID net): features, both
  // queues, the receive buffers, DRIVER_OK. False (with the reason printed)
  // when the device refused or memory ran out.
  bool init(const MmioDevice& device);

  const char* name() const override;  // "virtio-net@0xfeb00e00 (mmio v1)"
  void mac(uint8_t out[6]) const override;
  uint32_t mtu() const override { return 1500; }
  uint8_t* send_buffer(size_t len) override;
  bool send(size_t len) override;
  size_t receive(uint8_t* buf, size_t cap) override;
  bool wait(uint64_t timeout_ns) override;

  uint32_t transport_version() const { return mmio_.version(); }
  uint64_t base() const { return mmio_.base(); }

 private:
  static constexpr uint32_t kQueueEntries = 128;
  static constexpr uint32_t kBufferBytes = 2048;
  static constexpr uint32_t kInitialReceiveBuffers = 16;

  uint8_t* buffer(uint8_t* area, uint16_t slot) const { return area + size_t{slot} * kBufferBytes; }
  void reclaim_sent();
  void post_receive_buffer();  // offers slot rx_posted_ (< the ring size)

  MmioDevice mmio_;
  Virtqueue rx_;
  Virtqueue tx_;
  uint8_t* rx_buffers_ = nullptr;
  uint8_t* tx_buffers_ = nullptr;
  uint32_t rx_posted_ = 0;           // receive slots handed out so far (they stay in use)
  uint16_t tx_free_[kQueueEntries];  // a stack of completed transmit slots
  uint32_t tx_free_count_ = 0;
  uint32_t tx_fresh_ = 0;            // slots [tx_fresh_, size) were never used
  uint32_t rx_unpublished_ = 0;      // receive buffers offered but not yet published
  int32_t tx_pending_slot_ = -1;  // the slot send_buffer() handed out
  uint32_t header_bytes_ = 10;    // struct virtio_net_hdr: 12 with VERSION_1
  uint8_t mac_[6] = {};
  mutable char name_[40] = {};
};

// The first virtio-net device announced on {cmdline} (virtio_mmio.device=),
// set up; nullptr when there is none or it failed.
VirtioNet* probe_net(const char* cmdline);

}  // namespace silk::kernel::drivers::virtio
