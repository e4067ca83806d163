// The virtio-mmio transport (virtio 1.2, 4.2): a device is a page of
// registers at a physical address the platform announces. QEMU -M microvm
// (acpi=off) and Firecracker announce theirs on the kernel command line as
// `virtio_mmio.device=<size>@<base>:<irq>` words (Linux's syntax).
//
// Both register layouts are driven: version 2 ("modern", 4.2.2) and version 1
// ("legacy", 4.2.4: GuestPageSize/QueuePFN, one contiguous ring area). QEMU 7.2
// presents version 1 unless `-global virtio-mmio.force-legacy=false`.
//
// Polled: no interrupts are set up (the kernel has none yet); drivers look at
// their used rings. Single CPU, no preemption: not locked.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "mm/types.h"

namespace silk::kernel::drivers::virtio {

inline constexpr uint32_t kDeviceNet = 1;  // 5.1
inline constexpr uint32_t kDeviceBlock = 2;

// Feature bits (6, 5.1.3).
inline constexpr uint64_t kFeatureVersion1 = 1ull << 32;

// Device status bits (2.1).
inline constexpr uint32_t kStatusAcknowledge = 1;
inline constexpr uint32_t kStatusDriver = 2;
inline constexpr uint32_t kStatusDriverOk = 4;
inline constexpr uint32_t kStatusFeaturesOk = 8;
inline constexpr uint32_t kStatusFailed = 128;

// One `virtio_mmio.device=` word.
struct MmioWindow {
  uint64_t base;
  uint64_t size;
  uint32_t irq;
};

// Parses the `virtio_mmio.device=` words of {cmdline} (all of it: QEMU
// appends them after a "--") into {out}; returns how
// many there were (at most {cap} are stored). Malformed words are skipped.
size_t parse_mmio_windows(const char* cmdline, MmioWindow* out, size_t cap);

class MmioDevice {
 public:
  MmioDevice() = default;
  // Maps {window} (uncached) and checks the magic value and version; false
  // when it is not a virtio device or the slot is empty (DeviceID 0).
  bool probe(const MmioWindow& window);

  uint32_t device_id() const { return device_id_; }
  uint32_t version() const { return version_; }  // 1 legacy, 2 modern
  bool legacy() const { return version_ == 1; }
  uint64_t base() const { return base_; }

  // 3.1.1 steps 1-6: reset, ACKNOWLEDGE|DRIVER, accept {wanted} & the
  // device's features (plus VERSION_1, required, on a modern device), and
  // FEATURES_OK (modern only). Returns the accepted set; sets FAILED and
  // returns false through {ok} when the device refuses them.
  uint64_t negotiate(uint64_t wanted, bool* ok);
  // The largest queue {index} the device allows (0: no such queue).
  uint32_t queue_max(uint32_t index);
  // Hands queue {index} of {size} entries to the device: modern with the
  // three areas' physical addresses, legacy with the page holding the
  // descriptor table (the areas then sit where 2.7 "legacy layout" says).
  void queue_enable(uint32_t index, uint32_t size, PhysAddr desc, PhysAddr driver, PhysAddr device);
  void notify(uint32_t index) { write32(kQueueNotify, index); }
  void driver_ok();
  void fail();

  // Device-specific configuration space (offset 0x100), byte access.
  uint8_t config8(uint32_t offset) const;

 private:
  static constexpr uint32_t kMagic = 0x000, kVersion = 0x004, kDeviceId = 0x008;
  static constexpr uint32_t kDeviceFeatures = 0x010, kDeviceFeaturesSel = 0x014;
  static constexpr uint32_t kDriverFeatures = 0x020, kDriverFeaturesSel = 0x024;
  static constexpr uint32_t kGuestPageSize = 0x028;  // legacy
  static constexpr uint32_t kQueueSel = 0x030, kQueueNumMax = 0x034, kQueueNum = 0x038;
  static constexpr uint32_t kQueueAlign = 0x03c, kQueuePfn = 0x040;  // legacy
  static constexpr uint32_t kQueueReady = 0x044, kQueueNotify = 0x050;
  static constexpr uint32_t kStatus = 0x070;
  static constexpr uint32_t kQueueDescLow = 0x080, kQueueDriverLow = 0x090, kQueueDeviceLow = 0x0a0;
  static constexpr uint32_t kConfig = 0x100;

  uint32_t read32(uint32_t offset) const;
  void write32(uint32_t offset, uint32_t value);
  void write64(uint32_t low_offset, uint64_t value) {
    write32(low_offset, static_cast<uint32_t>(value));
    write32(low_offset + 4, static_cast<uint32_t>(value >> 32));
  }

  uint64_t base_ = 0;
  uint32_t device_id_ = 0;
  uint32_t version_ = 0;
};

}  // namespace silk::kernel::drivers::virtio
