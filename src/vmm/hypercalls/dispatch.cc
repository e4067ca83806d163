#include <unistd.h>

#include <cstdio>

#include "vmm/hypercalls/hypercalls.h"

namespace silk::vmm {
namespace {

#define SILK_HVT_CHECK_NR(name, nr, args) static_assert(nr > 0 && nr < kHypercallLimit);
SILK_HVT_HYPERCALLS(SILK_HVT_CHECK_NR)
#undef SILK_HVT_CHECK_NR

template <typename Args>
HypercallOutcome call(HypercallContext& ctx, const char* name, GuestPhys gpa) {
  Args args;
  if (!ctx.memory.read(gpa, args))
    return HypercallOutcome::fault(std::string(name) + ": argument block " + describe_range(gpa, sizeof(Args)) +
                                   " outside guest RAM");
  HypercallOutcome outcome = handle(ctx, args);
  if (outcome.kind == HypercallOutcome::Kind::kResume) ctx.memory.write(gpa, args);
  return outcome;
}

}  // namespace

HypercallOutcome dispatch_hypercall(HypercallContext& ctx, uint16_t nr, GuestPhys args) {
  switch (nr) {
#define SILK_HVT_DISPATCH(name, number, args_type) \
  case number: return call<hvt::args_type>(ctx, #name, args);
    SILK_HVT_HYPERCALLS(SILK_HVT_DISPATCH)
#undef SILK_HVT_DISPATCH
  }
  return HypercallOutcome::fault("unknown hypercall " + std::to_string(nr));
}

const char* hypercall_name(uint16_t nr) {
  switch (nr) {
#define SILK_HVT_NAME(name, number, args_type) \
  case number: return #name;
    SILK_HVT_HYPERCALLS(SILK_HVT_NAME)
#undef SILK_HVT_NAME
  }
  return nullptr;
}

void report_device_error(HypercallContext& ctx, const std::string& message) {
  if (ctx.counters.reported_error) return;
  ctx.counters.reported_error = true;
  std::string line = "silk vm: " + message + " (the guest gets -1; further device errors are only counted)\n";
  (void)!::write(ctx.console_err_fd, line.data(), line.size());
}

std::string describe_range(GuestPhys gpa, uint64_t len) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "[0x%llx, +0x%llx)", static_cast<unsigned long long>(gpa),
                static_cast<unsigned long long>(len));
  return buf;
}

}  // namespace silk::vmm
