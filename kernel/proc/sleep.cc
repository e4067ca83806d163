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
  for (uint64_t now = monotonic_ns(); now < deadline; now = monotonic_ns()) {
    if (thread::count() > 1) {
      // The others run meanwhile; the CPU's idle time is counted where it
      // blocks (thread::wait). Deadline on the waits' clock.
      thread::wait(event::deadline_after_ns(deadline - now));
    } else {
      platform::idle(deadline - now);
      uint64_t end = monotonic_ns();
      add_slept(end > now ? end - now : 0);
    }
    event::take_host_signal();
    if (signal::deliverable()) return false;
  }
  return true;
}

void add_slept(uint64_t ns) { g_slept += ns; }

bool sleep_for(uint64_t ns) {
  uint64_t now = monotonic_ns();
  return sleep_until(now + ns < now ? ~uint64_t{0} : now + ns);
}

uint64_t slept_ns() { return g_slept; }

}  // namespace silk::kernel::proc
