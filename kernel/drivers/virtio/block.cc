#include "drivers/virtio/block.h"

#include "arch/cpu.h"
#include "lib/clock.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/frame_allocator.h"

namespace silk::kernel::drivers::virtio {
namespace {

// Feature bits (5.2.3).
constexpr uint64_t kBlkSizeMax = 1ull << 1, kBlkReadOnly = 1ull << 5, kBlkFlush = 1ull << 9;
// Request types and statuses (5.2.6).
constexpr uint32_t kTypeIn = 0, kTypeOut = 1, kTypeFlush = 4;
constexpr uint8_t kStatusOk = 0;
constexpr uint32_t kRequestQueue = 0;
constexpr uint32_t kQueueEntries = 16;  // one request (3 descriptors) at a time
constexpr uint32_t kDefaultMaxBytes = 1u << 20;
constexpr uint32_t kStatusOffset = 64;
// A request the device has not finished after this long is given up on.
constexpr uint64_t kRequestTimeoutNs = 60ull * 1000 * 1000 * 1000;

struct RequestHeader {  // struct virtio_blk_req's device-readable part
  uint32_t type;
  uint32_t reserved;
  uint64_t sector;
};

VirtioBlock g_device;

uint32_t config32(const MmioDevice& d, uint32_t offset) {
  uint32_t v = 0;
  for (uint32_t i = 0; i < 4; ++i) v |= static_cast<uint32_t>(d.config8(offset + i)) << (8 * i);
  return v;
}

}  // namespace

bool VirtioBlock::init(const MmioDevice& device) {
  mmio_ = device;
  bool ok = false;
  uint64_t features = mmio_.negotiate(kBlkReadOnly | kBlkFlush | kBlkSizeMax, &ok);
  if (!ok) {
    kprintf("virtio-blk@0x%lx: the device refused the features\n", mmio_.base());
    return false;
  }
  // 5.2.4: capacity (512-byte sectors) at 0, size_max at 8.
  sectors_ = config32(mmio_, 0) | static_cast<uint64_t>(config32(mmio_, 4)) << 32;
  max_bytes_ = kDefaultMaxBytes;
  if ((features & kBlkSizeMax) != 0) {
    uint32_t size_max = config32(mmio_, 8);
    if (size_max >= kSectorSize && size_max < max_bytes_) max_bytes_ = size_max;
  }
  max_bytes_ &= ~static_cast<uint32_t>(kSectorSize - 1);
  read_only_ = (features & kBlkReadOnly) != 0;
  can_flush_ = (features & kBlkFlush) != 0;
  PhysAddr control = mm::frames::allocate();
  if (control.is_null() || !queue_.init(&mmio_, kRequestQueue, kQueueEntries) || queue_.size() < 3) {
    kprintf("virtio-blk@0x%lx: cannot set up the request queue\n", mmio_.base());
    mmio_.fail();
    return false;
  }
  control_ = phys_to_virt<uint8_t>(control);
  mmio_.driver_ok();
  return true;
}

const char* VirtioBlock::name() const {
  if (name_[0] == '\0') format(name_, sizeof name_, "virtio-blk@0x%lx (mmio v%u)", mmio_.base(), mmio_.version());
  return name_;
}

int VirtioBlock::request(uint32_t type, uint64_t sector, const void* buf, uint32_t len) {
  if (failed_) return -err::kIo;
  RequestHeader header{type, 0, sector};
  memcpy(control_, &header, sizeof header);
  volatile uint8_t* status = control_ + kStatusOffset;
  *status = 0xff;
  Virtqueue::Segment chain[3];
  uint16_t n = 0;
  chain[n++] = {virt_to_phys(control_), sizeof header, false};
  if (len != 0) chain[n++] = {virt_to_phys(buf), len, type == kTypeIn};
  chain[n++] = {virt_to_phys(control_).offset(kStatusOffset), 1, true};
  queue_.offer_chain(0, chain, n);
  queue_.publish();
  // Polled: the device works on other host threads; spin until it is done.
  uint64_t start = arch::read_timestamp(), limit = ns_to_ticks(kRequestTimeoutNs);
  uint16_t slot;
  uint32_t written;
  while (!queue_.take_used(&slot, &written)) {
    if (arch::read_timestamp() - start >= limit) {
      kprintf("%s: a request (type %u, sector %lu) did not complete; the device is given up\n", name(), type,
              sector);
      failed_ = true;
      return -err::kIo;
    }
    asm volatile("pause");
  }
  return *status == kStatusOk ? 0 : -err::kIo;
}

int VirtioBlock::transfer(uint32_t type, uint64_t sector, const void* buf, uint64_t count) {
  if (!in_range(*this, sector, count)) return -err::kInval;
  const auto* p = static_cast<const uint8_t*>(buf);
  uint64_t per_request = max_bytes_ / kSectorSize;
  while (count != 0) {
    uint64_t n = count < per_request ? count : per_request;
    if (int r = request(type, sector, p, static_cast<uint32_t>(n * kSectorSize)); r != 0) return r;
    sector += n;
    p += n * kSectorSize;
    count -= n;
  }
  return 0;
}

int VirtioBlock::read(uint64_t sector, void* buf, uint64_t count) { return transfer(kTypeIn, sector, buf, count); }

int VirtioBlock::write(uint64_t sector, const void* buf, uint64_t count) {
  if (read_only_) return in_range(*this, sector, count) ? -err::kRofs : -err::kInval;
  return transfer(kTypeOut, sector, buf, count);
}

int VirtioBlock::flush() { return can_flush_ ? request(kTypeFlush, 0, nullptr, 0) : 0; }

VirtioBlock* probe_block(const char* cmdline) {
  MmioWindow windows[8];
  size_t count = parse_mmio_windows(cmdline, windows, 8);
  for (size_t i = 0; i < count && i < 8; ++i) {
    MmioDevice device;
    if (!device.probe(windows[i]) || device.device_id() != kDeviceBlock) continue;
    if (g_device.init(device)) return &g_device;
    return nullptr;  // the first block device only: g_device is spent
  }
  return nullptr;
}

}  // namespace silk::kernel::drivers::virtio
