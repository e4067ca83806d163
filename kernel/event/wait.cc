#include "event/wait.h"

#include "event/epoll.h"
#include "event/eventfd.h"
#include "lib/clock.h"
#include "net/net.h"
#include "platform/platform.h"
#include "proc/signal.h"
#include "proc/thread.h"

namespace silk::kernel::event {
namespace {

constexpr uint64_t kStepNs = 1'000'000'000ull;  // net.h: pass the time one really can wait
uint64_t g_generation = 0;

}  // namespace

void notify(fs::File* file, uint32_t events) {
  ++g_generation;
  if (file != nullptr) epoll::wake(file, events);
}

uint64_t generation() { return g_generation; }

uint64_t deadline_after_ns(uint64_t ns) {
  uint64_t now = monotonic_ns();
  return ns >= kForever - now ? kForever : now + ns;
}

uint64_t deadline_after_ms(int64_t ms) {
  if (ms < 0) return kForever;
  return deadline_after_ns(static_cast<uint64_t>(ms) * 1'000'000u);
}

void take_host_signal() {
  if (int signo = platform::take_host_signal(); signo != 0) {
    proc::signal::send(signo, proc::signal::kSiUser);
    signals_raised();
  }
}

void poll_now() {
  net::poll(0);
  take_host_signal();
}

bool wait_step(uint64_t deadline) {
  uint64_t now = monotonic_ns();
  if (now >= deadline) return false;
  if (proc::thread::count() > 1) {
    proc::thread::wait(deadline);  // the others run; the CPU blocks when all wait
    return true;
  }
  uint64_t left = deadline - now;
  net::poll(left < kStepNs ? left : kStepNs);
  take_host_signal();
  return true;
}

}  // namespace silk::kernel::event
