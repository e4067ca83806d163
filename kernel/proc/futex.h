// Futex wait queues (futex(2)'s semantics; syscalls/futex.cc decodes the
// call). A waiter sits on its own kernel stack in one list: few threads, so
// a list serves.
#pragma once

#include <stdint.h>

namespace silk::kernel::proc::futex {

inline constexpr uint32_t kAnyBit = 0xffffffffu;

// Waits while the word at {address} holds {value}: 0 once woken, -EAGAIN if
// it differs at the start, -ETIMEDOUT at {deadline} (monotonic ns; ~0: none),
// -EINTR when a deliverable signal arrives, -EFAULT for a bad address. With
// one thread, a wait without a deadline can never end: -EDEADLK.
int64_t wait(uint64_t address, uint32_t value, uint64_t deadline, uint32_t bitset);

// Wakes up to {count} waiters on {address} whose bitset meets {bitset}; the
// number woken.
int64_t wake(uint64_t address, int64_t count, uint32_t bitset);

// Wakes up to {wake_count} waiters on {address} and moves up to
// {requeue_count} more to {target}; the number woken plus moved.
int64_t requeue(uint64_t address, int64_t wake_count, uint64_t target, int64_t requeue_count);

}  // namespace silk::kernel::proc::futex
