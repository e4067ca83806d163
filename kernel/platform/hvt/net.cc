#include "platform/hvt/net.h"

#include "lib/string.h"
#include "mm/heap.h"
#include "platform/hvt/hvt.h"

namespace silk::kernel::platform::hvt {
namespace {

constexpr uint64_t kNetReadable = 1;  // HvtPoll.ready_set bit 0

HvtNet g_device;

}  // namespace

void HvtNet::mac(uint8_t out[6]) const { memcpy(out, net_info().mac, 6); }
uint32_t HvtNet::mtu() const { return net_info().mtu; }

uint8_t* HvtNet::send_buffer(size_t len) {
  if (len > mtu() + net::kEthernetHeader) return nullptr;
  if (bounce_ == nullptr) bounce_ = static_cast<uint8_t*>(mm::heap::allocate(mtu() + net::kEthernetHeader));
  return bounce_;
}

bool HvtNet::send(size_t len) { return bounce_ != nullptr && net_write(bounce_, len) == 0; }

size_t HvtNet::receive(uint8_t* buf, size_t cap) {
  size_t len = cap;
  // 1 = none waiting; -1 = an error, which leaves nothing to read either.
  return net_read(buf, &len) == 0 ? len : 0;
}

bool HvtNet::wait(uint64_t timeout_ns) {
  return (poll(timeout_ns) & kNetReadable) != 0;
}

HvtNet* net_device() { return net_info().mtu != 0 ? &g_device : nullptr; }

}  // namespace silk::kernel::platform::hvt
