#!/usr/bin/env python3
"""Reads and edits the kernel's durable-store disks on the host (the format is
kernel/fs/durable/format.h).

  disk_tool.py dump IMAGE           the superblocks and the active log's records
  disk_tool.py check IMAGE          exit 0 when IMAGE holds a silk log, printing its size
  disk_tool.py corrupt-last IMAGE   damages the last record of the log (one byte of
                                    its header changes, so its CRC no longer
                                    matches) and prints its seq
  disk_tool.py tear-last IMAGE      zeroes the last sector of the last record, which
                                    must span several (as a write torn between its
                                    sectors would leave it: the data sum no longer
                                    matches)
"""
import struct
import sys
import zlib

SECTOR = 512
SUPER = struct.Struct("<8sIIQQQ2QIIQ")
SUPER_MAGIC = b"SILKLOG1"
RECORD = struct.Struct("<IIQQIHHII9Q")
RECORD_MAGIC = 0x52444C53
MAX_DATA = 64 * 1024
OPS = {1: "create", 2: "mkdir", 3: "symlink", 4: "link", 5: "unlink", 6: "rmdir", 7: "rename", 8: "write",
       9: "truncate", 10: "setattr"}
assert SUPER.size == 72 and RECORD.size == 112


def sum64(data):
    """The ones'-complement sum of the little-endian 64-bit words (lib/checksum.h)."""
    data = data + b"\0" * (-len(data) % 8)
    total = sum(struct.unpack_from(f"<{len(data) // 8}Q", data))
    while total >> 64:
        total = (total & (2**64 - 1)) + (total >> 64)
    return total


def superblock(img, slot):
    sector = img[slot * SECTOR:(slot + 1) * SECTOR]
    (magic, version, crc, generation, disk_sectors, region_sectors, start0, start1, active, _,
     formatted) = SUPER.unpack_from(sector)
    if magic != SUPER_MAGIC or version != 1:
        return None
    if zlib.crc32(sector[:12] + b"\0\0\0\0" + sector[16:]) != crc:
        return None
    return dict(slot=slot, generation=generation, disk_sectors=disk_sectors, region_sectors=region_sectors,
                region_start=(start0, start1), active=active, formatted_ns=formatted)


def active_superblock(img):
    slots = [s for s in (superblock(img, 0), superblock(img, 1)) if s is not None]
    return max(slots, key=lambda s: s["generation"]) if slots else None


def records(img, sb):
    """The log's valid records, in order: (offset in bytes, header fields, names, data); then why it ended."""
    start = sb["region_start"][sb["active"]] * SECTOR
    end = start + sb["region_sectors"] * SECTOR
    pos, seq, prev, out = start, 0, 0, []
    while pos + RECORD.size <= end:
        fields = RECORD.unpack_from(img, pos)
        (magic, crc, generation, rseq, prev_crc, rtype, name_len, name2_len, _, data_len, data_sum,
         *_rest) = fields
        if magic != RECORD_MAGIC or generation != sb["generation"] or rseq != seq:
            return out, "end"
        total = -(-(RECORD.size + name_len + name2_len + data_len) // SECTOR) * SECTOR
        if name_len > 255 or name2_len > 4096 or data_len > MAX_DATA or pos + total > end:
            return out, f"damaged record {seq}"
        header = bytearray(img[pos:pos + RECORD.size])
        header[4:8] = b"\0\0\0\0"
        names = img[pos + RECORD.size:pos + RECORD.size + name_len + name2_len]
        data = img[pos + RECORD.size + name_len + name2_len:pos + RECORD.size + name_len + name2_len + data_len]
        if prev_crc != prev or zlib.crc32(bytes(header) + names) != crc or sum64(data) != data_sum:
            return out, f"damaged record {seq}"
        out.append((pos, fields, names, data))
        pos += total
        seq += 1
        prev = crc
    return out, "end of region"


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("dump", "check", "corrupt-last", "tear-last"):
        sys.exit(__doc__)
    command, path = sys.argv[1:]
    with open(path, "rb") as f:
        img = f.read()
    sb = active_superblock(img)
    if sb is None:
        sys.exit(f"{path}: no valid silk superblock")
    log, why = records(img, sb)
    used = sum(-(-(RECORD.size + r[1][6] + r[1][7] + r[1][9]) // SECTOR) * SECTOR for r in log)
    if command == "dump":
        print(f"superblock slot {sb['slot']}: generation {sb['generation']}, {sb['disk_sectors']} sectors, "
              f"regions of {sb['region_sectors']} sectors at {sb['region_start']}, active {sb['active']}")
        for pos, fields, names, data in log:
            rseq, rtype, name_len = fields[3], fields[5], fields[6]
            rid, rdir, rdir2, value = fields[12], fields[13], fields[14], fields[15]
            name, name2 = names[:name_len].decode(errors="replace"), names[name_len:].decode(errors="replace")
            print(f"  {rseq:5} @{pos:#x} {OPS.get(rtype, rtype):8} id {rid} dir {rdir} {name!r}"
                  + (f" dir2 {rdir2} {name2!r}" if name2 else "") + f" value {value} data {len(data)}")
        print(f"{len(log)} records, {used} bytes; {why}")
    elif command == "check":
        print(f"{path}: silk log, generation {sb['generation']}, region {sb['active']}: {len(log)} records, "
              f"{used} bytes; {why}")
    elif command == "tear-last":
        if not log:
            sys.exit(f"{path}: the log is empty")
        pos, fields, _, _ = log[-1]
        total = -(-(RECORD.size + fields[6] + fields[7] + fields[9]) // SECTOR) * SECTOR
        if total == SECTOR:
            sys.exit(f"{path}: the last record is one sector")
        with open(path, "r+b") as f:
            f.seek(pos + total - SECTOR)
            f.write(b"\0" * SECTOR)
        print(f"{path}: zeroed the last of the {total // SECTOR} sectors of record {fields[3]} "
              f"({OPS.get(fields[5], fields[5])}) at byte {pos:#x}")
    else:
        if not log:
            sys.exit(f"{path}: the log is empty")
        pos, fields, _, _ = log[-1]
        with open(path, "r+b") as f:
            f.seek(pos + 56)  # time_ns: covered by the CRC
            byte = f.read(1)
            f.seek(pos + 56)
            f.write(bytes([byte[0] ^ 0x5A]))
        print(f"{path}: damaged record {fields[3]} ({OPS.get(fields[5], fields[5])}) at byte {pos:#x}")


if __name__ == "__main__":
    main()
