#include "platform/hvt/hvt.h"

#include <silk/hvt_abi.h>

#include "arch/cpu.h"
#include "lib/panic.h"
#include "lib/string.h"
#include "mm/types.h"

namespace silk::kernel::platform::hvt {
namespace {

int g_host_signal = 0;  // the host's stop signal from Poll, not yet taken

using silk::hvt::Hypercall;

constexpr size_t kCmdlineMax = 4096;
char g_cmdline[kCmdlineMax];
MemoryRegion g_ram[1];
BootModule g_initrd;
uint64_t g_tsc_khz = 0;
NetInfo g_net{};
BlockInfo g_block{};

// One hypercall: `out dx, eax` with dx = kHvtPortBase + nr and eax = the
// argument block's guest-physical address (hvt_abi.h). The monitor reads
// and writes the block before the vCPU resumes.
template <typename Args>
void hypercall(Hypercall nr, Args* args) {
  PhysAddr block = virt_to_phys(args);
  // SAFETY: {args} lives in the identity-mapped kernel image or stack, below
  // 4 GiB (the kernel is linked at 1 MiB), so its 32-bit physical address is
  // exact; "memory" makes the compiler write the block out and reread it.
  asm volatile("outl %0, %1"
               :
               : "a"(static_cast<uint32_t>(block.value)),
                 "d"(static_cast<uint16_t>(silk::hvt::kHvtPortBase + static_cast<uint16_t>(nr)))
               : "memory");
}

}  // namespace

void init(uint64_t boot_info) {
  // SAFETY: the monitor passes the guest-physical address of a HvtBootInfo in
  // RDI; its own page tables identity-map all guest memory.
  const auto& info = *phys_to_virt<const silk::hvt::HvtBootInfo>(PhysAddr{boot_info});
  if (info.abi_version < 1) {
    // No console contract without a valid ABI: halt with the panic status.
    silk::hvt::HvtHalt args{kExitPanic, 0};
    hypercall(Hypercall::Halt, &args);
    arch::halt_forever();
  }
  if (info.cmdline != 0) {
    copy_string(g_cmdline, sizeof g_cmdline, phys_to_virt<const char>(PhysAddr{info.cmdline}));
  }
  g_ram[0] = MemoryRegion{0, info.mem_size};
  if (info.initrd != 0 && info.initrd_size != 0) g_initrd = BootModule{info.initrd, info.initrd_size};
  g_tsc_khz = info.tsc_khz;
  if (info.net_mtu != 0) {
    g_net.mtu = info.net_mtu > 65535 ? 65535 : static_cast<uint32_t>(info.net_mtu);
    memcpy(g_net.mac, info.net_mac, 6);
  }
  // A disk of 512-byte sectors (ABI 3; block_readonly is new there).
  if (info.abi_version >= 3 && info.block_size != 0 && info.block_sector_size == 512) {
    g_block = BlockInfo{info.block_size & ~uint64_t{511}, info.block_readonly != 0};
  }
  if (info.mem_size < 4 * kMiB) panic("hvt: guest memory is %lu bytes, need at least 4 MiB", info.mem_size);
}

void console_write(const char* data, size_t len, int stream) {
  silk::hvt::HvtConsoleWrite args{virt_to_phys(data).value, len, static_cast<uint32_t>(stream), 0};
  hypercall(Hypercall::ConsoleWrite, &args);
}

int64_t console_read(char* data, size_t len) {
  silk::hvt::HvtConsoleRead args{virt_to_phys(data).value, len, 0};
  hypercall(Hypercall::ConsoleRead, &args);
  return args.ret;
}

uint64_t walltime_ns() {
  silk::hvt::HvtWalltime args{0};
  hypercall(Hypercall::Walltime, &args);
  return args.nsecs;
}

uint64_t tsc_khz() { return g_tsc_khz; }

void boot_event(uint32_t event) {
  silk::hvt::HvtBootEvent args{event, 0};
  hypercall(Hypercall::BootEvent, &args);
}

void idle(uint64_t ns) {
  // A sleep, unless a frame or the host's stop request ends it early.
  (void)poll(ns);
}

void halt(int status) {
  silk::hvt::HvtHalt args{status, 0};
  hypercall(Hypercall::Halt, &args);
  arch::halt_forever();  // the monitor never resumes a halted guest
}

MemoryMap memory_map() { return MemoryMap{g_ram, 1}; }
const char* cmdline() { return g_cmdline; }
BootModule initrd() { return g_initrd; }

NetInfo net_info() { return g_net; }

int32_t net_write(const void* frame, size_t len) {
  silk::hvt::HvtNetWrite args{virt_to_phys(frame).value, len, 0, 0};
  hypercall(Hypercall::NetWrite, &args);
  return args.ret;
}

int32_t net_read(void* frame, size_t* len) {
  silk::hvt::HvtNetRead args{virt_to_phys(frame).value, *len, 0, 0};
  hypercall(Hypercall::NetRead, &args);
  if (args.ret == 0) *len = args.len;
  return args.ret;
}

uint64_t poll(uint64_t timeout_ns) {
  silk::hvt::HvtPoll args{timeout_ns, 0, 0, 0};
  hypercall(Hypercall::Poll, &args);
  if ((args.ready_set & silk::hvt::kHvtReadyStop) != 0) g_host_signal = static_cast<int>(args.stop_signal);
  return args.ready_set;
}

bool host_signal_pending() { return g_host_signal != 0; }

int take_host_signal() {
  int signo = g_host_signal;
  g_host_signal = 0;
  return signo;
}

BlockInfo block_info() { return g_block; }

int32_t block_read(uint64_t offset, void* data, uint64_t len) {
  silk::hvt::HvtBlockRead args{offset, virt_to_phys(data).value, len, 0, 0};
  hypercall(Hypercall::BlockRead, &args);
  return args.ret;
}

int32_t block_write(uint64_t offset, const void* data, uint64_t len) {
  silk::hvt::HvtBlockWrite args{offset, virt_to_phys(data).value, len, 0, 0};
  hypercall(Hypercall::BlockWrite, &args);
  return args.ret;
}

int32_t block_flush() {
  silk::hvt::HvtBlockFlush args{0, 0};
  hypercall(Hypercall::BlockFlush, &args);
  return args.ret;
}

}  // namespace silk::kernel::platform::hvt
