// The platform below the kernel: silk's own monitor (hvt hypercalls,
// include/silk/hvt_abi.h) or a PVH-booted VM (QEMU -M microvm, Firecracker:
// COM1, CMOS/kvmclock, exit devices). One ELF serves both; the entry point
// that ran decides, and platform::init records it. Everything else in the
// kernel talks to the platform through these functions only.
//
// Single CPU, no preemption: none of these is reentrant or locked.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace silk::kernel::net {
class NetDevice;
}
namespace silk::kernel::drivers {
class BlockDevice;
}

namespace silk::kernel::platform {

enum class BootPath : uint32_t { kHvt = 0, kPvh = 1 };  // values set by the entry stubs

// halt() statuses. Under QEMU's isa-debug-exit the process exits with
// (status << 1) | 1; under silk vm with the status itself.
inline constexpr int kExitOk = 0;
inline constexpr int kExitSelfCheckFailed = 1;
inline constexpr int kExitPanic = 2;
inline constexpr int kExitCpuException = 3;

struct MemoryRegion {  // usable RAM, physical
  uint64_t base;
  uint64_t size;
};

struct MemoryMap {
  const MemoryRegion* regions;
  size_t count;
};

struct BootModule {  // a blob the loader placed in RAM (the initrd), or {0, 0}
  uint64_t base;
  uint64_t size;
};

// Parses the boot information at physical {info} (HvtBootInfo or
// hvm_start_info) and copies what the kernel keeps (command line, memory map,
// initrd location) into kernel storage, so the original may be overwritten
// afterwards. Brings up the console first; panics on a malformed boot info.
void init(BootPath path, uint64_t info);

BootPath boot_path();
const char* boot_path_name();  // "hvt (silk vm)" or "pvh"

// The console carries the program's stdout (stream 1) and stderr (stream 2)
// and the kernel's messages (stream 2). silk's monitor keeps the streams
// apart; under PVH stream 1 is COM1 and stream 2 is COM2 when QEMU has a
// second serial port (silk image's qemu.sh), else COM1 too.
inline constexpr int kConsoleStdout = 1, kConsoleStderr = 2;
void console_write(const char* data, size_t len, int stream = kConsoleStdout);
// Reads the console's input (the host's stdin under silk's monitor): blocks
// until at least one byte; 0 at end of input (always, under PVH for now),
// -1 on an error.
int64_t console_read(char* data, size_t len);

// CLOCK_REALTIME in ns; 0 when the platform has no clock.
uint64_t walltime_ns();
// TSC ticks per millisecond, 0 when unknown.
uint64_t tsc_khz();
// Waits about {ns} nanoseconds with nothing to run (there are no interrupts
// yet, so nothing can end the wait early; callers loop on their clock).
// hvt: the Poll hypercall (the monitor's vCPU thread sleeps). PVH: a spin on
// the TSC (pause), or on the wall clock when the TSC rate is unknown; a
// LAPIC timer and hlt come with interrupts.
void idle(uint64_t ns);

[[noreturn]] void halt(int status);

// A signal the host sent the machine since the last call (silk vm passes on
// its SIGINT/SIGTERM through Poll), or 0; always 0 under PVH.
int take_host_signal();
bool host_signal_pending();  // one waits for take_host_signal

// Tells the monitor a boot milestone (hvt::BootEvent: 1 the first process
// starts, 2 the runtime starts the app) for silk vm --trace-boot; nothing
// under PVH.
void boot_event(uint32_t event);

MemoryMap memory_map();
const char* cmdline();
BootModule initrd();

// The network device: silk vm's hvt device (HvtBootInfo.net_mtu != 0), or
// under PVH the first virtio-net device announced on the command line
// (`virtio_mmio.device=`), set up on the first call; nullptr when there is
// none. Needs the heap and the kernel's address space (maps MMIO).
net::NetDevice* network_device();

// The block device: silk vm's hvt disk (HvtBootInfo.block_size != 0), or
// under PVH the first virtio-blk device announced on the command line, set up
// on the first call; nullptr when there is none. Needs the heap and the
// kernel's address space.
drivers::BlockDevice* block_device();

}  // namespace silk::kernel::platform
