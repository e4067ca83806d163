// NetWrite / NetRead: one Ethernet frame to or from the network backend
// (net/net_backend.h). A frame longer than the MTU allows, a read buffer too
// small for one, or a buffer outside guest RAM stops the VM; without a
// network device both calls return -1, as for a guest that probes a device it
// was not given.
#include <algorithm>

#include "vmm/hypercalls/hypercalls.h"
#include "vmm/net/net_backend.h"

namespace silk::vmm {
namespace {

std::string outside_ram(const char* call, GuestPhys gpa, uint64_t len, const GuestMemory& memory) {
  return std::string(call) + ": buffer " + describe_range(gpa, len) + " outside guest RAM (" +
         std::to_string(memory.size() >> 20) + " MiB)";
}

}  // namespace

HypercallOutcome handle(HypercallContext& ctx, hvt::HvtNetWrite& call) {
  if (ctx.net == nullptr) {
    call.ret = -1;  // not configured
    return HypercallOutcome::resume();
  }
  if (call.len < kEthHeader || call.len > kMaxFrame)
    return HypercallOutcome::fault("NetWrite: a frame of " + std::to_string(call.len) +
                                   " bytes; an Ethernet frame is " + std::to_string(kEthHeader) + " to " +
                                   std::to_string(kMaxFrame) + " bytes (MTU " + std::to_string(kNetMtu) + ")");
  const uint8_t* data = ctx.memory.checked(call.data, call.len);
  if (data == nullptr) return HypercallOutcome::fault(outside_ram("NetWrite", call.data, call.len, ctx.memory));
  if (auto sent = ctx.net->send({data, call.len}); !sent) {
    ++ctx.counters.net_errors;
    report_device_error(ctx, sent.error().message);
    call.ret = -1;
    return HypercallOutcome::resume();
  }
  ++ctx.counters.frames_out;
  ctx.counters.bytes_out += call.len;
  call.ret = 0;
  return HypercallOutcome::resume();
}

HypercallOutcome handle(HypercallContext& ctx, hvt::HvtNetRead& call) {
  if (ctx.net == nullptr) {
    call.ret = -1;  // not configured
    return HypercallOutcome::resume();
  }
  if (call.len < kMaxFrame)
    return HypercallOutcome::fault("NetRead: a buffer of " + std::to_string(call.len) +
                                   " bytes; it must hold a whole frame: at least " + std::to_string(kMaxFrame) +
                                   " bytes (MTU " + std::to_string(kNetMtu) + " + " + std::to_string(kEthHeader) + ")");
  uint8_t* data = ctx.memory.checked(call.data, call.len);
  if (data == nullptr) return HypercallOutcome::fault(outside_ram("NetRead", call.data, call.len, ctx.memory));
  auto received = ctx.net->receive({data, static_cast<size_t>(std::min<uint64_t>(call.len, kMaxFrame))});
  if (!received) {
    ++ctx.counters.net_errors;
    report_device_error(ctx, received.error().message);
    call.ret = -1;
  } else if (*received == 0) {
    call.ret = 1;  // would block; len untouched
  } else {
    ++ctx.counters.frames_in;
    ctx.counters.bytes_in += *received;
    call.len = *received;
    call.ret = 0;
  }
  return HypercallOutcome::resume();
}

}  // namespace silk::vmm
