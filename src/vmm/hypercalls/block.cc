// BlockWrite / BlockRead / BlockFlush: whole sectors of the disk file
// (block/file_disk.h), many per call. A misaligned or out-of-range request,
// or a buffer outside guest RAM, stops the VM (the guest knows block_size
// and block_sector_size from the boot info); a host I/O error, or a write to
// a read-only disk, returns -1; without a block device every call returns -1.
#include "vmm/block/file_disk.h"
#include "vmm/hypercalls/hypercalls.h"

namespace silk::vmm {
namespace {

// The host bytes of a request, or why it stops the VM.
template <typename Call>
HypercallOutcome check_request(const HypercallContext& ctx, const char* name, const Call& call, uint8_t*& data) {
  if (std::string bad = ctx.disk->check_range(call.offset, call.len); !bad.empty())
    return HypercallOutcome::fault(std::string(name) + ": " + bad);
  data = ctx.memory.checked(call.data, call.len);
  if (data == nullptr)
    return HypercallOutcome::fault(std::string(name) + ": buffer " + describe_range(call.data, call.len) +
                                   " outside guest RAM (" + std::to_string(ctx.memory.size() >> 20) + " MiB)");
  return HypercallOutcome::resume();
}

}  // namespace

HypercallOutcome handle(HypercallContext& ctx, hvt::HvtBlockWrite& call) {
  call.ret = -1;
  if (ctx.disk == nullptr) return HypercallOutcome::resume();  // not configured
  uint8_t* data = nullptr;
  if (auto outcome = check_request(ctx, "BlockWrite", call, data); outcome.kind != HypercallOutcome::Kind::kResume)
    return outcome;
  if (ctx.disk->readonly()) {
    ++ctx.counters.block_errors;
    return HypercallOutcome::resume();
  }
  if (auto written = ctx.disk->write(call.offset, {data, call.len}); !written) {
    ++ctx.counters.block_errors;
    report_device_error(ctx, written.error().message);
    return HypercallOutcome::resume();
  }
  ++ctx.counters.block_writes;
  ctx.counters.block_write_bytes += call.len;
  call.ret = 0;
  return HypercallOutcome::resume();
}

HypercallOutcome handle(HypercallContext& ctx, hvt::HvtBlockRead& call) {
  call.ret = -1;
  if (ctx.disk == nullptr) return HypercallOutcome::resume();  // not configured
  uint8_t* data = nullptr;
  if (auto outcome = check_request(ctx, "BlockRead", call, data); outcome.kind != HypercallOutcome::Kind::kResume)
    return outcome;
  if (auto read = ctx.disk->read(call.offset, {data, call.len}); !read) {
    ++ctx.counters.block_errors;
    report_device_error(ctx, read.error().message);
    return HypercallOutcome::resume();
  }
  ++ctx.counters.block_reads;
  ctx.counters.block_read_bytes += call.len;
  call.ret = 0;
  return HypercallOutcome::resume();
}

HypercallOutcome handle(HypercallContext& ctx, hvt::HvtBlockFlush& call) {
  call.ret = -1;
  if (ctx.disk == nullptr) return HypercallOutcome::resume();  // not configured
  ++ctx.counters.block_flushes;
  if (!ctx.disk->readonly()) {
    if (auto flushed = ctx.disk->flush(); !flushed) {
      ++ctx.counters.block_errors;
      report_device_error(ctx, flushed.error().message);
      return HypercallOutcome::resume();
    }
  }
  call.ret = 0;
  return HypercallOutcome::resume();
}

}  // namespace silk::vmm
