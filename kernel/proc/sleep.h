// Sleeping on the process clock (proc/process.h: monotonic_ns), through
// platform::idle (the hvt Poll hypercall, or a spin on PVH). One thread: only
// a signal (the host's SIGINT/SIGTERM under silk vm) ends a sleep early.
#pragma once

#include <stdint.h>

namespace silk::kernel::proc {

// Returns true once monotonic_ns() >= {deadline}; false as soon as a signal
// that is not blocked is pending (the caller returns -EINTR).
bool sleep_until(uint64_t deadline);
bool sleep_for(uint64_t ns);
// Nanoseconds the CPU slept so far: the process's CPU-time clocks leave them
// out. add_slept counts a sleep (thread::wait's, when every thread waits).
uint64_t slept_ns();
void add_slept(uint64_t ns);

}  // namespace silk::kernel::proc
