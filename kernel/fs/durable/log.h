// The journal on the block device (fs/durable/format.h): the superblock, the
// active region's records, and the switch to the other region. It knows
// records as bytes; fs/durable/durable.cc gives them meaning.
//
// Writing: records are built in a staging buffer (256 KiB of contiguous
// frames) and go to the device when it fills or at sync(), which also
// flushes: a system call that logged something returns after sync().
// Single CPU, no preemption: not locked.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "drivers/block.h"
#include "fs/durable/format.h"

namespace silk::kernel::fs::durable {

// One record read back at mount; the pointers are valid until the next read.
struct RecordView {
  const disk::RecordHeader* header;
  const char* name;   // header->name_len bytes (not NUL-terminated)
  const char* name2;  // header->name2_len bytes
  const uint8_t* data;
};

class Log {
 public:
  enum class Opened { kLog, kFormatted, kBlankReadOnly, kForeign, kDamaged, kTooSmall, kNoMemory, kIoError };
  // Reads the superblocks of {device}: a valid one opens its log; a blank
  // disk (its first 128 KiB zero) is formatted (unless read-only: then there
  // is no log, and nothing may be written); superblocks with the magic but
  // nothing valid are damaged; anything else is foreign.
  Opened open(drivers::BlockDevice* device, uint64_t now_ns);

  // Replay: the active region's records in order. False at the end of the
  // log, which the next append continues from (a damaged record there, left
  // by a torn write, is discarded: torn() tells).
  bool read_next(RecordView* out);
  bool torn() const { return torn_; }
  uint64_t torn_seq() const { return torn_seq_; }

  // Room for a new record of {name_len} + {name2_len} name bytes and
  // {data_len} data bytes in the staging buffer, its header fields
  // {fields} (type, ids, values, time; the rest are filled in): returns
  // where its data goes, or nullptr when writing out earlier records failed
  // (the log has then failed). end_record() seals it.
  uint8_t* begin_record(const disk::RecordHeader& fields, const char* name, size_t name_len, const char* name2,
                        size_t name2_len, uint64_t data_len);
  void end_record();
  // Bytes a record takes on the disk.
  static uint64_t record_bytes(size_t name_len, size_t name2_len, uint64_t data_len);

  // Whether {bytes} more of records fit in the active region.
  bool fits(uint64_t bytes) const { return used_bytes() + bytes <= region_bytes(); }
  uint64_t used_bytes() const { return tail_ * disk::kSector + staged_; }
  uint64_t region_bytes() const { return sb_.region_sectors * disk::kSector; }
  uint32_t active_region() const { return sb_.active; }
  uint64_t generation() const { return sb_.generation; }

  // Writes out the staged records and flushes. 0 or -EIO (the log has then failed).
  int sync();
  bool pending() const { return staged_ != 0 || dirty_; }

  // Compaction: drops the staged records and starts an empty log in the
  // other region with the next generation; commit_switch() writes it out,
  // flushes, and makes it the active one in the superblock (flushed). 0 or
  // -EIO (failed). Until then a crash leaves the old log in charge.
  void begin_switch();
  int commit_switch();

  bool read_only() const { return read_only_; }
  bool failed() const { return failed_; }
  drivers::BlockDevice* device() const { return device_; }

 private:
  bool load_superblock(const uint8_t* sector, disk::Superblock* out) const;
  int write_superblock();
  int write_out();
  int fail(int error);

  drivers::BlockDevice* device_ = nullptr;
  disk::Superblock sb_{};
  uint8_t* scratch_ = nullptr;  // one frame: superblock I/O
  uint8_t* stage_ = nullptr;    // staging / read window
  uint64_t tail_ = 0;           // sectors of the active region holding records on the device
  uint64_t staged_ = 0;         // bytes staged after them (whole sectors)
  uint64_t open_record_ = 0;    // begin_record's offset in stage_
  uint64_t seq_ = 0;            // the next record's
  uint32_t prev_crc_ = 0;       // the last record's crc
  bool dirty_ = false;          // written since the last flush
  bool read_only_ = false;
  bool failed_ = false;
  bool torn_ = false;
  uint64_t torn_seq_ = 0;
  // Replay's window on the region: [window_sector_, +window_bytes_) in stage_.
  uint64_t window_sector_ = 0;
  uint64_t window_bytes_ = 0;
};

}  // namespace silk::kernel::fs::durable
