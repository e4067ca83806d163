// silk's monitor: the hypercalls of include/silk/hvt_abi.h. Internal to
// platform/; the rest of the kernel uses platform/platform.h.
#pragma once

#include "platform/platform.h"

namespace silk::kernel::platform::hvt {

void init(uint64_t boot_info);
void console_write(const char* data, size_t len);
uint64_t walltime_ns();
uint64_t tsc_khz();
void idle(uint64_t ns);
[[noreturn]] void halt(int status);
MemoryMap memory_map();
const char* cmdline();
BootModule initrd();

}  // namespace silk::kernel::platform::hvt
