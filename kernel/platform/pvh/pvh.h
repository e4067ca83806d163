// PVH-booted VMs (QEMU -M microvm, Firecracker): COM1 console, kvmclock (or
// the CMOS RTC) for wall time, isa-debug-exit / i8042 reset to halt.
// Internal to platform/; the rest of the kernel uses platform/platform.h.
#pragma once

#include "platform/platform.h"

namespace silk::kernel::platform::pvh {

void init(uint64_t start_info);
void console_write(const char* data, size_t len, int stream);
uint64_t walltime_ns();
uint64_t tsc_khz();
[[noreturn]] void halt(int status);
MemoryMap memory_map();
const char* cmdline();
BootModule initrd();

}  // namespace silk::kernel::platform::pvh
