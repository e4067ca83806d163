#include "platform/pvh/clock.h"

#include "arch/cpu.h"
#include "arch/x86_64/io.h"
#include "mm/types.h"

namespace silk::kernel::platform::pvh {
namespace {

using x86_64::cpuid;

constexpr uint32_t kMsrKvmWallClock = 0x4b564d00;
constexpr uint32_t kMsrKvmSystemTime = 0x4b564d01;
constexpr uint32_t kKvmFeatureClocksource2 = 1u << 3;

// Shared with the hypervisor, which writes them (msr.rst: "pvclock").
struct PvclockWallClock {
  uint32_t version;
  uint32_t sec;
  uint32_t nsec;
};
struct PvclockVcpuTimeInfo {
  uint32_t version;
  uint32_t pad0;
  uint64_t tsc_timestamp;
  uint64_t system_time;
  uint32_t tsc_to_system_mul;
  int8_t tsc_shift;
  uint8_t flags;
  uint8_t pad[2];
};
static_assert(sizeof(PvclockVcpuTimeInfo) == 32);

alignas(64) volatile PvclockWallClock g_wall;
alignas(64) volatile PvclockVcpuTimeInfo g_time;
enum class Source { kNone, kKvmclock, kCmos };
Source g_source = Source::kNone;
uint64_t g_boot_wall_ns = 0;
uint64_t g_tsc_khz = 0;

bool has_kvmclock() {
  auto sig = cpuid(0x40000000);
  // "KVMKVMKVM\0\0\0" in EBX, ECX, EDX.
  if (sig.ebx != 0x4b4d564b || sig.ecx != 0x564b4d56 || sig.edx != 0x4d) return false;
  return (cpuid(0x40000001).eax & kKvmFeatureClocksource2) != 0;
}

// Nanoseconds since the wall clock's epoch (msr.rst: system_time plus the
// scaled TSC delta, read under the version protocol).
uint64_t kvmclock_system_ns() {
  for (;;) {
    uint32_t version = g_time.version;
    asm volatile("" ::: "memory");
    uint64_t tsc = arch::read_timestamp();
    uint64_t delta = tsc - g_time.tsc_timestamp;
    int8_t shift = g_time.tsc_shift;
    if (shift >= 0) delta <<= shift; else delta >>= -shift;
    uint64_t ns = g_time.system_time +
                  static_cast<uint64_t>((static_cast<unsigned __int128>(delta) * g_time.tsc_to_system_mul) >> 32);
    asm volatile("" ::: "memory");
    if ((version & 1) == 0 && version == g_time.version) return ns;
  }
}

uint8_t cmos_read(uint8_t reg) {
  x86_64::outb(0x70, reg);
  return x86_64::inb(0x71);
}

// Days since 1970-01-01 of a civil date (H. Hinnant, "days_from_civil").
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  auto yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// The MC146818 RTC (registers 0-9, status A/B); 0 when absent (reads 0xff).
uint64_t cmos_walltime_ns() {
  for (int i = 0; i < 100000 && (cmos_read(0x0a) & 0x80) != 0; ++i) {
  }
  uint8_t sec = cmos_read(0x00), min = cmos_read(0x02), hour = cmos_read(0x04);
  uint8_t day = cmos_read(0x07), month = cmos_read(0x08), year = cmos_read(0x09);
  uint8_t status_b = cmos_read(0x0b);
  if (status_b == 0xff) return 0;
  auto bin = [&](uint8_t v) { return (status_b & 0x04) ? v : static_cast<uint8_t>((v & 0x0f) + (v >> 4) * 10); };
  bool pm = (hour & 0x80) != 0;
  hour = bin(hour & 0x7f);
  if ((status_b & 0x02) == 0) hour = static_cast<uint8_t>(hour % 12 + (pm ? 12 : 0));
  int64_t days = days_from_civil(2000 + bin(year), bin(month), bin(day));
  int64_t secs = days * 86400 + hour * 3600 + bin(min) * 60 + bin(sec);
  return secs > 0 ? static_cast<uint64_t>(secs) * 1000000000ull : 0;
}

// The i8254 PIT (Intel 82C54 data sheet): channel 0 counts down from 65536
// at 1.193182 MHz in mode 2; a latch command freezes the count for two byte
// reads. (Channel 2's gate and output are on port 0x61, which QEMU's
// microvm does not have.) Its interrupt line is never unmasked: IF stays 0.
constexpr uint16_t kPitChannel0 = 0x40, kPitCommand = 0x43;
constexpr uint64_t kPitHz = 1193182;

uint16_t pit_read() {
  x86_64::outb(kPitCommand, 0x00);  // latch channel 0
  uint8_t lo = x86_64::inb(kPitChannel0);
  uint8_t hi = x86_64::inb(kPitChannel0);
  return static_cast<uint16_t>(lo | (hi << 8));
}

// TSC ticks per millisecond over 10 ms of PIT counting; 0 when the PIT does
// not count (absent: reads return 0xff).
uint64_t calibrate_tsc_with_pit() {
  x86_64::outb(kPitCommand, 0x34);  // channel 0, lobyte/hibyte, mode 2, binary
  x86_64::outb(kPitChannel0, 0);
  x86_64::outb(kPitChannel0, 0);    // reload 65536
  constexpr uint64_t kTarget = kPitHz / 100;
  uint16_t previous = pit_read();
  uint64_t tsc0 = arch::read_timestamp();
  uint64_t elapsed = 0;
  for (int i = 0; i < 2000000 && elapsed < kTarget; ++i) {
    uint16_t now = pit_read();
    elapsed += static_cast<uint16_t>(previous - now);
    previous = now;
  }
  if (elapsed < kTarget) return 0;
  uint64_t ticks = arch::read_timestamp() - tsc0;
  return ticks * (kPitHz / 1000) / elapsed;
}

}  // namespace

void clock_init() {
  if (has_kvmclock()) {
    // SAFETY: both blocks are kernel .bss, identity-mapped, and stay ours for
    // the kernel's lifetime; the hypervisor writes them.
    x86_64::wrmsr(kMsrKvmSystemTime, virt_to_phys(const_cast<PvclockVcpuTimeInfo*>(&g_time)).value | 1);
    x86_64::wrmsr(kMsrKvmWallClock, virt_to_phys(const_cast<PvclockWallClock*>(&g_wall)).value);
    g_boot_wall_ns = static_cast<uint64_t>(g_wall.sec) * 1000000000ull + g_wall.nsec;
    if (g_time.tsc_to_system_mul == 0) return;  // not filled in: no clock
    // tsc_hz = 1e9 * 2^32 / (mul * 2^shift)
    uint64_t khz = (1000000ull << 32) / g_time.tsc_to_system_mul;
    int8_t shift = g_time.tsc_shift;
    g_tsc_khz = shift >= 0 ? khz >> shift : khz << -shift;
    g_source = Source::kKvmclock;
    return;
  }
  if (cmos_walltime_ns() != 0) g_source = Source::kCmos;
  g_tsc_khz = calibrate_tsc_with_pit();
}

uint64_t clock_walltime_ns() {
  switch (g_source) {
    case Source::kKvmclock: return g_boot_wall_ns + kvmclock_system_ns();
    case Source::kCmos: return cmos_walltime_ns();
    case Source::kNone: break;
  }
  return 0;
}

uint64_t clock_tsc_khz() { return g_tsc_khz; }

const char* clock_source() {
  switch (g_source) {
    case Source::kKvmclock: return "kvmclock";
    case Source::kCmos: return "cmos";
    case Source::kNone: break;
  }
  return "none";
}

}  // namespace silk::kernel::platform::pvh
