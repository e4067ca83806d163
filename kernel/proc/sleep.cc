#include "proc/sleep.h"

#include "event/wait.h"
#include "platform/platform.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "proc/thread.h"

namespace silk::kernel::proc {
namespace {

uint64_t g_slept = 0;

}  // namespace

bool sleep_until(uint64_t deadline) {
  uint64_t start = monotonic_ns();
  bool reached = true;
  for (uint64_t now = start; now < deadline; now = monotonic_ns()) {
    if (thread::count() > 1) {
      thread::wait(event::deadline_after_ns(deadline - now));  // the others run meanwhile (waits' clock)
    } else {
      platform::idle(deadline - now);
    }
    event::take_host_signal();
    if (signal::deliverable()) {
      reached = false;
      break;
    }
  }
  uint64_t end = monotonic_ns();
  g_slept += end > start ? end - start : 0;
  return reached;
}

bool sleep_for(uint64_t ns) {
  uint64_t now = monotonic_ns();
  return sleep_until(now + ns < now ? ~uint64_t{0} : now + ns);
}

uint64_t slept_ns() { return g_slept; }

}  // namespace silk::kernel::proc
