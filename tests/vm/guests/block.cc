// silk vm's block-device test guest (--disk FILE). The first word of the
// command line says what to do; it prints what it found and halts with 0,
// or prints "FAIL: ..." and halts with 1.
//   write SEED   write the pattern for SEED to sectors 0-7 (one call) and the
//                last two sectors of the disk, flush, read both back
//   read SEED    read both regions and compare them with the pattern (after a
//                write boot: the data persisted in the file)
//   readonly SEED  (--disk-readonly) BlockWrite fails with -1, BlockFlush
//                  succeeds, the pattern reads back
//   none         no disk: every block call returns -1
// Requests the monitor must refuse (it stops the VM with status 123):
//   misaligned   offset 100;  short  length 100;  beyond  two sectors from
//   the last one;  wrap  an offset near 2^64;  oob  a buffer past guest RAM
// The pattern: byte at disk offset o = (o / 512 * 31 + o % 512 + SEED) & 0xff
// (tests/vm/block_test.py checks the file against it).
#include "guest.h"

using namespace guest;

namespace {

constexpr uint64_t kSector = 512;
constexpr uint64_t kHeadLen = 8 * kSector;  // sectors 0-7
constexpr uint64_t kTailLen = 2 * kSector;  // the last two sectors
uint8_t g_buf[kHeadLen];
int g_failures = 0;

void fail(const char* what) {
  print("FAIL: ");
  print(what);
  print("\n");
  ++g_failures;
}

uint8_t pattern(uint64_t offset, unsigned seed) {
  return static_cast<uint8_t>((offset / kSector) * 31 + offset % kSector + seed);
}

void fill(uint64_t offset, uint64_t len, unsigned seed) {
  for (uint64_t i = 0; i < len; ++i) g_buf[i] = pattern(offset + i, seed);
}

bool matches(uint64_t offset, uint64_t len, unsigned seed) {
  for (uint64_t i = 0; i < len; ++i)
    if (g_buf[i] != pattern(offset + i, seed)) return false;
  return true;
}

int block_write(uint64_t offset, const void* data, uint64_t len) {
  HvtBlockWrite call{offset, reinterpret_cast<GuestPhys>(data), len, 0, 0};
  hypercall(Hypercall::BlockWrite, &call);
  return call.ret;
}

int block_read(uint64_t offset, void* data, uint64_t len) {
  HvtBlockRead call{offset, reinterpret_cast<GuestPhys>(data), len, 0, 0};
  hypercall(Hypercall::BlockRead, &call);
  return call.ret;
}

int block_flush() {
  HvtBlockFlush call{0, 0};
  hypercall(Hypercall::BlockFlush, &call);
  return call.ret;
}

unsigned parse_uint(const char* s) {
  unsigned v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + static_cast<unsigned>(*s++ - '0');
  return v;
}

// Reads the head and the tail and compares them with the pattern.
void check_regions(uint64_t size, unsigned seed) {
  if (block_read(0, g_buf, kHeadLen) != 0) fail("BlockRead of sectors 0-7");
  if (!matches(0, kHeadLen, seed)) fail("sectors 0-7 hold the pattern");
  if (block_read(size - kTailLen, g_buf, kTailLen) != 0) fail("BlockRead of the last two sectors");
  if (!matches(size - kTailLen, kTailLen, seed)) fail("the last two sectors hold the pattern");
}

}  // namespace

extern "C" [[noreturn]] __attribute__((section(".text.start"))) void _start(const HvtBootInfo* info) {
  const char* cmd = reinterpret_cast<const char*>(info->cmdline);
  const char* arg = cmd;
  while (*arg != 0 && *arg != ' ') ++arg;
  unsigned seed = *arg == ' ' ? parse_uint(arg + 1) : 0;
  uint64_t size = info->block_size;
  print("block: ");
  print(cmd);
  print(" size=");
  print_u64(size);
  print(" sector=");
  print_u64(info->block_sector_size);
  print(info->block_readonly != 0 ? " read-only\n" : "\n");

  if (starts_with(cmd, "none")) {
    if (size != 0 || info->block_sector_size != 0) fail("no disk: block_size 0");
    if (block_read(0, g_buf, kSector) != -1) fail("BlockRead without a disk: -1");
    if (block_write(0, g_buf, kSector) != -1) fail("BlockWrite without a disk: -1");
    if (block_flush() != -1) fail("BlockFlush without a disk: -1");
  } else if (starts_with(cmd, "misaligned")) {
    block_read(100, g_buf, kSector);
  } else if (starts_with(cmd, "short")) {
    block_write(0, g_buf, 100);
  } else if (starts_with(cmd, "beyond")) {
    block_read(size - kSector, g_buf, 2 * kSector);
  } else if (starts_with(cmd, "wrap")) {
    block_write(~0ull & ~(kSector - 1), g_buf, 2 * kSector);
  } else if (starts_with(cmd, "oob")) {
    HvtBlockRead call{0, info->mem_size - kSector, 2 * kSector, 0, 0};
    hypercall(Hypercall::BlockRead, &call);
  } else {
    if (info->block_sector_size != kSector || size < 2 * kHeadLen || size % kSector != 0) {
      fail("block_size and block_sector_size");
      halt(1);
    }
    if (starts_with(cmd, "write")) {
      fill(0, kHeadLen, seed);
      if (block_write(0, g_buf, kHeadLen) != 0) fail("BlockWrite of sectors 0-7");
      fill(size - kTailLen, kTailLen, seed);
      if (block_write(size - kTailLen, g_buf, kTailLen) != 0) fail("BlockWrite of the last two sectors");
      if (block_flush() != 0) fail("BlockFlush");
      for (uint64_t i = 0; i < kHeadLen; ++i) g_buf[i] = 0;
      check_regions(size, seed);
      if (block_write(0, g_buf, 0) != 0) fail("a zero-length BlockWrite does nothing");
    } else if (starts_with(cmd, "readonly")) {
      if (info->block_readonly != 1) fail("block_readonly = 1");
      if (block_write(0, g_buf, kSector) != -1) fail("BlockWrite on a read-only disk: -1");
      if (block_flush() != 0) fail("BlockFlush on a read-only disk: 0");
      check_regions(size, seed);
    } else if (starts_with(cmd, "read")) {
      check_regions(size, seed);
    } else {
      fail("unknown command");
    }
  }
  if (g_failures != 0) halt(1);
  print("block: ok\n");
  halt(0);
}
