#include "lib/clock.h"

#include "arch/cpu.h"
#include "platform/platform.h"

namespace silk::kernel {
namespace {

constexpr uint64_t kAssumedKhz = 1000000;  // 1 GHz when the rate is unknown

uint64_t khz() {
  uint64_t k = platform::tsc_khz();
  return k != 0 ? k : kAssumedKhz;
}

}  // namespace

uint64_t monotonic_ns() {
  // Split so that nothing overflows 64 bits (no 128-bit division without
  // compiler-rt): whole milliseconds, then the remainder.
  uint64_t ticks = arch::read_timestamp(), k = khz();
  return ticks / k * 1000000u + ticks % k * 1000000u / k;
}

uint64_t ns_to_ticks(uint64_t ns) {
  uint64_t k = khz();
  return ns / 1000000u * k + ns % 1000000u * k / 1000000u;
}

}  // namespace silk::kernel
