// silk::vmm::DnsRelay — DNS for user-mode networking: the guest's UDP queries
// to 10.0.2.3:53 go to the host's resolver (the first IPv4 `nameserver` of
// /etc/resolv.conf, read once at set-up) from one socket of the monitor's,
// and each answer comes back to the guest as a frame from 10.0.2.3:53.
//
// Why not libslirp's own DNS forwarding: slirp reads /etc/resolv.conf again
// whenever the guest talks to 10.0.2.3, and after set-up the seccomp
// allowlist lets the monitor open no file. So the slirp backend hands UDP
// queries to 10.0.2.3:53 to this relay and never lets slirp see other
// traffic to 10.0.2.3 except ICMP echo (slirp answers that itself); DNS over
// TCP is not relayed.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "vmm/kvm/fd.h"
#include "vmm/net/net_config.h"

namespace silk::vmm {

class DnsRelay {
 public:
  // Reads {resolv_conf}. Without an IPv4 nameserver there is no upstream:
  // queries are dropped (upstream() says "none"). An error means a socket
  // could not be made.
  static Result<DnsRelay> create(const char* resolv_conf = "/etc/resolv.conf");

  // When {frame} is a guest UDP query to 10.0.2.3:53, sends it upstream (or
  // drops it) and returns true; false for any other frame.
  bool take_query(std::span<const uint8_t> frame);
  // Reads the answers waiting on fd() and appends one frame per answer to
  // {out} (for the guest's NetRead).
  void read_answers(std::deque<std::vector<uint8_t>>& out, size_t max_queued);

  int fd() const { return socket_.get(); }  // -1 without an upstream
  std::string upstream() const;              // "10.255.255.53:53" or "none"
  uint64_t queries() const { return queries_; }
  uint64_t answers() const { return answers_; }

 private:
  // A query in flight, found by the ID the relay gave it upstream.
  struct Pending {
    bool used = false;
    uint16_t relay_id = 0, guest_id = 0, guest_port = 0;
    Ipv4 guest_ip{};
    Mac guest_mac{};
  };
  static constexpr size_t kPendingSlots = 64;

  Fd socket_;
  Ipv4 server_{};
  std::vector<Pending> pending_ = std::vector<Pending>(kPendingSlots);
  uint16_t next_id_ = 0;
  uint16_t ip_id_ = 0;
  uint64_t queries_ = 0, answers_ = 0;
};

}  // namespace silk::vmm
