// silk's monitor's network device as a net::NetDevice: one Ethernet frame per
// NetWrite / NetRead hypercall, readiness through Poll (include/silk/hvt_abi.h).
// Present when HvtBootInfo.net_mtu != 0. Internal to platform/; the kernel
// gets it from platform::network_device().
#pragma once

#include "net/device.h"

namespace silk::kernel::platform::hvt {

class HvtNet final : public net::NetDevice {
 public:
  const char* name() const override { return "hvt-net"; }
  void mac(uint8_t out[6]) const override;
  uint32_t mtu() const override;
  // A bounce buffer: NetWrite takes one contiguous frame.
  uint8_t* send_buffer(size_t len) override;
  bool send(size_t len) override;
  size_t receive(uint8_t* buf, size_t cap) override;
  // The Poll hypercall: the vCPU sleeps in the monitor (epoll) until a
  // frame arrives or {timeout_ns} passes.
  bool wait(uint64_t timeout_ns) override;

 private:
  uint8_t* bounce_ = nullptr;
};

// The monitor's network device, or nullptr when it has none.
HvtNet* net_device();

}  // namespace silk::kernel::platform::hvt
