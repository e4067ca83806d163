// The process's identity and accounting, for one process (pid 1, its own
// session and process group) run by root: the uid/gid calls, getppid,
// getpgrp/getpgid/getsid, setpgid, sched_getaffinity and sched_yield (one
// CPU), sysinfo, getrusage, times and membarrier (trivially satisfied on one
// CPU); clone for threads (proc/thread.h).
#include "mm/frame_allocator.h"
#include "proc/memory.h"
#include "proc/process.h"
#include "proc/thread.h"
#include "syscalls/syscalls.h"
#include "syscalls/user_copy.h"

namespace silk::kernel::syscalls {
namespace {

bool is_self_or_zero(uint64_t pid) { return pid == 0 || pid == 1; }

constexpr uint64_t kUserHz = 100;  // clock_t ticks (AT_CLKTCK)

// struct sysinfo, x86-64 (uapi linux/sysinfo.h).
struct Sysinfo {
  int64_t uptime;
  uint64_t loads[3];
  uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
  uint16_t procs, pad;
  uint64_t totalhigh, freehigh;
  uint32_t mem_unit;
};
static_assert(sizeof(Sysinfo) == 112);

// struct rusage (uapi linux/resource.h).
struct Rusage {
  Timeval utime, stime;
  int64_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock, msgsnd, msgrcv, nsignals,
      nvcsw, nivcsw;
};
static_assert(sizeof(Rusage) == 144);

Timeval to_timeval(uint64_t ns) {
  return Timeval{static_cast<int64_t>(ns / kNsPerSec), static_cast<int64_t>(ns % kNsPerSec / 1000)};
}

}  // namespace

int64_t sys_getuid(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 0; }
int64_t sys_geteuid(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 0; }
int64_t sys_getgid(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 0; }
int64_t sys_getegid(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 0; }
int64_t sys_getppid(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 0; }
int64_t sys_getpgrp(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 1; }

int64_t sys_getpgid(uint64_t pid, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return is_self_or_zero(pid) ? 1 : -kEsrch;
}
int64_t sys_getsid(uint64_t pid, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return is_self_or_zero(pid) ? 1 : -kEsrch;
}
int64_t sys_setpgid(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return -kEperm;  // a session leader cannot change its process group
}

// clone makes threads (proc/thread.h); clone3 answers -ENOSYS, which glibc
// takes for an older kernel and falls back to clone.
int64_t sys_clone(uint64_t flags, uint64_t stack, uint64_t parent_tid, uint64_t child_tid, uint64_t tls, uint64_t) {
  return proc::thread::clone(flags, stack, parent_tid, child_tid, tls);
}
int64_t sys_clone3(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return -kEnosys; }

int64_t sys_sched_yield(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  proc::thread::yield();
  return 0;
}

int64_t sys_sched_getaffinity(uint64_t pid, uint64_t len, uint64_t mask, uint64_t, uint64_t, uint64_t) {
  if (!is_self_or_zero(pid)) return -kEsrch;
  if (len < 8 || len % 8 != 0) return -kEinval;
  // CPU 0 only; the size written is one unsigned long, as Linux's cpumask.
  return copy_out(mask, uint64_t{1}) ? 8 : -kEfault;
}

int64_t sys_sysinfo(uint64_t info, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  Sysinfo si{};
  si.uptime = static_cast<int64_t>(proc::monotonic_ns() / kNsPerSec);
  si.totalram = mm::frames::total_bytes();
  si.freeram = mm::frames::free_bytes();
  si.procs = 1;
  si.mem_unit = 1;
  return copy_out(info, si) ? 0 : -kEfault;
}

int64_t sys_getrusage(uint64_t who, uint64_t usage, uint64_t, uint64_t, uint64_t, uint64_t) {
  constexpr int64_t kSelf = 0, kChildren = -1, kThread = 1;
  auto w = static_cast<int64_t>(static_cast<int32_t>(who));
  if (w != kSelf && w != kChildren && w != kThread) return -kEinval;
  Rusage ru{};
  if (w != kChildren) {
    ru.utime = to_timeval(proc::cpu_time_ns());  // system time is not told apart
    ru.maxrss = static_cast<int64_t>(proc::memory::present_pages() * 4);  // KiB
  }
  return copy_out(usage, ru) ? 0 : -kEfault;
}

int64_t sys_times(uint64_t buf, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  struct Tms {
    int64_t utime, stime, cutime, cstime;
  };
  if (buf != 0 && !copy_out(buf, Tms{static_cast<int64_t>(proc::cpu_time_ns() / (kNsPerSec / kUserHz)), 0, 0, 0})) {
    return -kEfault;
  }
  return static_cast<int64_t>(proc::monotonic_ns() / (kNsPerSec / kUserHz));
}

int64_t sys_membarrier(uint64_t cmd, uint64_t flags, uint64_t, uint64_t, uint64_t, uint64_t) {
  // One CPU: every barrier is already there. QUERY reports GLOBAL,
  // GLOBAL_EXPEDITED (+ REGISTER) and PRIVATE_EXPEDITED (+ REGISTER).
  constexpr uint64_t kQuery = 0, kSupported = 1 | 2 | 4 | 8 | 16;
  if (flags != 0) return -kEinval;
  if (cmd == kQuery) return static_cast<int64_t>(kSupported);
  return (cmd & kSupported) == cmd && (cmd & (cmd - 1)) == 0 ? 0 : -kEinval;
}

}  // namespace silk::kernel::syscalls
