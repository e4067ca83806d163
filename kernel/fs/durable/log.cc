#include "fs/durable/log.h"

#include "arch/cpu.h"
#include "arch/user.h"
#include "lib/checksum.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/frame_allocator.h"

namespace silk::kernel::fs::durable {
namespace {

using disk::kSector;

constexpr uint64_t kStageBytes = 256 * 1024;
constexpr uint64_t kBlankCheckBytes = 128 * 1024;
constexpr uint64_t kHeaderBytes = sizeof(disk::RecordHeader);
constexpr uint64_t kNameMax = 255;

uint8_t* allocate(uint64_t bytes) {
  PhysAddr p = mm::frames::allocate_contiguous(bytes / mm::frames::kFrameSize);
  return p.is_null() ? nullptr : phys_to_virt<uint8_t>(p);
}

// Whether the {n} bytes (a multiple of 8, 8-aligned) at {p} are all zero:
// `repe scasq`, one emulated iteration per quadword under kvm-pvm.
bool all_zero(const uint8_t* p, uint64_t n) {
  uint64_t words = n / 8;
  bool equal;
  asm volatile("xorl %%eax, %%eax\n\tcld\n\trepe scasq"
               : "+D"(p), "+c"(words), "=@ccz"(equal)
               :
               : "rax", "memory");
  return equal;
}

// The record's CRC: its header with the crc field 0, then its names.
uint32_t record_crc(const disk::RecordHeader* h) {
  disk::RecordHeader copy = *h;
  copy.crc = 0;
  uint32_t crc = crc32(0, &copy, sizeof copy);
  return crc32(crc, reinterpret_cast<const uint8_t*>(h) + kHeaderBytes, size_t{h->name_len} + h->name2_len);
}

}  // namespace

uint64_t Log::record_bytes(size_t name_len, size_t name2_len, uint64_t data_len) {
  return align_up(kHeaderBytes + name_len + name2_len + data_len, kSector);
}

bool Log::load_superblock(const uint8_t* sector, disk::Superblock* out) const {
  disk::Superblock sb;
  memcpy(&sb, sector, sizeof sb);
  if (memcmp(sb.magic, disk::kSuperMagic, sizeof sb.magic) != 0 || sb.version != disk::kVersion) return false;
  uint8_t copy[kSector];
  memcpy(copy, sector, kSector);
  memset(copy + __builtin_offsetof(disk::Superblock, crc), 0, sizeof sb.crc);
  if (crc32(0, copy, kSector) != sb.crc) return false;
  // The geometry must fit the disk as it is now.
  uint64_t sectors = device_->sectors();
  if (sb.active > 1 || sb.region_sectors < disk::kMinRegionSectors || sb.disk_sectors > sectors) return false;
  for (uint64_t start : sb.region_start) {
    if (start < disk::kReservedSectors || start > sb.disk_sectors || sb.region_sectors > sb.disk_sectors - start) {
      return false;
    }
  }
  *out = sb;
  return true;
}

Log::Opened Log::open(drivers::BlockDevice* device, uint64_t now_ns) {
  device_ = device;
  read_only_ = device->read_only();
  uint64_t sectors = device->sectors();
  if (sectors < disk::kReservedSectors + 2 * disk::kMinRegionSectors) return Opened::kTooSmall;
  scratch_ = allocate(mm::frames::kFrameSize);
  stage_ = allocate(kStageBytes);
  if (scratch_ == nullptr || stage_ == nullptr) return Opened::kNoMemory;
  if (device->read(0, scratch_, disk::kReservedSectors) != 0) return Opened::kIoError;
  disk::Superblock slots[2];
  bool valid[2] = {load_superblock(scratch_, &slots[0]), load_superblock(scratch_ + kSector, &slots[1])};
  if (valid[0] || valid[1]) {
    int pick = !valid[0] || (valid[1] && slots[1].generation > slots[0].generation) ? 1 : 0;
    sb_ = slots[pick];
    return Opened::kLog;
  }
  if (memcmp(scratch_, disk::kSuperMagic, 8) == 0 || memcmp(scratch_ + kSector, disk::kSuperMagic, 8) == 0) {
    return Opened::kDamaged;
  }
  // Blank: the first 128 KiB are zero (other file systems put their
  // superblocks there: ext4 at 1 KiB, ISO 9660 at 32 KiB, btrfs at 64 KiB).
  if (device->read(0, stage_, kBlankCheckBytes / kSector) != 0) return Opened::kIoError;
  if (!all_zero(stage_, kBlankCheckBytes)) return Opened::kForeign;
  if (read_only_) return Opened::kBlankReadOnly;
  // Format: two equal regions after the reserved sectors. The generation
  // starts at a random number, so records of an earlier format of this disk
  // (whose first sectors were zeroed since) never pass for this log's.
  uint64_t random = 0;
  if (!arch::random64(&random)) random = arch::read_timestamp() * 0x9e3779b97f4a7c15ull;
  sb_ = disk::Superblock{};
  memcpy(sb_.magic, disk::kSuperMagic, sizeof sb_.magic);
  sb_.version = disk::kVersion;
  sb_.generation = (random >> 16) | 1;
  sb_.disk_sectors = sectors;
  sb_.region_sectors = (sectors - disk::kReservedSectors) / 2;
  sb_.region_start[0] = disk::kReservedSectors;
  sb_.region_start[1] = disk::kReservedSectors + sb_.region_sectors;
  sb_.active = 0;
  sb_.formatted_ns = now_ns;
  // The first sector of region 0 is zeroed: the log there is empty even if
  // the disk was not blank past the reserved sectors.
  memset(stage_, 0, kSector);
  if (device->write(sb_.region_start[0], stage_, 1) != 0 || write_superblock() != 0 || device->flush() != 0) {
    return Opened::kIoError;
  }
  return Opened::kFormatted;
}

bool Log::read_next(RecordView* out) {
  if (torn_) return false;
  uint64_t region = region_bytes();
  uint64_t pos = tail_ * kSector;
  uint64_t start = sb_.region_start[sb_.active];
  // Loads the window from {pos} on when [pos, pos + need) is not in it.
  auto ensure = [&](uint64_t need) -> bool {
    uint64_t wstart = window_sector_ * kSector;
    if (window_bytes_ != 0 && pos >= wstart && pos + need <= wstart + window_bytes_) return true;
    uint64_t n = region - pos < kStageBytes ? region - pos : kStageBytes;
    if (n < need) return false;
    window_sector_ = tail_;
    window_bytes_ = 0;
    if (device_->read(start + tail_, stage_, n / kSector) != 0) {
      kprintf("silk kernel: disk: read error at sector %lu: the log is read up to there\n", start + tail_);
      return false;
    }
    window_bytes_ = n;
    return true;
  };
  if (pos >= region || !ensure(kSector)) return false;
  const auto* h = reinterpret_cast<const disk::RecordHeader*>(stage_ + (pos - window_sector_ * kSector));
  // Not this log's next record: the end (a blank sector, an older log's).
  if (h->magic != disk::kRecordMagic || h->generation != sb_.generation || h->seq != seq_) return false;
  auto damaged = [&]() {
    torn_ = true;
    torn_seq_ = seq_;
    return false;
  };
  if (h->name_len > kNameMax || h->name2_len > disk::kMaxName2 || h->data_len > disk::kMaxData) return damaged();
  uint64_t total = record_bytes(h->name_len, h->name2_len, h->data_len);
  if (total > region - pos) return damaged();
  if (!ensure(total)) return damaged();
  h = reinterpret_cast<const disk::RecordHeader*>(stage_ + (pos - window_sector_ * kSector));
  if (h->prev_crc != prev_crc_ || record_crc(h) != h->crc) return damaged();
  const auto* names = reinterpret_cast<const char*>(h) + kHeaderBytes;
  const auto* data = reinterpret_cast<const uint8_t*>(names) + h->name_len + h->name2_len;
  if (sum64(data, h->data_len) != h->data_sum) return damaged();
  *out = RecordView{h, names, names + h->name_len, data};
  tail_ += total / kSector;
  ++seq_;
  prev_crc_ = h->crc;
  return true;
}

uint8_t* Log::begin_record(const disk::RecordHeader& fields, const char* name, size_t name_len, const char* name2,
                           size_t name2_len, uint64_t data_len) {
  if (failed_) return nullptr;
  uint64_t total = record_bytes(name_len, name2_len, data_len);
  if (total > disk::kMaxRecord || !fits(total)) {
    // fs/durable reserves room first: this is a bug, not a full disk.
    kprintf("silk kernel: disk: a %lu-byte record does not fit the log\n", total);
    fail(-err::kIo);
    return nullptr;
  }
  window_bytes_ = 0;  // the staging buffer is no longer the replay window
  if (staged_ + total > kStageBytes && write_out() != 0) return nullptr;
  open_record_ = staged_;
  auto* h = reinterpret_cast<disk::RecordHeader*>(stage_ + staged_);
  *h = fields;
  h->magic = disk::kRecordMagic;
  h->crc = 0;
  h->generation = sb_.generation;
  h->seq = seq_;
  h->prev_crc = prev_crc_;
  h->name_len = static_cast<uint16_t>(name_len);
  h->name2_len = static_cast<uint32_t>(name2_len);
  h->reserved = 0;
  h->data_len = data_len;
  h->data_sum = 0;
  auto* p = reinterpret_cast<uint8_t*>(h) + kHeaderBytes;
  memcpy(p, name, name_len);
  memcpy(p + name_len, name2, name2_len);
  return p + name_len + name2_len;
}

void Log::end_record() {
  auto* h = reinterpret_cast<disk::RecordHeader*>(stage_ + open_record_);
  uint8_t* data = reinterpret_cast<uint8_t*>(h) + kHeaderBytes + h->name_len + h->name2_len;
  h->data_sum = sum64(data, h->data_len);
  h->crc = record_crc(h);
  uint64_t used = kHeaderBytes + h->name_len + h->name2_len + h->data_len;
  uint64_t total = align_up(used, kSector);
  memset(reinterpret_cast<uint8_t*>(h) + used, 0, total - used);
  staged_ += total;
  ++seq_;
  prev_crc_ = h->crc;
}

int Log::fail(int error) {
  if (!failed_) kprintf("silk kernel: disk: %s failed: the disk's files can no longer change\n", device_->name());
  failed_ = true;
  staged_ = 0;
  return error;
}

int Log::write_out() {
  if (staged_ == 0) return 0;
  uint64_t start = sb_.region_start[sb_.active];
  if (device_->write(start + tail_, stage_, staged_ / kSector) != 0) return fail(-err::kIo);
  tail_ += staged_ / kSector;
  staged_ = 0;
  dirty_ = true;
  return 0;
}

int Log::sync() {
  if (failed_) return -err::kIo;
  if (int r = write_out(); r != 0) return r;
  if (dirty_) {
    if (device_->flush() != 0) return fail(-err::kIo);
    dirty_ = false;
  }
  return 0;
}

int Log::write_superblock() {
  memset(scratch_, 0, kSector);
  disk::Superblock sb = sb_;
  sb.crc = 0;
  memcpy(scratch_, &sb, sizeof sb);
  sb.crc = crc32(0, scratch_, kSector);
  memcpy(scratch_, &sb, sizeof sb);
  return device_->write(sb_.generation & 1, scratch_, 1) == 0 ? 0 : -err::kIo;
}

void Log::begin_switch() {
  staged_ = 0;
  window_bytes_ = 0;
  ++sb_.generation;
  sb_.active ^= 1;
  tail_ = 0;
  seq_ = 0;
  prev_crc_ = 0;
}

int Log::commit_switch() {
  if (failed_) return -err::kIo;
  // The new log must be durable before the superblock points at it, and the
  // superblock before anything is appended to it.
  if (write_out() != 0) return -err::kIo;
  if (device_->flush() != 0 || write_superblock() != 0 || device_->flush() != 0) return fail(-err::kIo);
  dirty_ = false;
  return 0;
}

}  // namespace silk::kernel::fs::durable
