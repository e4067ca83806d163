#include "platform/pvh/pvh.h"

#include "arch/cpu.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/serial.h"
#include "lib/format.h"
#include "lib/panic.h"
#include "lib/string.h"
#include "mm/types.h"
#include "platform/pvh/clock.h"
#include "platform/pvh/start_info.h"

namespace silk::kernel::platform::pvh {
namespace {

constexpr size_t kCmdlineMax = 4096;
constexpr size_t kMaxRegions = 32;

// QEMU's isa-debug-exit (-device isa-debug-exit,iobase=0xf4,iosize=4): QEMU
// exits with (value << 1) | 1. Firecracker: 0xFE to the i8042 command port
// ends the VM (its only exit; the status is lost).
constexpr uint16_t kDebugExitPort = 0xf4;
constexpr uint16_t kI8042Command = 0x64;
constexpr uint8_t kI8042Reset = 0xfe;

char g_cmdline[kCmdlineMax];
MemoryRegion g_ram[kMaxRegions];
size_t g_ram_count = 0;
BootModule g_initrd;

}  // namespace

void init(uint64_t start_info) {
  x86_64::serial_init();
  // SAFETY: the PVH loader passes the physical address of hvm_start_info in
  // EBX; boot_pvh.S identity-maps the low 4 GiB where it and its tables live.
  const auto& info = *phys_to_virt<const HvmStartInfo>(PhysAddr{start_info});
  if (info.magic != kStartInfoMagic) panic("pvh: bad hvm_start_info magic 0x%x", info.magic);
  if (info.cmdline_paddr != 0) {
    copy_string(g_cmdline, sizeof g_cmdline, phys_to_virt<const char>(PhysAddr{info.cmdline_paddr}));
  }
  if (info.nr_modules > 0 && info.modlist_paddr != 0) {
    const auto& module = *phys_to_virt<const HvmModlistEntry>(PhysAddr{info.modlist_paddr});
    if (module.size != 0) g_initrd = BootModule{module.paddr, module.size};
  }
  if (info.version < 1 || info.memmap_paddr == 0) panic("pvh: hvm_start_info v%u has no memory map", info.version);
  const auto* entries = phys_to_virt<const HvmMemmapEntry>(PhysAddr{info.memmap_paddr});
  for (uint32_t i = 0; i < info.memmap_entries; ++i) {
    if (entries[i].type != kMemmapRam || entries[i].size == 0) continue;
    if (g_ram_count == kMaxRegions) break;
    g_ram[g_ram_count++] = MemoryRegion{entries[i].addr, entries[i].size};
  }
  if (g_ram_count == 0) panic("pvh: the memory map has no RAM");
  clock_init();
}

// Stream 2 (the program's stderr, the kernel's messages) goes to COM2 when
// QEMU has one, else to COM1 with stream 1.
void console_write(const char* data, size_t len, int stream) {
  static int s_stderr_port = -1;  // unknown until the first stderr write
  if (stream == 2) {
    if (s_stderr_port < 0) s_stderr_port = x86_64::serial_present(x86_64::kCom2) ? x86_64::kCom2 : 0;
    if (s_stderr_port != 0) return x86_64::serial_write(static_cast<uint16_t>(s_stderr_port), data, len);
  }
  x86_64::serial_write(data, len);
}
uint64_t walltime_ns() { return clock_walltime_ns(); }
uint64_t tsc_khz() { return clock_tsc_khz(); }

void halt(int status) {
  // isa-debug-exit carries 7 bits of {status}: the whole status also goes to
  // COM3 when there is one ("exit N", read by silk image's qemu.sh).
  if (x86_64::serial_present(x86_64::kCom3)) {
    char line[24];
    size_t n = format(line, sizeof line, "exit %d\n", status);
    x86_64::serial_write(x86_64::kCom3, line, n);
  }
  x86_64::outl(kDebugExitPort, static_cast<uint32_t>(status));
  x86_64::outb(kI8042Command, kI8042Reset);
  // Neither exit device answered: reset the CPU (QEMU -no-reboot then exits).
  arch::triple_fault();
}

MemoryMap memory_map() { return MemoryMap{g_ram, g_ram_count}; }
const char* cmdline() { return g_cmdline; }
BootModule initrd() { return g_initrd; }

}  // namespace silk::kernel::platform::pvh
