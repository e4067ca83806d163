// silk::vmm::SlirpBackend — user-mode networking (`silk vm --net user`, like
// QEMU's `-netdev user`): libslirp plays the rest of the network in the
// monitor's process, with no privileges. The guest is 10.0.2.15/24 (slirp
// also answers DHCP with it); 10.0.2.2 is the gateway and the host (its ports
// are the host's 127.0.0.1); 10.0.2.3 is DNS (dns_relay.h); other
// destinations are reached through host sockets (NAT). `-p` forwards
// 127.0.0.1:HOSTPORT on the host to 10.0.2.15:GUESTPORT. IPv4 only.
//
// slirp only runs inside the monitor's calls: frames from the guest go in
// at NetWrite; host sockets, port forwards and slirp's timers are served in
// the same ppoll that blocks Poll (and a zero-timeout one at NetRead). Frames
// for the guest wait in a queue of kQueueFrames (more are dropped: slirp's
// TCP retransmits).
#pragma once

#include <poll.h>

#include <deque>
#include <vector>

#include "vmm/net/dns_relay.h"
#include "vmm/net/net_backend.h"

struct Slirp;

namespace silk::vmm {

class SlirpBackend final : public NetBackend {
 public:
  static constexpr size_t kQueueFrames = 256;

  // Starts slirp with {forwards}; the error names a forward whose host port
  // cannot be bound ("-p 8080:80: 127.0.0.1:8080: Address already in use").
  static Result<std::unique_ptr<SlirpBackend>> create(const std::vector<PortForward>& forwards);
  ~SlirpBackend() override;

  Result<void> send(std::span<const uint8_t> frame) override;
  Result<size_t> receive(std::span<uint8_t> buf) override;
  Result<bool> wait(uint64_t timeout_ns) override;
  void add_to_policy(SeccompPolicy& policy) const override { policy.user_networking = true; }
  uint64_t dropped() const override { return dropped_; }
  std::string name() const override;
  std::string stats() const override;

  // slirp's callbacks (libslirp.h's SlirpCb), through its opaque pointer.
  struct Callbacks;
  friend struct Callbacks;

 private:
  struct Timer;
  SlirpBackend() = default;
  // One round of slirp's work: its sockets and the DNS relay's in one ppoll
  // of at most {timeout_ns}, then its timers.
  Result<void> poll_once(uint64_t timeout_ns);
  void run_expired_timers();

  Slirp* slirp_ = nullptr;
  DnsRelay dns_;
  std::deque<std::vector<uint8_t>> to_guest_;
  uint64_t last_poll_ns_ = 0;  // CLOCK_MONOTONIC of the last look at slirp's sockets (receive)
  std::vector<pollfd> pollfds_;
  std::vector<std::unique_ptr<Timer>> timers_;
  uint64_t dropped_ = 0;
  uint64_t filtered_ = 0;  // guest frames to 10.0.2.3 that are neither DNS over UDP nor ICMP
  uint64_t guest_errors_ = 0;  // slirp's complaints about the guest's frames
};

}  // namespace silk::vmm
