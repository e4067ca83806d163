// futex(2) for a process with one thread: nobody else can wake a waiter or
// change the word, so
//   FUTEX_WAIT(_BITSET): -EAGAIN when *uaddr != val. When equal, the wait can
//     only end by its timeout: with one it sleeps until then and returns
//     -ETIMEDOUT (-EINTR when a signal arrives first); without one it would block forever, so it logs the
//     deadlock (the first few times) and returns -EDEADLK instead.
//   FUTEX_WAKE(_BITSET), FUTEX_REQUEUE: 0 woken. FUTEX_CMP_REQUEUE: -EAGAIN
//     when *uaddr != val3, else 0. FUTEX_WAKE_OP: applies the operation to
//     *uaddr2, 0 woken.
//   The PI operations: -ENOSYS.
// FUTEX_PRIVATE_FLAG makes no difference (one address space);
// FUTEX_CLOCK_REALTIME picks the clock of FUTEX_WAIT_BITSET's absolute
// timeout (FUTEX_WAIT's is relative).
#include "lib/format.h"
#include "proc/process.h"
#include "proc/sleep.h"
#include "syscalls/syscalls.h"
#include "syscalls/user_copy.h"

namespace silk::kernel::syscalls {
namespace {

constexpr uint64_t kWait = 0, kWake = 1, kRequeue = 3, kCmpRequeue = 4, kWakeOp = 5, kWaitBitset = 9,
                   kWakeBitset = 10;
constexpr uint64_t kPrivateFlag = 128, kClockRealtime = 256;
constexpr int kDeadlockReports = 3;

int g_deadlocks = 0;

int64_t wait(uint64_t uaddr, uint32_t val, uint64_t timeout, bool absolute, bool realtime) {
  uint32_t current;
  if (!copy_in(&current, uaddr)) return -kEfault;
  if (current != val) return -kEagain;
  if (timeout == 0) {
    if (g_deadlocks++ < kDeadlockReports) {
      kprintf("silk kernel: %s: futex wait on 0x%lx (value %u) without a timeout and no other thread: "
              "deadlock, -EDEADLK\n", proc::exe_path(), uaddr, val);
    }
    return -kEdeadlk;
  }
  uint64_t ns;
  if (int64_t r = read_timespec(timeout, &ns); r != 0) return r;
  bool reached;
  if (!absolute) {
    reached = proc::sleep_for(ns);
  } else if (realtime) {
    uint64_t real = proc::realtime_ns(), mono = proc::monotonic_ns();
    reached = proc::sleep_until(ns > real ? mono + (ns - real) : mono);
  } else {
    reached = proc::sleep_until(ns);
  }
  return reached ? -kEtimedout : -kEintr;
}

// FUTEX_WAKE_OP's operation on *uaddr2 (uapi linux/futex.h, FUTEX_OP).
int64_t wake_op(uint64_t uaddr2, uint32_t encoded) {
  uint32_t op = (encoded >> 28) & 7, oparg = (encoded >> 12) & 0xfff;
  if ((encoded >> 31) != 0) oparg = oparg < 32 ? 1u << oparg : 0;  // FUTEX_OP_OPARG_SHIFT
  uint32_t old;
  if (!copy_in(&old, uaddr2)) return -kEfault;
  uint32_t value;
  switch (op) {
    case 0: value = oparg; break;         // SET
    case 1: value = old + oparg; break;   // ADD
    case 2: value = old | oparg; break;   // OR
    case 3: value = old & ~oparg; break;  // ANDN
    case 4: value = old ^ oparg; break;   // XOR
    default: return -kEnosys;
  }
  if (!copy_out(uaddr2, value)) return -kEfault;
  return 0;  // the comparison only decides whether uaddr2's waiters wake: there are none
}

}  // namespace

int64_t sys_futex(uint64_t uaddr, uint64_t op, uint64_t val, uint64_t timeout, uint64_t uaddr2, uint64_t val3) {
  uint64_t cmd = op & ~(kPrivateFlag | kClockRealtime);
  bool realtime = (op & kClockRealtime) != 0;
  if (uaddr % 4 != 0) return -kEinval;
  if (realtime && cmd != kWait && cmd != kWaitBitset) return -kEnosys;
  switch (cmd) {
    case kWait:
      return wait(uaddr, static_cast<uint32_t>(val), timeout, false, realtime);
    case kWaitBitset:
      if (static_cast<uint32_t>(val3) == 0) return -kEinval;
      return wait(uaddr, static_cast<uint32_t>(val), timeout, true, realtime);
    case kWake:
    case kRequeue:
      return 0;
    case kWakeBitset:
      return static_cast<uint32_t>(val3) == 0 ? -kEinval : 0;
    case kCmpRequeue: {
      uint32_t current;
      if (!copy_in(&current, uaddr)) return -kEfault;
      return current != static_cast<uint32_t>(val3) ? -kEagain : 0;
    }
    case kWakeOp:
      if (uaddr2 % 4 != 0) return -kEinval;
      return wake_op(uaddr2, static_cast<uint32_t>(val3));
    default:
      return -kEnosys;
  }
}

}  // namespace silk::kernel::syscalls
