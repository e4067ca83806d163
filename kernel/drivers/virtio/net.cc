#include "drivers/virtio/net.h"

#include "arch/cpu.h"
#include "arch/user.h"
#include "lib/clock.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/frame_allocator.h"

namespace silk::kernel::drivers::virtio {
namespace {

constexpr uint64_t kNetFeatureMac = 1ull << 5;  // VIRTIO_NET_F_MAC (5.1.3)
constexpr uint32_t kReceiveQueue = 0, kTransmitQueue = 1;
// Receive buffers given back to the device before it is told about them
// (each notify is a VM exit).
constexpr uint32_t kRefillBatch = 32;

VirtioNet g_device;  // the one device this kernel drives

// A whole number of frames of {bytes}, physically contiguous; nullptr when
// memory ran out.
uint8_t* allocate_buffers(uint64_t bytes) {
  PhysAddr p = mm::frames::allocate_contiguous(align_up(bytes, mm::frames::kFrameSize) / mm::frames::kFrameSize);
  return p.is_null() ? nullptr : phys_to_virt<uint8_t>(p);
}

}  // namespace

bool VirtioNet::init(const MmioDevice& device) {
  mmio_ = device;
  bool ok = false;
  uint64_t features = mmio_.negotiate(kNetFeatureMac, &ok);
  if (!ok) {
    kprintf("virtio-net@0x%lx: the device refused the features\n", mmio_.base());
    return false;
  }
  // 5.1.6: the header is 12 bytes (num_buffers included) with VERSION_1, and
  // 10 bytes for a legacy device without VIRTIO_NET_F_MRG_RXBUF.
  header_bytes_ = (features & kFeatureVersion1) != 0 ? 12 : 10;
  if (!rx_.init(&mmio_, kReceiveQueue, kQueueEntries) || !tx_.init(&mmio_, kTransmitQueue, kQueueEntries)) {
    kprintf("virtio-net@0x%lx: cannot set up the queues\n", mmio_.base());
    mmio_.fail();
    return false;
  }
  rx_buffers_ = allocate_buffers(uint64_t{rx_.size()} * kBufferBytes);
  tx_buffers_ = allocate_buffers(uint64_t{tx_.size()} * kBufferBytes);
  if (rx_buffers_ == nullptr || tx_buffers_ == nullptr) {
    kprintf("virtio-net@0x%lx: out of memory for buffers\n", mmio_.base());
    mmio_.fail();
    return false;
  }
  // A few receive buffers now, the rest one per received frame (receive()):
  // every ring-0 instruction counts at boot under kvm-pvm.
  while (rx_posted_ < kInitialReceiveBuffers && rx_posted_ < rx_.size()) post_receive_buffer();
  if ((features & kNetFeatureMac) != 0) {
    for (uint32_t i = 0; i < 6; ++i) mac_[i] = mmio_.config8(i);  // 5.1.4: mac at offset 0
  } else {
    // A random, locally administered unicast address.
    uint64_t r = arch::read_timestamp();
    arch::random64(&r);
    for (uint32_t i = 0; i < 6; ++i) mac_[i] = static_cast<uint8_t>(r >> (8 * i));
    mac_[0] = static_cast<uint8_t>((mac_[0] & 0xfe) | 0x02);
  }
  mmio_.driver_ok();
  rx_.publish();  // 3.1.1: buffers may be offered before DRIVER_OK, notified after
  rx_unpublished_ = 0;
  return true;
}

void VirtioNet::mac(uint8_t out[6]) const { memcpy(out, mac_, 6); }

const char* VirtioNet::name() const {
  if (name_[0] == '\0') format(name_, sizeof name_, "virtio-net@0x%lx (mmio v%u)", mmio_.base(), mmio_.version());
  return name_;
}

void VirtioNet::post_receive_buffer() {
  auto slot = static_cast<uint16_t>(rx_posted_++);
  rx_.offer(slot, virt_to_phys(buffer(rx_buffers_, slot)), kBufferBytes, true);
  ++rx_unpublished_;
}

void VirtioNet::reclaim_sent() {
  uint16_t slot;
  uint32_t written;
  while (tx_.take_used(&slot, &written)) tx_free_[tx_free_count_++] = slot;
}

uint8_t* VirtioNet::send_buffer(size_t len) {
  if (len + header_bytes_ > kBufferBytes) return nullptr;
  if (tx_free_count_ == 0) reclaim_sent();
  uint16_t slot;
  if (tx_free_count_ != 0) {
    slot = tx_free_[--tx_free_count_];
  } else if (tx_fresh_ < tx_.size()) {
    slot = static_cast<uint16_t>(tx_fresh_++);  // never used yet
  } else {
    return nullptr;
  }
  tx_pending_slot_ = slot;
  uint8_t* b = buffer(tx_buffers_, slot);
  memset(b, 0, header_bytes_);  // no checksum offload, no GSO (5.1.6.2)
  return b + header_bytes_;
}

bool VirtioNet::send(size_t len) {
  if (tx_pending_slot_ < 0) return false;
  auto slot = static_cast<uint16_t>(tx_pending_slot_);
  tx_pending_slot_ = -1;
  tx_.offer(slot, virt_to_phys(buffer(tx_buffers_, slot)), static_cast<uint32_t>(header_bytes_ + len), false);
  tx_.publish();
  return true;
}

size_t VirtioNet::receive(uint8_t* buf, size_t cap) {
  size_t n = 0;
  uint16_t slot;
  uint32_t written;
  while (n == 0 && rx_.take_used(&slot, &written)) {
    if (written > header_bytes_ && written - header_bytes_ <= cap) {
      n = written - header_bytes_;
      memcpy(buf, buffer(rx_buffers_, slot) + header_bytes_, n);
    }
    rx_.offer(slot, virt_to_phys(buffer(rx_buffers_, slot)), kBufferBytes, true);
    ++rx_unpublished_;
    if (rx_posted_ < rx_.size()) post_receive_buffer();  // grow toward the full ring
  }
  if (rx_unpublished_ != 0 && (rx_unpublished_ >= kRefillBatch || !rx_.has_used())) {
    rx_.publish();
    rx_unpublished_ = 0;
  }
  return n;
}

bool VirtioNet::wait(uint64_t timeout_ns) {
  // No interrupts yet: spin on the used rings with `pause` until the
  // deadline. Under QEMU the device runs on other host threads, so this only
  // costs this vCPU's time.
  uint64_t start = arch::read_timestamp();
  uint64_t ticks = ns_to_ticks(timeout_ns);
  for (;;) {
    if (rx_.has_used()) return true;
    if (arch::read_timestamp() - start >= ticks) return false;
    asm volatile("pause");
  }
}

VirtioNet* probe_net(const char* cmdline) {
  MmioWindow windows[8];
  size_t count = parse_mmio_windows(cmdline, windows, 8);
  for (size_t i = 0; i < count && i < 8; ++i) {
    MmioDevice device;
    if (!device.probe(windows[i]) || device.device_id() != kDeviceNet) continue;
    if (g_device.init(device)) return &g_device;
    return nullptr;  // the first net device only: g_device is spent
  }
  return nullptr;
}

}  // namespace silk::kernel::drivers::virtio
