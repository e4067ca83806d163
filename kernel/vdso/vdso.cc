// silk's vDSO: clock_gettime, gettimeofday, time and getcpu for ring 3, as
// Linux's vDSO offers them (glibc finds it through AT_SYSINFO_EHDR and looks
// up the LINUX_2.6 symbols). A system call costs ~0.2 ms where ring 0 is
// emulated (kvm-pvm) and slight's server reads the clock ~9 times per request;
// reading the TSC here costs nanoseconds. The clocks are the kernel's own
// (kernel/proc/process.cc): REALTIME = wall0 + TSC ticks since tsc0,
// MONOTONIC = the ticks since tsc0. The CPU-time clocks and anything else go
// to the system call, as does everything when the TSC rate is unknown.
//
// Built as a tiny shared object (vdso.lds) with general registers only: KVM
// may emulate the first instructions after a VM exit, and its emulator lacks
// most SSE.
#include <stdint.h>

#include "vdso/vdso_data.h"

// Filled by the kernel when it maps the image (proc/vdso.cc); never written
// here. Not const: the compiler must read it, not fold its initial zeros.
__attribute__((visibility("hidden"), section(".silk_vdso_data"), used)) silk::vdso::VdsoData silk_vdso_data;

namespace {

using silk::vdso::VdsoData;

struct Timespec {
  int64_t sec, nsec;
};
struct Timeval {
  int64_t sec, usec;
};

constexpr long kSysGettimeofday = 96, kSysTime = 201, kSysClockGettime = 228, kSysClockGetres = 229;
constexpr uint64_t kNsPerSec = 1000000000;

long syscall3(long nr, long a, long b, long c) {
  long ret;
  asm volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return ret;
}

const VdsoData& data() { return silk_vdso_data; }

uint64_t ticks_since_start(const VdsoData& d) {
  uint32_t lo, hi;
  asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t{hi} << 32) | lo) - d.tsc0;
}

// As the kernel's ticks_to_ns: no 128-bit arithmetic.
uint64_t ticks_to_ns(uint64_t ticks, uint64_t khz) { return ticks / khz * 1000000 + (ticks % khz) * 1000000 / khz; }

bool realtime(uint64_t* ns) {
  const VdsoData& d = data();
  if (d.tsc_khz == 0) return false;
  *ns = d.wall0 + ticks_to_ns(ticks_since_start(d), d.tsc_khz);
  return true;
}

}  // namespace

extern "C" {

int __vdso_clock_gettime(int clock, Timespec* ts) {
  const VdsoData& d = data();
  // The clocks of sys_clock_gettime: REALTIME, REALTIME_COARSE, TAI from the
  // wall clock; MONOTONIC, MONOTONIC_RAW, MONOTONIC_COARSE, BOOTTIME
  // monotonic; the rest (CPU time, bad ids) in the kernel.
  bool real = clock == 0 || clock == 5 || clock == 11;
  bool mono = clock == 1 || clock == 4 || clock == 6 || clock == 7;
  if (d.tsc_khz == 0 || !(real || mono)) return static_cast<int>(syscall3(kSysClockGettime, clock, long(ts), 0));
  uint64_t ns = ticks_to_ns(ticks_since_start(d), d.tsc_khz) + (real ? d.wall0 : 0);
  ts->sec = static_cast<int64_t>(ns / kNsPerSec);
  ts->nsec = static_cast<int64_t>(ns % kNsPerSec);
  return 0;
}

int __vdso_gettimeofday(Timeval* tv, void* tz) {
  uint64_t ns;
  if (tz != nullptr || !realtime(&ns)) return static_cast<int>(syscall3(kSysGettimeofday, long(tv), long(tz), 0));
  if (tv != nullptr) {
    tv->sec = static_cast<int64_t>(ns / kNsPerSec);
    tv->usec = static_cast<int64_t>(ns % kNsPerSec / 1000);
  }
  return 0;
}

long __vdso_time(long* t) {
  uint64_t ns;
  if (!realtime(&ns)) return syscall3(kSysTime, long(t), 0, 0);
  long seconds = static_cast<long>(ns / kNsPerSec);
  if (t != nullptr) *t = seconds;
  return seconds;
}

long __vdso_getcpu(unsigned* cpu, unsigned* node, void*) {
  if (cpu != nullptr) *cpu = 0;  // one CPU
  if (node != nullptr) *node = 0;
  return 0;
}

int __vdso_clock_getres(int clock, Timespec* res) {
  return static_cast<int>(syscall3(kSysClockGetres, clock, long(res), 0));
}

// The unprefixed names, as Linux's vDSO also exports them.
int clock_gettime(int, Timespec*) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(Timeval*, void*) __attribute__((weak, alias("__vdso_gettimeofday")));
long time(long*) __attribute__((weak, alias("__vdso_time")));
long getcpu(unsigned*, unsigned*, void*) __attribute__((weak, alias("__vdso_getcpu")));
int clock_getres(int, Timespec*) __attribute__((weak, alias("__vdso_clock_getres")));

}  // extern "C"
