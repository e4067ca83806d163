// net/net.h without lwIP: the kernel was configured without SILK_LWIP_DIR
// (scripts/lib/lwip.sh fetches the source). No interface, nothing to poll.

#include "net/net.h"

#include "lib/format.h"
#include "platform/platform.h"

namespace silk::kernel::net {

void init(bool, bool trace) {
  if (trace) kprintf("net: not built (no lwIP source at configure time)\n");
}
bool has_interface() { return false; }
void start() {}
size_t poll(uint64_t) { return 0; }
uint64_t next_timer_ns() { return 1'000'000'000ull; }
Config config() { return Config{}; }

void run_selftest() {
  kprintf("selftest net: this kernel was built without lwIP (configure with -DSILK_LWIP_DIR=...)\n");
  platform::halt(platform::kExitSelfCheckFailed);
}

}  // namespace silk::kernel::net
