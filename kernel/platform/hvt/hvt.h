// silk's monitor: the hypercalls of include/silk/hvt_abi.h. Internal to
// platform/; the rest of the kernel uses platform/platform.h.
#pragma once

#include "platform/platform.h"

namespace silk::kernel::platform::hvt {

void init(uint64_t boot_info);
void console_write(const char* data, size_t len, int stream);
int64_t console_read(char* data, size_t len);
uint64_t walltime_ns();
uint64_t tsc_khz();
void idle(uint64_t ns);
void boot_event(uint32_t event);
[[noreturn]] void halt(int status);
MemoryMap memory_map();
const char* cmdline();
BootModule initrd();

// The network device (HvtBootInfo.net_mtu/net_mac; NetWrite, NetRead, Poll):
// platform/hvt/net.h wraps these as a net::NetDevice.
struct NetInfo {
  uint32_t mtu;  // 0: the monitor has no network device
  uint8_t mac[6];
};
NetInfo net_info();
// One frame out: 0, or -1 on error.
int32_t net_write(const void* frame, size_t len);
// One frame in: 0 with {*len} set to its length, 1 when none is waiting, -1
// on error ({*len} in: the buffer's size).
int32_t net_read(void* frame, size_t* len);
// Blocks up to {timeout_ns} until a device is ready or the host asks to
// stop; the ready set (hvt_abi.h: bit 0 the network is readable, bit 1 the
// stop request, kept for take_host_signal).
uint64_t poll(uint64_t timeout_ns);
// The signal the monitor passed on (SIGINT 2, SIGTERM 15) since the last
// call, or 0.
int take_host_signal();
bool host_signal_pending();

// The block device (HvtBootInfo.block_*; BlockRead, BlockWrite, BlockFlush):
// platform/hvt/block.h wraps these as a drivers::BlockDevice.
struct BlockInfo {
  uint64_t bytes;  // 0: the monitor has no block device
  bool read_only;
};
BlockInfo block_info();
// [{offset}, +{len}) in bytes, both multiples of 512 and inside the disk
// (the monitor stops the VM otherwise); {data} physically contiguous. 0 or
// -1 (host I/O error, a write to a read-only disk).
int32_t block_read(uint64_t offset, void* data, uint64_t len);
int32_t block_write(uint64_t offset, const void* data, uint64_t len);
int32_t block_flush();

}  // namespace silk::kernel::platform::hvt
