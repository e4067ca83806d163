// silk::vmm — the hypercalls the monitor serves (hvt_abi.h's
// SILK_HVT_HYPERCALLS table), one file per device class:
//   time.cc (Walltime), console.cc (ConsoleWrite, ConsoleRead), poll.cc (Poll),
//   net.cc (NetWrite, NetRead), block.cc (BlockWrite, BlockRead, BlockFlush),
//   halt.cc (Halt), boot_event.cc (BootEvent); dispatch.cc maps a port to its handler.
//
// dispatch_hypercall() copies the argument block out of guest memory (after a
// bounds check), hands the typed copy to handle(), and copies it back so the
// guest sees the out fields. Handlers check every guest pointer inside the
// block with GuestMemory::checked() before using it. Single-threaded: the one
// vCPU is stopped while its hypercall runs.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "silk/hvt_abi.h"
#include "vmm/kvm/memory.h"

namespace silk::vmm {

// What the vCPU loop does after a hypercall.
struct HypercallOutcome {
  enum class Kind { kResume, kHalt, kFault };
  Kind kind = Kind::kResume;
  int exit_status = 0;  // kHalt: the guest's exit status
  std::string message;  // kFault: why the VM must stop

  static HypercallOutcome resume() { return {}; }
  static HypercallOutcome halt(int status) { return {Kind::kHalt, status, {}}; }
  static HypercallOutcome fault(std::string why) { return {Kind::kFault, 0, std::move(why)}; }
};

// The monitor state hypercalls may use.
struct HypercallContext {
  GuestMemory& memory;
  int console_fd;      // the guest's console output (the host's stdout)
  int console_err_fd;  // its stream 2 (the host's stderr)
  int console_in_fd;   // its input (the host's stdin)
  // CLOCK_MONOTONIC ns at which each hvt::BootEvent was first reported (0: not yet).
  std::array<uint64_t, 4> boot_event_ns{};
};

// One handler per hypercall, found by its argument block's type.
#define SILK_HVT_DECLARE_HANDLER(name, nr, args) HypercallOutcome handle(HypercallContext& ctx, hvt::args& call);
SILK_HVT_HYPERCALLS(SILK_HVT_DECLARE_HANDLER)
#undef SILK_HVT_DECLARE_HANDLER

// Serves hypercall number {nr} (port - kHvtPortBase) with the argument block
// at guest-physical {args}; an unknown number or an argument block outside
// guest RAM is a fault.
HypercallOutcome dispatch_hypercall(HypercallContext& ctx, uint16_t nr, GuestPhys args);

// "ConsoleWrite", or nullptr for a number not in the table.
const char* hypercall_name(uint16_t nr);
// One more than the largest hypercall number (for per-call counters).
inline constexpr uint16_t kHypercallLimit = 16;

// "[0x1000, +0x20)" — a guest range in messages.
std::string describe_range(GuestPhys gpa, uint64_t len);

}  // namespace silk::vmm
