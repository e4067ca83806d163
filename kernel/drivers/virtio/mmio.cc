#include "drivers/virtio/mmio.h"

#include "arch/paging.h"
#include "lib/cmdline.h"
#include "lib/string.h"
#include "mm/address_space.h"

namespace silk::kernel::drivers::virtio {
namespace {

constexpr uint32_t kMagicValue = 0x74726976;  // "virt"
constexpr const char kWordPrefix[] = "virtio_mmio.device=";

// An unsigned number at {*p}: decimal, or hex after 0x; advances {*p}.
bool parse_number(const char** p, uint64_t* out) {
  const char* s = *p;
  uint64_t v = 0;
  int base = 10;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
  }
  const char* start = s;
  for (;; ++s) {
    unsigned d;
    if (*s >= '0' && *s <= '9') {
      d = static_cast<unsigned>(*s - '0');
    } else if (base == 16 && ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')) {
      d = static_cast<unsigned>((*s | 0x20) - 'a' + 10);
    } else {
      break;
    }
    v = v * static_cast<uint64_t>(base) + d;
  }
  if (s == start) return false;
  *p = s;
  *out = v;
  return true;
}

// "<size>[KMG]@<base>:<irq>" (Linux's virtio_mmio.device syntax; an optional
// ":<id>" after the irq is ignored).
bool parse_window(const char* s, MmioWindow* out) {
  uint64_t size, base, irq;
  if (!parse_number(&s, &size)) return false;
  if (*s == 'K' || *s == 'k') size <<= 10, ++s;
  else if (*s == 'M' || *s == 'm') size <<= 20, ++s;
  else if (*s == 'G' || *s == 'g') size <<= 30, ++s;
  if (*s++ != '@' || !parse_number(&s, &base) || *s++ != ':' || !parse_number(&s, &irq)) return false;
  if (size < 0x100 || base == 0) return false;
  *out = MmioWindow{base, size, static_cast<uint32_t>(irq)};
  return true;
}

// Full barrier: the device (another thread of the hypervisor) must see the
// ring writes before the register access that follows.
inline void barrier() { asm volatile("lock orq $0, (%%rsp)" ::: "memory", "cc"); }

}  // namespace

size_t parse_mmio_windows(const char* cmdline, MmioWindow* out, size_t cap) {
  size_t count = 0;
  const size_t prefix_len = sizeof kWordPrefix - 1;
  // The words before "--", and QEMU's trailing device words after the
  // program's argv (lib/cmdline.h).
  const char* args = cmdline_program_args(cmdline);
  const char* trailing = args != nullptr ? cmdline_program_args_end(args) : nullptr;
  for (const char* p = cmdline; *p != '\0';) {
    while (*p == ' ') ++p;
    if (p[0] == '-' && p[1] == '-' && (p[2] == ' ' || p[2] == '\0')) {
      p = trailing;  // skip the program's argv
      continue;
    }
    if (p[0] == 'v' && strncmp(p, kWordPrefix, prefix_len) == 0) {  // first byte first: cheap under PVM
      MmioWindow w;
      if (parse_window(p + prefix_len, &w)) {
        if (count < cap) out[count] = w;
        ++count;
      }
    }
    while (*p != '\0' && *p != ' ') ++p;
  }
  return count;
}

bool MmioDevice::probe(const MmioWindow& window) {
  // The window lies outside RAM, so the identity map does not cover it yet.
  uint64_t page = align_down(window.base, arch::kPageSize);
  uint64_t end = align_up(window.base + window.size, arch::kPageSize);
  if (!mm::kernel_space().map(VirtAddr{page}, PhysAddr{page}, end - page,
                              arch::PageFlags{.writable = true, .uncached = true})) {
    return false;
  }
  base_ = window.base;
  if (read32(kMagic) != kMagicValue) return false;
  version_ = read32(kVersion);
  device_id_ = read32(kDeviceId);
  return (version_ == 1 || version_ == 2) && device_id_ != 0;
}

uint32_t MmioDevice::read32(uint32_t offset) const {
  // SAFETY: base_ was mapped uncached by probe(); registers are 32-bit and
  // naturally aligned (4.2.2).
  return *reinterpret_cast<volatile uint32_t*>(base_ + offset);
}

void MmioDevice::write32(uint32_t offset, uint32_t value) {
  // SAFETY: as in read32.
  *reinterpret_cast<volatile uint32_t*>(base_ + offset) = value;
}

uint8_t MmioDevice::config8(uint32_t offset) const {
  // SAFETY: as in read32; the configuration space allows byte access (4.2.2.2).
  return *reinterpret_cast<volatile uint8_t*>(base_ + kConfig + offset);
}

uint64_t MmioDevice::negotiate(uint64_t wanted, bool* ok) {
  write32(kStatus, 0);  // reset
  write32(kStatus, kStatusAcknowledge);
  write32(kStatus, kStatusAcknowledge | kStatusDriver);
  write32(kDeviceFeaturesSel, 0);
  uint64_t offered = read32(kDeviceFeatures);
  write32(kDeviceFeaturesSel, 1);
  offered |= static_cast<uint64_t>(read32(kDeviceFeatures)) << 32;
  if (!legacy()) wanted |= kFeatureVersion1;
  uint64_t accepted = offered & wanted;
  write32(kDriverFeaturesSel, 0);
  write32(kDriverFeatures, static_cast<uint32_t>(accepted));
  write32(kDriverFeaturesSel, 1);
  write32(kDriverFeatures, static_cast<uint32_t>(accepted >> 32));
  *ok = true;
  if (legacy()) {
    write32(kGuestPageSize, static_cast<uint32_t>(arch::kPageSize));  // 4.2.4: before any queue
    return accepted;
  }
  // A modern device must offer VERSION_1 (6.1); a driver of this kind needs it.
  write32(kStatus, kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk);
  if ((accepted & kFeatureVersion1) == 0 || (read32(kStatus) & kStatusFeaturesOk) == 0) {
    fail();
    *ok = false;
  }
  return accepted;
}

uint32_t MmioDevice::queue_max(uint32_t index) {
  write32(kQueueSel, index);
  if (!legacy() && read32(kQueueReady) != 0) return 0;  // already in use
  return read32(kQueueNumMax);
}

void MmioDevice::queue_enable(uint32_t index, uint32_t size, PhysAddr desc, PhysAddr driver, PhysAddr device) {
  barrier();
  write32(kQueueSel, index);
  write32(kQueueNum, size);
  if (legacy()) {
    write32(kQueueAlign, static_cast<uint32_t>(arch::kPageSize));
    write32(kQueuePfn, static_cast<uint32_t>(desc.value / arch::kPageSize));
    return;
  }
  write64(kQueueDescLow, desc.value);
  write64(kQueueDriverLow, driver.value);
  write64(kQueueDeviceLow, device.value);
  write32(kQueueReady, 1);
}

void MmioDevice::driver_ok() {
  uint32_t status = kStatusAcknowledge | kStatusDriver | (legacy() ? 0 : kStatusFeaturesOk);
  barrier();
  write32(kStatus, status | kStatusDriverOk);
}

void MmioDevice::fail() { write32(kStatus, read32(kStatus) | kStatusFailed); }

}  // namespace silk::kernel::drivers::virtio
