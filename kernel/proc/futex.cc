#include "proc/futex.h"

#include "event/wait.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "proc/thread.h"
#include "syscalls/user_copy.h"

namespace silk::kernel::proc::futex {
namespace {

struct Waiter {
  uint64_t address;
  uint32_t bitset;
  bool woken;
  Waiter* next;
};

Waiter* g_waiters = nullptr;
int g_deadlocks = 0;
constexpr int kDeadlockReports = 3;

void unlink(Waiter* w) {
  for (Waiter** p = &g_waiters; *p != nullptr; p = &(*p)->next) {
    if (*p == w) {
      *p = w->next;
      return;
    }
  }
}

}  // namespace

int64_t wait(uint64_t address, uint32_t value, uint64_t deadline, uint32_t bitset) {
  uint32_t current;
  if (!syscalls::copy_in(&current, address)) return -err::kFault;
  if (current != value) return -err::kAgain;
  if (thread::count() == 1 && deadline == event::kForever) {
    // Nobody else can wake it.
    if (g_deadlocks++ < kDeadlockReports) {
      kprintf("silk kernel: %s: futex wait on 0x%lx (value %u) without a timeout and no other thread: "
              "deadlock, -EDEADLK\n", exe_path(), address, value);
    }
    return -err::kDeadlk;
  }
  // SAFETY: the waiter lives on this thread's kernel stack until it leaves
  // the list (woken, timed out or interrupted) below.
  Waiter self{address, bitset, false, g_waiters};
  g_waiters = &self;
  int64_t result = 0;
  for (;;) {
    if (self.woken) break;
    if (signal::deliverable()) {
      result = -err::kIntr;
      break;
    }
    if (!event::wait_step(deadline)) {
      result = -err::kTimedout;
      break;
    }
  }
  if (!self.woken) unlink(&self);
  return self.woken ? 0 : result;
}

int64_t wake(uint64_t address, int64_t count, uint32_t bitset) {
  int64_t woken = 0;
  for (Waiter** p = &g_waiters; *p != nullptr && woken < count;) {
    Waiter* w = *p;
    if (w->address == address && (w->bitset & bitset) != 0) {
      *p = w->next;
      w->woken = true;
      ++woken;
    } else {
      p = &w->next;
    }
  }
  if (woken != 0) event::notify(nullptr, 0);  // the woken threads look again
  return woken;
}

int64_t requeue(uint64_t address, int64_t wake_count, uint64_t target, int64_t requeue_count) {
  int64_t done = wake(address, wake_count, kAnyBit);
  for (Waiter* w = g_waiters; w != nullptr && requeue_count > 0; w = w->next) {
    if (w->address == address) {
      w->address = target;
      --requeue_count;
      ++done;
    }
  }
  return done;
}

}  // namespace silk::kernel::proc::futex
