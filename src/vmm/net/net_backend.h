// silk::vmm::NetBackend — where the guest's Ethernet frames go (hvt_abi.h,
// "Network"): a host tap device (tap.h) or user-mode networking (slirp.h).
// Frames are whole Ethernet II frames without FCS, at most kMaxFrame bytes;
// the hypercall handlers (hypercalls/net.cc, poll.cc) check sizes before a
// backend sees them. Single-threaded: the vCPU thread calls everything.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "common/result.h"
#include "vmm/net/net_config.h"
#include "vmm/sandbox/seccomp_filter.h"

namespace silk::vmm {

class NetBackend {
 public:
  virtual ~NetBackend() = default;

  // Hands one frame to the network. A frame the network has no room for is
  // dropped (as on a wire); an error means the backend itself failed
  // ("tap0: write: Input/output error").
  virtual Result<void> send(std::span<const uint8_t> frame) = 0;
  // Takes one frame into {buf} (at least kMaxFrame bytes): its length, or 0
  // when none is waiting. Never blocks.
  virtual Result<size_t> receive(std::span<uint8_t> buf) = 0;
  // Blocks until a frame is waiting or {timeout_ns} has passed (0: just look);
  // true when one is waiting. Does the backend's work meanwhile.
  virtual Result<bool> wait(uint64_t timeout_ns) = 0;

  // Adds what the backend needs after set-up to the seccomp policy.
  virtual void add_to_policy(SeccompPolicy& policy) const = 0;
  // Frames the backend dropped for want of room (for --trace-boot).
  virtual uint64_t dropped() const { return 0; }
  // "tap tap0", "user (libslirp 4.7.0, DNS relay to 10.0.0.1:53)"
  virtual std::string name() const = 0;
  // Backend-specific counts for --trace-boot, or "".
  virtual std::string stats() const { return ""; }
};

// Opens the backend {config} asks for (kind not kNone); the error names the
// device and the cause ("tap0: no such network interface").
Result<std::unique_ptr<NetBackend>> open_net_backend(const NetConfig& config);

}  // namespace silk::vmm
