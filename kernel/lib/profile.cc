#include "lib/profile.h"

#include "lib/format.h"
#include "platform/platform.h"

namespace silk::kernel::profile {
namespace {

constexpr uint64_t kSlots = 512;
bool g_enabled = false;
uint64_t g_count[kSlots];
uint64_t g_ticks[kSlots];

}  // namespace

void set_enabled(bool enabled) { g_enabled = enabled; }
bool enabled() { return g_enabled; }

void add(uint64_t nr, uint64_t ticks) {
  if (nr >= kSlots) nr = kSlots - 2;  // silk's private calls
  ++g_count[nr];
  g_ticks[nr] += ticks;
}

void print(const char* const* names) {
  if (!g_enabled) return;
  uint64_t khz = platform::tsc_khz();
  if (khz == 0) khz = 1000000;
  uint64_t calls = 0, call_ticks = 0;
  for (uint64_t i = 0; i < kSlots; ++i) {
    if (i == kFault) continue;
    calls += g_count[i];
    call_ticks += g_ticks[i];
  }
  kprintf("silk kernel: profile: %lu system calls %lu us, %lu page faults %lu us (ring-0 time)\n", calls,
          call_ticks * 1000 / khz, g_count[kFault], g_ticks[kFault] * 1000 / khz);
  bool shown[kSlots] = {};
  for (int top = 0; top < 10; ++top) {
    uint64_t best = kSlots;
    for (uint64_t i = 0; i < kSlots; ++i)
      if (!shown[i] && g_count[i] != 0 && (best == kSlots || g_ticks[i] > g_ticks[best])) best = i;
    if (best == kSlots) break;
    shown[best] = true;
    const char* name = best == kFault ? "page fault" : (names[best] != nullptr ? names[best] : "?");
    kprintf("  %-16s %6lu x %8lu us\n", name, g_count[best], g_ticks[best] * 1000 / khz);
  }
}

}  // namespace silk::kernel::profile
