// silk hvt ABI — the one contract between silk's kernel (guest) and silk's
// KVM monitor (`silk vm`), in the style of Solo5's hvt_abi.h.
//
// Self-contained (fixed-width types only), included by both sides: the kernel
// (freestanding) and the monitor (hosted). Bump kHvtAbiVersion on every
// change; fields are only ever appended.
//
// Boot: the monitor starts the single vCPU directly in 64-bit long mode at the
// kernel ELF's entry point with RDI = guest-physical address of HvtBootInfo,
// identity-mapped page tables (2 MiB pages) covering all guest memory, a
// flat GDT (code 0x08, data 0x10), interrupts off.
//
// Hypercalls: the guest executes `out dx, eax` (32-bit) with
// dx = kHvtPortBase + nr and eax = the guest-physical address of the call's
// argument block (below). The monitor accepts only these exits; anything
// else ends the VM with a message. Every guest pointer is bounds-checked.
#pragma once

#include <stdint.h>

namespace silk::hvt {

inline constexpr uint32_t kHvtAbiVersion = 2;  // 2: ConsoleWrite.stream, ConsoleRead, BootEvent
inline constexpr uint16_t kHvtPortBase = 0x500;

// One row per hypercall: X(Name, number, argument struct).
#define SILK_HVT_HYPERCALLS(X)         \
  X(Walltime, 1, HvtWalltime)          \
  X(ConsoleWrite, 2, HvtConsoleWrite)  \
  X(Poll, 3, HvtPoll)                  \
  X(NetWrite, 4, HvtNetWrite)          \
  X(NetRead, 5, HvtNetRead)            \
  X(BlockWrite, 6, HvtBlockWrite)      \
  X(BlockRead, 7, HvtBlockRead)        \
  X(BlockFlush, 8, HvtBlockFlush)      \
  X(Halt, 9, HvtHalt)                  \
  X(ConsoleRead, 10, HvtConsoleRead)   \
  X(BootEvent, 11, HvtBootEvent)

enum class Hypercall : uint16_t {
#define SILK_HVT_ENUM(name, nr, args) name = nr,
  SILK_HVT_HYPERCALLS(SILK_HVT_ENUM)
#undef SILK_HVT_ENUM
};

// Guest-physical address (never dereferenced by the monitor without a check).
using GuestPhys = uint64_t;

struct HvtBootInfo {
  uint32_t abi_version;     // kHvtAbiVersion of the monitor
  uint32_t reserved0;
  uint64_t mem_size;        // bytes of guest RAM, starting at guest-physical 0
  uint64_t kernel_end;      // first free byte after the loaded kernel image
  uint64_t tsc_khz;         // for rdtsc -> time
  uint64_t boot_walltime_ns;  // CLOCK_REALTIME at boot
  GuestPhys cmdline;        // NUL-terminated
  GuestPhys initrd;         // the preloaded initrd blob (cpio newc), or 0
  uint64_t initrd_size;
  uint64_t net_mtu;         // 0 when there is no network device
  uint8_t net_mac[6];
  uint8_t reserved1[2];
  uint64_t block_size;      // bytes; 0 when there is no block device
  uint64_t block_sector_size;
};
static_assert(sizeof(HvtBootInfo) == 96);

struct HvtWalltime {
  uint64_t nsecs;  // out: CLOCK_REALTIME
};
struct HvtConsoleWrite {
  GuestPhys data;
  uint64_t len;
  uint32_t stream;  // 2: the host's stderr; anything else: its stdout
  uint32_t reserved;
};
// Reads the host's stdin, blocking until at least one byte (or end of file).
struct HvtConsoleRead {
  GuestPhys data;
  uint64_t len;  // in: buffer size
  int64_t ret;   // out: bytes read, 0 at end of file, -1 on error (stdin closed or unreadable)
};
struct HvtPoll {
  uint64_t timeout_ns;  // in: how long to block at most
  uint64_t ready_set;   // out: bit 0 = network readable
  int32_t ret;          // out: number of ready devices
  uint32_t reserved;
};
struct HvtNetWrite {
  GuestPhys data;
  uint64_t len;
  int32_t ret;  // out: 0, or -1 on error
  uint32_t reserved;
};
struct HvtNetRead {
  GuestPhys data;
  uint64_t len;  // in: buffer size; out: frame length
  int32_t ret;   // out: 0, 1 = no frame (would block), -1 error
  uint32_t reserved;
};
struct HvtBlockWrite {
  uint64_t offset;  // bytes, a multiple of the sector size
  GuestPhys data;
  uint64_t len;
  int32_t ret;
  uint32_t reserved;
};
struct HvtBlockRead {
  uint64_t offset;
  GuestPhys data;
  uint64_t len;
  int32_t ret;
  uint32_t reserved;
};
struct HvtBlockFlush {
  int32_t ret;
  uint32_t reserved;
};
// Boot milestones, for the monitor's --trace-boot (no other effect).
enum class BootEvent : uint32_t {
  kProcessStart = 1,  // the kernel is about to enter its first process
  kAppStart = 2,      // the runtime is about to run the app (its _start)
};
struct HvtBootEvent {
  uint32_t event;  // a BootEvent
  uint32_t reserved;
};
struct HvtHalt {
  int32_t exit_status;
  uint32_t reserved;
};
static_assert(sizeof(HvtConsoleWrite) == 24 && sizeof(HvtConsoleRead) == 24 && sizeof(HvtPoll) == 24 && sizeof(HvtNetRead) == 24);
static_assert(sizeof(HvtBlockRead) == 32 && sizeof(HvtHalt) == 8);

}  // namespace silk::hvt
