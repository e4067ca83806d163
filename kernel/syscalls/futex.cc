// futex(2) over proc/futex.h's wait queues:
//   FUTEX_WAIT(_BITSET): -EAGAIN when *uaddr != val; else waits until a wake,
//     the timeout (-ETIMEDOUT: WAIT's is relative, WAIT_BITSET's absolute,
//     FUTEX_CLOCK_REALTIME picks its clock) or a signal (-EINTR). With one
//     thread a wait without a timeout could never end: -EDEADLK, logged.
//   FUTEX_WAKE(_BITSET): wakes up to val waiters. FUTEX_REQUEUE and
//     FUTEX_CMP_REQUEUE (-EAGAIN when *uaddr != val3): wakes val, moves up to
//     val2 (the timeout argument) to uaddr2. FUTEX_WAKE_OP: applies the
//     operation to *uaddr2, wakes val on uaddr and, when the comparison with
//     the old value holds, val2 on uaddr2.
//   The PI operations: -ENOSYS.
// FUTEX_PRIVATE_FLAG makes no difference (one address space).
#include "event/wait.h"
#include "proc/futex.h"
#include "proc/process.h"
#include "syscalls/syscalls.h"
#include "syscalls/user_copy.h"

namespace silk::kernel::syscalls {
namespace {

constexpr uint64_t kWait = 0, kWake = 1, kRequeue = 3, kCmpRequeue = 4, kWakeOp = 5, kWaitBitset = 9,
                   kWakeBitset = 10;
constexpr uint64_t kPrivateFlag = 128, kClockRealtime = 256;

int64_t wait(uint64_t uaddr, uint32_t val, uint64_t timeout, bool absolute, bool realtime, uint32_t bitset) {
  uint64_t deadline = event::kForever;
  if (timeout != 0) {
    uint64_t ns;
    if (int64_t r = read_timespec(timeout, &ns); r != 0) return r;
    // The time left, then a deadline on the waits' clock (event/wait.h; not
    // the process clocks the caller's absolute times are on).
    uint64_t now = !absolute ? 0 : realtime ? proc::realtime_ns() : proc::monotonic_ns();
    deadline = event::deadline_after_ns(ns > now ? ns - now : 0);
  }
  return proc::futex::wait(uaddr, val, deadline, bitset);
}

// FUTEX_WAKE_OP (uapi linux/futex.h, FUTEX_OP): the operation on *uaddr2,
// then the wakes.
int64_t wake_op(uint64_t uaddr, uint64_t uaddr2, int64_t wake1, int64_t wake2, uint32_t encoded) {
  uint32_t op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15, oparg = (encoded >> 12) & 0xfff,
           cmparg = encoded & 0xfff;
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
  bool hit;
  auto o = static_cast<int32_t>(old), a = static_cast<int32_t>(cmparg);
  switch (cmp) {
    case 0: hit = o == a; break;
    case 1: hit = o != a; break;
    case 2: hit = o < a; break;
    case 3: hit = o <= a; break;
    case 4: hit = o > a; break;
    case 5: hit = o >= a; break;
    default: return -kEnosys;
  }
  int64_t woken = proc::futex::wake(uaddr, wake1, proc::futex::kAnyBit);
  if (hit) woken += proc::futex::wake(uaddr2, wake2, proc::futex::kAnyBit);
  return woken;
}

}  // namespace

int64_t sys_futex(uint64_t uaddr, uint64_t op, uint64_t val, uint64_t timeout, uint64_t uaddr2, uint64_t val3) {
  uint64_t cmd = op & ~(kPrivateFlag | kClockRealtime);
  bool realtime = (op & kClockRealtime) != 0;
  if (uaddr % 4 != 0) return -kEinval;
  if (realtime && cmd != kWait && cmd != kWaitBitset) return -kEnosys;
  auto count = static_cast<int64_t>(static_cast<uint32_t>(val) & 0x7fffffff);
  auto count2 = static_cast<int64_t>(timeout & 0x7fffffff);  // val2 rides in the timeout argument
  switch (cmd) {
    case kWait:
      return wait(uaddr, static_cast<uint32_t>(val), timeout, false, realtime, proc::futex::kAnyBit);
    case kWaitBitset:
      if (static_cast<uint32_t>(val3) == 0) return -kEinval;
      return wait(uaddr, static_cast<uint32_t>(val), timeout, true, realtime, static_cast<uint32_t>(val3));
    case kWake:
      return proc::futex::wake(uaddr, count, proc::futex::kAnyBit);
    case kWakeBitset:
      if (static_cast<uint32_t>(val3) == 0) return -kEinval;
      return proc::futex::wake(uaddr, count, static_cast<uint32_t>(val3));
    case kRequeue:
      if (uaddr2 % 4 != 0) return -kEinval;
      return proc::futex::requeue(uaddr, count, uaddr2, count2);
    case kCmpRequeue: {
      if (uaddr2 % 4 != 0) return -kEinval;
      uint32_t current;
      if (!copy_in(&current, uaddr)) return -kEfault;
      if (current != static_cast<uint32_t>(val3)) return -kEagain;
      return proc::futex::requeue(uaddr, count, uaddr2, count2);
    }
    case kWakeOp:
      if (uaddr2 % 4 != 0) return -kEinval;
      return wake_op(uaddr, uaddr2, count, count2, static_cast<uint32_t>(val3));
    default:
      return -kEnosys;
  }
}

}  // namespace silk::kernel::syscalls
