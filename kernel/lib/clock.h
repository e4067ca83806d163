// A monotonic clock for timeouts: the TSC scaled by platform::tsc_khz().
// Where the platform does not know the TSC's rate (QEMU TCG without
// kvmclock), a 1 GHz TSC is assumed: timeouts are then off by the ratio, but
// still finite and monotonic.
#pragma once

#include <stdint.h>

namespace silk::kernel {

// Nanoseconds since an arbitrary point at boot; never goes backwards.
uint64_t monotonic_ns();
// TSC ticks in {ns} nanoseconds (for deadline loops on arch::read_timestamp()).
uint64_t ns_to_ticks(uint64_t ns);

}  // namespace silk::kernel
