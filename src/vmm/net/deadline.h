// silk::vmm::Deadline — a point {timeout_ns} from now on CLOCK_MONOTONIC, for
// the ppoll loops behind the Poll hypercall: they wait again for what is left
// after EINTR or after work that did not make a frame ready. Saturates: a
// timeout of ~0 never passes.
#pragma once

#include <time.h>

#include <cstdint>

namespace silk::vmm {

inline uint64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

class Deadline {
 public:
  explicit Deadline(uint64_t timeout_ns) {
    uint64_t now = monotonic_ns();
    at_ns_ = timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
  }
  uint64_t remaining_ns() const {
    uint64_t now = monotonic_ns();
    return now >= at_ns_ ? 0 : at_ns_ - now;
  }
  bool passed() const { return remaining_ns() == 0; }
  // For ppoll: at most {cap_ns} (a year when uncapped: ppoll needs a finite time_t).
  timespec remaining_timespec(uint64_t cap_ns = kYearNs) const {
    uint64_t ns = remaining_ns();
    if (ns > cap_ns) ns = cap_ns;
    return timespec{static_cast<time_t>(ns / 1000000000ull), static_cast<long>(ns % 1000000000ull)};
  }

 private:
  static constexpr uint64_t kYearNs = 365ull * 24 * 3600 * 1000000000ull;
  uint64_t at_ns_ = 0;
};

}  // namespace silk::vmm
