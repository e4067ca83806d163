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
//
// Faults: an argument the guest could have known to be wrong (a buffer
// outside guest RAM, a frame longer than the MTU, a block request that is
// misaligned or beyond the disk) stops the VM (silk vm exits 123 with a
// message naming the call and the argument); the guest MUST NOT rely on
// getting an error back for it. `ret` = -1 is kept for what the guest cannot
// know in advance: no such device, a host I/O error, a write to a read-only
// disk.
//
// Devices (at most one network and one block device; no interrupts: the
// guest learns about incoming frames from Poll):
//
// * Network: raw Ethernet II frames, without preamble, FCS or any virtio-net
//   header: 6 bytes destination MAC, 6 bytes source MAC, 2 bytes EtherType
//   (big-endian), then the payload; no minimum length (no padding to 60
//   bytes needed). The guest sends from its MAC, net_mac; at most net_mtu
//   bytes of payload (kHvtEthHeader + net_mtu per frame), no offloads: the
//   guest computes its own checksums and segments its own TCP. Backends:
//   a host tap device, or user-mode networking (libslirp) whose addresses the
//   boot info carries (net_ipv4_*: guest 10.0.2.15/24, gateway and host
//   10.0.2.2, DNS 10.0.2.3; 0 for a tap: configure from the command line or
//   DHCP). The network only moves while the guest is in Poll, NetRead or
//   NetWrite: a guest busy elsewhere leaves frames queued (the tap's queue, or
//   up to 256 frames for user-mode networking; more are dropped).
// * Block: block_size bytes (a multiple of block_sector_size = 512), read and
//   written in whole sectors, many per call. A write is done when BlockWrite
//   returns (the host file holds it; other readers see it) and durable (it
//   survives a host crash) after the next BlockFlush returns 0.
#pragma once

#include <stdint.h>

namespace silk::hvt {

inline constexpr uint32_t kHvtAbiVersion = 4;  // 2: ConsoleWrite.stream, ConsoleRead, BootEvent; 3: network and block;
                                               // 4: Poll reports the host's stop signal
                                               // devices, HvtBootInfo.block_readonly and net_ipv4_*
inline constexpr uint16_t kHvtPortBase = 0x500;
inline constexpr uint64_t kHvtEthHeader = 14;  // destination MAC, source MAC, EtherType

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
  uint64_t net_mtu;         // 0 when there is no network device; else 1500
  uint8_t net_mac[6];       // the guest's MAC (52:54:00:12:34:56)
  uint8_t reserved1[2];
  uint64_t block_size;      // bytes; 0 when there is no block device
  uint64_t block_sector_size;  // 512 (0 without a block device)
  // ABI 3:
  uint32_t block_readonly;  // 1: BlockWrite returns -1 (silk vm --disk-readonly)
  uint32_t reserved2;
  // The IPv4 set-up the network backend dictates, each address in network
  // byte order (10.0.2.15 = {10, 0, 2, 15}); all zero when it dictates none
  // (a tap device).
  uint8_t net_ipv4_addr[4];     // the guest's address
  uint8_t net_ipv4_gateway[4];  // the default route (and, for user-mode networking, the host)
  uint8_t net_ipv4_dns[4];      // a DNS server (UDP port 53)
  uint8_t net_ipv4_prefix;      // the network's prefix length (24)
  uint8_t reserved3[3];
};
static_assert(sizeof(HvtBootInfo) == 120);

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
// Blocks the vCPU until the network has a frame for NetRead, the host asks
// the guest to stop, or {timeout_ns} has passed (0: just look), whichever
// comes first; returns at once when a frame is already waiting. While it
// blocks, user-mode networking does its work (host sockets, port forwards,
// timers). Without a network device it sleeps for the whole timeout. Frames
// are level-triggered: the bit stays set until NetRead has taken every
// waiting frame. A stop request (silk vm got SIGINT or SIGTERM) is reported
// once, by the first Poll after it: bit 1 with the signal's number in
// stop_signal; the guest passes it on to its process (a graceful stop). The
// guest only learns of it in Poll: a second signal ends the monitor at once.
struct HvtPoll {
  uint64_t timeout_ns;   // in: how long to block at most
  uint64_t ready_set;    // out: kHvtReadyNet | kHvtReadyStop
  int32_t ret;           // out: number of ready bits (0 = timed out)
  uint32_t stop_signal;  // out (ABI 4): with kHvtReadyStop, 2 (SIGINT) or 15 (SIGTERM)
};
inline constexpr uint64_t kHvtReadyNet = 1;
inline constexpr uint64_t kHvtReadyStop = 2;

// Sends one Ethernet frame of {len} bytes, kHvtEthHeader .. kHvtEthHeader +
// net_mtu (anything else stops the VM). The frame is queued on the host
// (and may be dropped there, as on a wire, when queues are full).
struct HvtNetWrite {
  GuestPhys data;
  uint64_t len;
  int32_t ret;  // out: 0, or -1 (no network device, or the host backend failed)
  uint32_t reserved;
};
// Takes one frame without blocking. {len} must be at least kHvtEthHeader +
// net_mtu (a smaller buffer stops the VM).
struct HvtNetRead {
  GuestPhys data;
  uint64_t len;  // in: buffer size; out: the frame's length when ret is 0 (else untouched)
  int32_t ret;   // out: 0 = a frame, 1 = no frame waiting (would block), -1 = no device or backend failure
  uint32_t reserved;
};

// Block I/O on [{offset}, {offset} + {len}): both multiples of
// block_sector_size, the range inside block_size (anything else stops the
// VM); {len} 0 does nothing. All {len} bytes or an error: a partial transfer
// is reported as -1 (the sectors' contents are then unspecified).
struct HvtBlockWrite {
  uint64_t offset;  // bytes, a multiple of the sector size
  GuestPhys data;
  uint64_t len;
  int32_t ret;      // out: 0, or -1 (no block device, read-only disk, host I/O error)
  uint32_t reserved;
};
struct HvtBlockRead {
  uint64_t offset;
  GuestPhys data;
  uint64_t len;
  int32_t ret;      // out: 0, or -1 (no block device, host I/O error)
  uint32_t reserved;
};
// Makes every completed BlockWrite durable (fdatasync of the host file).
struct HvtBlockFlush {
  int32_t ret;  // out: 0, or -1 (no block device, host I/O error); 0 on a read-only disk
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
