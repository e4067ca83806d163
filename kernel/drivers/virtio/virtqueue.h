// A split virtqueue (virtio 1.2, 2.7): a descriptor table, the driver
// ("available") ring and the device ("used") ring, in physically contiguous
// frames laid out as the legacy interface requires (2.7.2: the used ring on
// the next page boundary), which a modern device accepts as well.
//
// Every buffer here is one descriptor (no chains, no indirect descriptors):
// the descriptor index is the caller's slot number, so a completed buffer is
// found again by its index. Polled: the driver ring asks the device not to
// interrupt (VIRTQ_AVAIL_F_NO_INTERRUPT); the driver reads used->idx.
// Single CPU, no preemption: not locked.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "drivers/virtio/mmio.h"
#include "mm/types.h"

namespace silk::kernel::drivers::virtio {

class Virtqueue {
 public:
  // Allocates the rings for up to {max_size} entries (a power of two, capped
  // by the device's QueueNumMax) and hands them to {device} as queue {index}.
  // False when the device has no such queue or memory ran out.
  bool init(MmioDevice* device, uint32_t index, uint32_t max_size);

  uint32_t size() const { return size_; }

  // Offers the buffer at physical {addr} of {len} bytes as descriptor {slot}
  // (< size(), not currently offered): device-writable when {device_writes}.
  // Made visible by publish().
  void offer(uint16_t slot, PhysAddr addr, uint32_t len, bool device_writes);
  // One buffer of a chain (offer_chain).
  struct Segment {
    PhysAddr addr;
    uint32_t len;
    bool device_writes;
  };
  // Offers the chain of {count} buffers {segments} (device-readable ones
  // first, as 2.7.4 requires) in descriptors {slot} .. {slot} + {count} - 1
  // (none of them currently offered); the chain's head, {slot}, is what
  // take_used reports. Made visible by publish().
  void offer_chain(uint16_t slot, const Segment* segments, uint16_t count);
  // Makes the offered buffers visible and notifies the device unless it
  // asked not to be (VIRTQ_USED_F_NO_NOTIFY).
  void publish();

  // True when the device has completed a buffer not yet taken.
  bool has_used() const;
  // Takes the next completed buffer: its slot and the bytes the device wrote
  // ({*written}). False when there is none.
  bool take_used(uint16_t* slot, uint32_t* written);

 private:
  struct Descriptor {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
  };
  struct UsedElement {
    uint32_t id;
    uint32_t len;
  };

  MmioDevice* device_ = nullptr;
  uint32_t index_ = 0;
  uint32_t size_ = 0;
  Descriptor* desc_ = nullptr;
  volatile uint16_t* avail_ = nullptr;  // flags, idx, ring[size], used_event
  volatile uint16_t* used_ = nullptr;   // flags, idx, then UsedElement ring[size]
  uint16_t avail_idx_ = 0;              // the driver's next avail->idx
  uint16_t published_idx_ = 0;          // avail->idx the device has seen
  uint16_t used_seen_ = 0;              // used entries taken so far
};

}  // namespace silk::kernel::drivers::virtio
