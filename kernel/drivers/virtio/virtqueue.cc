#include "drivers/virtio/virtqueue.h"

#include "arch/paging.h"
#include "lib/string.h"
#include "mm/frame_allocator.h"

namespace silk::kernel::drivers::virtio {
namespace {

constexpr uint16_t kDescNext = 1;           // VIRTQ_DESC_F_NEXT
constexpr uint16_t kDescWrite = 2;          // VIRTQ_DESC_F_WRITE
constexpr uint16_t kAvailNoInterrupt = 1;   // VIRTQ_AVAIL_F_NO_INTERRUPT
constexpr uint16_t kUsedNoNotify = 1;       // VIRTQ_USED_F_NO_NOTIFY

// Orders this CPU's ring writes before what follows; x86 keeps stores in
// order, so only the compiler must be stopped, except before reading what the
// device wrote after our stores (the notify decision), which needs a full
// fence (2.7.13: "a memory barrier before reading flags").
inline void compiler_barrier() { asm volatile("" ::: "memory"); }
inline void full_barrier() { asm volatile("lock orq $0, (%%rsp)" ::: "memory", "cc"); }

}  // namespace

bool Virtqueue::init(MmioDevice* device, uint32_t index, uint32_t max_size) {
  uint32_t device_max = device->queue_max(index);
  if (device_max == 0) return false;
  uint32_t size = max_size < device_max ? max_size : device_max;
  while ((size & (size - 1)) != 0) size &= size - 1;  // legacy rings: a power of two

  // 2.7.2 legacy layout: descriptors, then the available ring, then the used
  // ring at the next page boundary.
  uint64_t desc_bytes = 16ull * size;
  uint64_t avail_bytes = 6 + 2ull * size;
  uint64_t used_offset = align_up(desc_bytes + avail_bytes, arch::kPageSize);
  uint64_t used_bytes = 6 + 8ull * size;
  uint64_t pages = (used_offset + align_up(used_bytes, arch::kPageSize)) / arch::kPageSize;
  PhysAddr area = mm::frames::allocate_contiguous(pages);
  if (area.is_null()) return false;
  memset(phys_to_virt<void>(area), 0, pages * arch::kPageSize);

  device_ = device;
  index_ = index;
  size_ = size;
  desc_ = phys_to_virt<Descriptor>(area);
  avail_ = phys_to_virt<uint16_t>(area.offset(desc_bytes));
  used_ = phys_to_virt<uint16_t>(area.offset(used_offset));
  avail_[0] = kAvailNoInterrupt;
  device->queue_enable(index, size, area, area.offset(desc_bytes), area.offset(used_offset));
  return true;
}

void Virtqueue::offer(uint16_t slot, PhysAddr addr, uint32_t len, bool device_writes) {
  desc_[slot] = Descriptor{addr.value, len, static_cast<uint16_t>(device_writes ? kDescWrite : 0), 0};
  avail_[2 + (avail_idx_ & (size_ - 1))] = slot;
  ++avail_idx_;
}

void Virtqueue::offer_chain(uint16_t slot, const Segment* segments, uint16_t count) {
  for (uint16_t i = 0; i < count; ++i) {
    uint16_t flags =
        static_cast<uint16_t>((segments[i].device_writes ? kDescWrite : 0) | (i + 1 < count ? kDescNext : 0));
    desc_[slot + i] = Descriptor{segments[i].addr.value, segments[i].len, flags, static_cast<uint16_t>(slot + i + 1)};
  }
  avail_[2 + (avail_idx_ & (size_ - 1))] = slot;
  ++avail_idx_;
}

void Virtqueue::publish() {
  if (avail_idx_ == published_idx_) return;
  compiler_barrier();  // descriptors and ring entries before the index (2.7.13)
  avail_[1] = avail_idx_;
  published_idx_ = avail_idx_;
  full_barrier();
  if ((used_[0] & kUsedNoNotify) == 0) device_->notify(index_);
}

bool Virtqueue::has_used() const { return used_[1] != used_seen_; }

bool Virtqueue::take_used(uint16_t* slot, uint32_t* written) {
  if (used_[1] == used_seen_) return false;
  compiler_barrier();  // the index before the element it covers
  const volatile auto* ring = reinterpret_cast<const volatile UsedElement*>(used_ + 2);
  const volatile UsedElement& e = ring[used_seen_ & (size_ - 1)];
  *slot = static_cast<uint16_t>(e.id);
  *written = e.len;
  ++used_seen_;
  return true;
}

}  // namespace silk::kernel::drivers::virtio
