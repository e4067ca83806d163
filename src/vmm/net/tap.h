// silk::vmm::TapBackend — the guest's frames on an existing host tap device
// (`silk vm --net tap:IFNAME`), as Solo5's hvt net module: /dev/net/tun with
// IFF_TAP | IFF_NO_PI (plain Ethernet frames, no packet-info or vnet header),
// non-blocking. The interface must exist (created by an administrator, e.g.
// `ip tuntap add tap0 mode tap user $USER`) and be free; the monitor never
// creates or configures one. Its MTU should be 1500 (the guest's net_mtu):
// longer frames are truncated to kMaxFrame bytes.
#pragma once

#include "vmm/kvm/fd.h"
#include "vmm/net/net_backend.h"

namespace silk::vmm {

class TapBackend final : public NetBackend {
 public:
  // Attaches to tap {ifname}; errors: "tap0: no such network interface",
  // "tap0: attaching (TUNSETIFF): Device or resource busy", ...
  static Result<std::unique_ptr<TapBackend>> open(const std::string& ifname);

  Result<void> send(std::span<const uint8_t> frame) override;
  Result<size_t> receive(std::span<uint8_t> buf) override;
  Result<bool> wait(uint64_t timeout_ns) override;
  void add_to_policy(SeccompPolicy& policy) const override { policy.tap_fd = fd_.get(); }
  uint64_t dropped() const override { return dropped_; }
  std::string name() const override { return "tap " + ifname_; }

 private:
  TapBackend(Fd fd, std::string ifname) : fd_(std::move(fd)), ifname_(std::move(ifname)) {}
  Fd fd_;
  std::string ifname_;
  uint64_t dropped_ = 0;
};

}  // namespace silk::vmm
