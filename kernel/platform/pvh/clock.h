// Time on PVH: kvmclock when the hypervisor is KVM (Linux
// Documentation/virt/kvm/x86/msr.rst, MSR_KVM_WALL_CLOCK_NEW and
// MSR_KVM_SYSTEM_TIME_NEW), else the CMOS RTC (whole seconds; QEMU TCG),
// with the TSC rate measured against the i8254 PIT (10 ms at boot) so that
// the process clock has nanoseconds there too.
#pragma once

#include <stdint.h>

namespace silk::kernel::platform::pvh {

void clock_init();
uint64_t clock_walltime_ns();  // 0 when there is no clock at all
uint64_t clock_tsc_khz();      // 0 when unknown (no kvmclock, no PIT)
const char* clock_source();    // "kvmclock", "cmos" or "none"

}  // namespace silk::kernel::platform::pvh
