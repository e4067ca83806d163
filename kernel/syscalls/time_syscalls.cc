// Time: nanosleep, clock_nanosleep (relative and TIMER_ABSTIME on REALTIME,
// MONOTONIC, BOOTTIME, TAI), clock_getres, gettimeofday, time, and the
// timespec helpers of user_copy.h. Sleeps run to their deadline
// (proc/sleep.h): no signal can arrive meanwhile, so *rem is never written.
#include "proc/process.h"
#include "proc/sleep.h"
#include "syscalls/syscalls.h"
#include "syscalls/user_copy.h"

namespace silk::kernel::syscalls {
namespace {

constexpr uint64_t kClockRealtime = 0, kClockMonotonic = 1, kClockRealtimeCoarse = 5,
                   kClockMonotonicCoarse = 6, kClockBoottime = 7, kClockTai = 11;
constexpr uint64_t kTimerAbstime = 1;
constexpr uint64_t kCoarseResolutionNs = 4000000;  // a 250 Hz tick, as Linux reports

// Sleeps until {clock} reads {deadline} (REALTIME and TAI deadlines are
// turned into monotonic ones now: nothing sets the wall clock); false when a
// signal ended it early.
bool sleep_until_clock(uint64_t clock, uint64_t deadline) {
  if (clock == kClockRealtime || clock == kClockTai) {
    uint64_t real = proc::realtime_ns(), mono = proc::monotonic_ns();
    return proc::sleep_until(deadline > real ? mono + (deadline - real) : mono);
  }
  return proc::sleep_until(deadline);
}

// A relative sleep of {ns}: 0, or -EINTR with the time left in {rem} (when
// not null) after a signal ended it early.
int64_t sleep_relative(uint64_t ns, uint64_t rem) {
  uint64_t deadline = proc::monotonic_ns() + ns;
  if (proc::sleep_for(ns)) return 0;
  uint64_t now = proc::monotonic_ns();
  if (rem != 0 && !copy_out(rem, to_timespec(deadline > now ? deadline - now : 0))) return -kEfault;
  return -kEintr;
}

}  // namespace

int64_t read_timespec(uint64_t user, uint64_t* ns) {
  Timespec ts;
  if (!copy_in(&ts, user)) return -kEfault;
  if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= static_cast<int64_t>(kNsPerSec)) return -kEinval;
  constexpr int64_t kMaxSec = 1ll << 33;  // ~272 years: no overflow below
  *ns = static_cast<uint64_t>(ts.sec < kMaxSec ? ts.sec : kMaxSec) * kNsPerSec + static_cast<uint64_t>(ts.nsec);
  return 0;
}

Timespec to_timespec(uint64_t ns) {
  return Timespec{static_cast<int64_t>(ns / kNsPerSec), static_cast<int64_t>(ns % kNsPerSec)};
}

int64_t sys_nanosleep(uint64_t req, uint64_t rem, uint64_t, uint64_t, uint64_t, uint64_t) {
  uint64_t ns;
  if (int64_t r = read_timespec(req, &ns); r != 0) return r;
  return sleep_relative(ns, rem);
}

int64_t sys_clock_nanosleep(uint64_t clock, uint64_t flags, uint64_t req, uint64_t rem, uint64_t, uint64_t) {
  if (clock != kClockRealtime && clock != kClockMonotonic && clock != kClockBoottime && clock != kClockTai) {
    return -kEinval;  // the CPU-time clocks do not advance while asleep
  }
  uint64_t ns;
  if (int64_t r = read_timespec(req, &ns); r != 0) return r;
  if ((flags & kTimerAbstime) != 0) return sleep_until_clock(clock, ns) ? 0 : -kEintr;
  return sleep_relative(ns, rem);
}

int64_t sys_clock_getres(uint64_t clock, uint64_t res, uint64_t, uint64_t, uint64_t, uint64_t) {
  if (clock > kClockTai || clock == 10) return -kEinval;
  if (res == 0) return 0;
  uint64_t ns = (clock == kClockRealtimeCoarse || clock == kClockMonotonicCoarse) ? kCoarseResolutionNs : 1;
  return copy_out(res, to_timespec(ns)) ? 0 : -kEfault;
}

int64_t sys_gettimeofday(uint64_t tv, uint64_t tz, uint64_t, uint64_t, uint64_t, uint64_t) {
  if (tv != 0) {
    uint64_t ns = proc::realtime_ns();
    if (!copy_out(tv, Timeval{static_cast<int64_t>(ns / kNsPerSec), static_cast<int64_t>(ns % kNsPerSec / 1000)})) {
      return -kEfault;
    }
  }
  struct Timezone {
    int32_t minuteswest, dsttime;
  };
  if (tz != 0 && !copy_out(tz, Timezone{0, 0})) return -kEfault;  // UTC
  return 0;
}

int64_t sys_time(uint64_t tloc, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  auto seconds = static_cast<int64_t>(proc::realtime_ns() / kNsPerSec);
  if (tloc != 0 && !copy_out(tloc, seconds)) return -kEfault;
  return seconds;
}

}  // namespace silk::kernel::syscalls
