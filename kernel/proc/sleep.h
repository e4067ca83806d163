// Sleeping on the process clock (proc/process.h: monotonic_ns). One thread
// and no other event source: a sleep always runs to its deadline, through
// platform::idle (the hvt Poll hypercall, or a spin on PVH).
#pragma once

#include <stdint.h>

namespace silk::kernel::proc {

// Returns once monotonic_ns() >= {deadline}.
void sleep_until(uint64_t deadline);
void sleep_for(uint64_t ns);
// Nanoseconds slept so far: the process's CPU-time clocks leave them out.
uint64_t slept_ns();

}  // namespace silk::kernel::proc
