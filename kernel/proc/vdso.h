// silk's vDSO in the process (kernel/vdso/): clock_gettime, gettimeofday,
// time and getcpu without a system call, found by glibc through
// AT_SYSINFO_EHDR.
#pragma once

#include <stdint.h>

namespace silk::kernel::proc::vdso {

// Maps the image (two pages, writable for now) into the process; its address
// for AT_SYSINFO_EHDR, or 0 when it cannot (the process then makes system
// calls, as without a vDSO).
uint64_t map();

// Writes the clocks' start into the data page and makes the image
// read+execute (code) and read-only (data). Call once, before ring 3.
void seal(uint64_t tsc_khz, uint64_t tsc0, uint64_t wall0);

}  // namespace silk::kernel::proc::vdso
