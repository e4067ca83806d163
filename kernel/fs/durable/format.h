// The durable store's on-disk format (fs/durable): a superblock and a
// log-structured journal of file-system operations in one of two regions.
// Everything is little-endian. tests/disk_tool.py reads and edits the same
// format on the host.
//
//   sector 0, 1   superblock slots (the one with the valid CRC and the higher
//                 generation wins; generation g is written to slot g & 1)
//   sector 2..7   zero
// A disk is blank (formatted at the first mount) when its first 128 KiB are
// zero; one whose superblocks are invalid and that is not blank is left alone.
//   region 0      [region_start[0], +region_sectors)
//   region 1      [region_start[1], +region_sectors)
//
// The active region holds a log: records at increasing sector offsets from
// its start, each a RecordHeader, its names and its data, padded with zeros to
// whole sectors. Record i carries the region's generation, seq = i and the
// previous record's crc (0 for the first), so records left over from an older
// use of the region, or from a write torn by a crash, end the log: the mount
// replays records while magic, generation, seq, prev_crc, crc and data_sum all
// check, and appends after the last good one.
//
// When the active region is full, the current tree is written as a fresh log
// (a snapshot: the same record types) into the other region with generation +
// 1, flushed, and only then does the superblock slot for the new generation
// switch to it (flushed): a crash at any point leaves one complete log.
#pragma once

#include <stdint.h>

namespace silk::kernel::fs::durable::disk {

inline constexpr uint64_t kSector = 512;
inline constexpr uint64_t kReservedSectors = 8;  // superblock slots, then zero up to 4 KiB
inline constexpr uint64_t kMinRegionSectors = 256;  // 128 KiB: room for the largest record
inline constexpr char kSuperMagic[8] = {'S', 'I', 'L', 'K', 'L', 'O', 'G', '1'};
inline constexpr uint32_t kVersion = 1;

struct Superblock {  // at the start of its sector; the rest of the sector is zero
  char magic[8];
  uint32_t version;
  uint32_t crc;             // CRC-32 of the whole 512-byte sector with this field 0
  uint64_t generation;      // of the active region's log
  uint64_t disk_sectors;    // the disk's size at format
  uint64_t region_sectors;  // each region's size
  uint64_t region_start[2];
  uint32_t active;          // the region holding the log: 0 or 1
  uint32_t reserved;
  uint64_t formatted_ns;    // CLOCK_REALTIME of the format
};
static_assert(sizeof(Superblock) == 72);

inline constexpr uint32_t kRecordMagic = 0x52444c53;  // "SLDR"

// Record types. Nodes are named by ids (1 is the mount's root directory; a
// new node takes the next unused id), entries by (directory id, name).
enum class Op : uint16_t {
  kCreate = 1,    // dir, name, id, value = permission bits: a regular file
  kMkdir = 2,     // dir, name, id, value = permission bits
  kSymlink = 3,   // dir, name, id, name2 = the target
  kLink = 4,      // dir, name, id: another name for an existing node
  kUnlink = 5,    // dir, name (not a directory)
  kRmdir = 6,     // dir, name (an empty directory)
  kRename = 7,    // dir, name -> dir2, name2 (replacing what name2 named)
  kWrite = 8,     // id, value = offset, data = the bytes (at most kMaxData)
  kTruncate = 9,  // id, value = the new size
  kSetattr = 10,  // id, value = permission bits, atime_ns, mtime_ns
};

struct RecordHeader {
  uint32_t magic;
  uint32_t crc;         // CRC-32 of the header (this field 0) followed by the names
  uint64_t generation;  // the region's (the superblock's, when it was written)
  uint64_t seq;         // 0, 1, 2, ... within the region
  uint32_t prev_crc;    // the crc of record seq - 1; 0 for seq 0
  uint16_t type;        // an Op
  uint16_t name_len;    // bytes of the first name, right after the header
  uint32_t name2_len;   // bytes of the second name (rename) or target (symlink), after it
  uint32_t reserved;
  uint64_t data_len;    // bytes of data after the names
  uint64_t data_sum;    // lib/checksum.h sum64 of the data
  uint64_t time_ns;     // CLOCK_REALTIME of the change (becomes the nodes' times)
  uint64_t id;
  uint64_t dir;
  uint64_t dir2;
  uint64_t value;
  uint64_t atime_ns;
  uint64_t mtime_ns;
};
static_assert(sizeof(RecordHeader) == 112);

inline constexpr uint64_t kMaxData = 64 * 1024;      // per record: larger writes are several
inline constexpr uint64_t kMaxName2 = 4096;          // a symlink target (PATH_MAX)
inline constexpr uint64_t kMaxRecord = 72 * 1024;    // header + names + data, padded
inline constexpr uint64_t kRootId = 1;

}  // namespace silk::kernel::fs::durable::disk
