// A network device as the TCP/IP stack sees it: Ethernet frames in and out,
// and a way to wait for the next one. Implemented by the virtio-net driver
// (drivers/virtio/net.h: QEMU microvm, Firecracker) and by silk's monitor's
// hvt net device (platform/hvt/net.h); platform::network_device() picks one.
//
// Frames are whole Ethernet frames without the FCS: destination MAC, source
// MAC, EtherType, payload (at most mtu() bytes). Single CPU, no preemption:
// not locked; the stack calls these from net::poll() and its own output path.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace silk::kernel::net {

inline constexpr size_t kEthernetHeader = 14;

class NetDevice {
 public:
  // "virtio-net", "hvt-net": for messages.
  virtual const char* name() const = 0;
  virtual void mac(uint8_t out[6]) const = 0;
  // The largest payload of one frame (the IP MTU): 1500 unless the device says otherwise.
  virtual uint32_t mtu() const = 0;

  // Room for one outgoing frame of {len} bytes (<= mtu() + kEthernetHeader),
  // or nullptr when the device's queue is full. The caller fills it and then
  // calls send({len}) before any other call on the device.
  virtual uint8_t* send_buffer(size_t len) = 0;
  // Hands the frame in send_buffer() to the device. False on a device error
  // (the frame is lost; TCP will send it again).
  virtual bool send(size_t len) = 0;

  // Copies the next received frame into {buf} (up to {cap} bytes) and
  // returns its length; 0 when no frame is waiting. A longer frame is
  // dropped and reported as 0 with the next one left waiting.
  virtual size_t receive(uint8_t* buf, size_t cap) = 0;

  // Blocks until a frame may be waiting or {timeout_ns} passed, whichever is
  // first; true when the device signalled (a frame, or a completed send).
  // May return early and spuriously.
  virtual bool wait(uint64_t timeout_ns) = 0;

 protected:
  ~NetDevice() = default;  // devices live for the kernel's lifetime
};

}  // namespace silk::kernel::net
