// The page the kernel fills for silk's vDSO (vdso.cc): the process clocks'
// parameters, so that ring 3 reads the same clocks as the system calls
// (proc::realtime_ns, proc::monotonic_ns) without entering the kernel.
#pragma once

#include <stdint.h>

namespace silk::vdso {

struct VdsoData {
  uint64_t tsc_khz;  // 0: the TSC rate is unknown, every call is a system call
  uint64_t tsc0;     // the TSC when the process started
  uint64_t wall0;    // CLOCK_REALTIME (ns) at that moment
};

// Where the data page sits in the vDSO image (vdso.lds places it there).
inline constexpr uint64_t kDataOffset = 0x1000;
inline constexpr uint64_t kImagePages = 2;

}  // namespace silk::vdso
