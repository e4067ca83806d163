// Copying fixed-size values between the kernel and user memory for the
// system calls. proc::memory::prepare checks the range (user memory with the
// access the copy needs) and makes it present first, so the copy itself
// cannot fault. False: the caller returns -EFAULT.
#pragma once

#include <stdint.h>

#include "lib/string.h"
#include "proc/memory.h"

namespace silk::kernel::syscalls {

template <typename T>
bool copy_in(T* out, uint64_t user) {
  if (!proc::memory::prepare(user, sizeof(T), false)) return false;
  // SAFETY: prepare() checked the range (user, readable) and made it present.
  memcpy(out, reinterpret_cast<const void*>(user), sizeof(T));
  return true;
}

template <typename T>
bool copy_out(uint64_t user, const T& value) {
  if (!proc::memory::prepare(user, sizeof(T), true)) return false;
  // SAFETY: prepare() checked the range (user, writable) and made it present.
  memcpy(reinterpret_cast<void*>(user), &value, sizeof(T));
  return true;
}

// struct timespec / struct timeval (x86-64: two 64-bit words).
struct Timespec {
  int64_t sec, nsec;
};
struct Timeval {
  int64_t sec, usec;
};

inline constexpr uint64_t kNsPerSec = 1000000000;

// Reads a timespec into nanoseconds: 0, -EFAULT, or -EINVAL for a negative
// or unnormalized one. Saturates far beyond any sleep that could finish.
int64_t read_timespec(uint64_t user, uint64_t* ns);
Timespec to_timespec(uint64_t ns);

}  // namespace silk::kernel::syscalls
