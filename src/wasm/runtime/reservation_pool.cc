#include "wasm/runtime/reservation_pool.h"

#include <sys/mman.h>

#include <cstring>
#include <mutex>
#include <vector>

namespace silk::wasm {

namespace {

constexpr size_t kMaxPooled = 64;                 // regions kept for reuse
constexpr uint64_t kZeroByMemsetLimit = 1 << 20;  // below this, memset beats madvise

std::mutex g_mutex;
std::vector<Reservation> g_free[2];  // by PoolKind, guarded by g_mutex; memory ones are all zero

// Sets the accessible prefix of {r} to {bytes} (both ways).
bool set_accessible(Reservation& r, uint64_t bytes) {
  if (bytes > r.accessible) {
    if (mprotect(r.base + r.accessible, bytes - r.accessible, PROT_READ | PROT_WRITE) != 0) return false;
  } else if (bytes < r.accessible) {
    if (mprotect(r.base + bytes, r.accessible - bytes, PROT_NONE) != 0) return false;
  }
  r.accessible = bytes;
  return true;
}

}  // namespace

Reservation acquire_reservation(PoolKind kind, uint64_t reserved, uint64_t accessible) {
  {
    std::lock_guard lock(g_mutex);
    std::vector<Reservation>& free = g_free[size_t(kind)];
    for (size_t i = free.size(); i-- > 0;) {
      if (free[i].reserved != reserved) continue;
      Reservation r = free[i];
      free[i] = free.back();
      free.pop_back();
      if (set_accessible(r, accessible)) return r;
      munmap(r.base, r.reserved);
      break;
    }
  }
  void* p = mmap(nullptr, reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return {};
  Reservation r{static_cast<uint8_t*>(p), reserved, 0};
  if (!set_accessible(r, accessible)) {
    munmap(p, reserved);
    return {};
  }
  return r;
}

bool grow_reservation(Reservation& r, uint64_t new_accessible) { return set_accessible(r, new_accessible); }

void release_reservation(PoolKind kind, Reservation r, uint64_t dirty) {
  if (!r.base) return;
  if (kind == PoolKind::Memory) {
    if (dirty > r.accessible) dirty = r.accessible;
    // SAFETY: [base, base + dirty) is mapped read/write and no longer used.
    if (dirty <= kZeroByMemsetLimit) std::memset(r.base, 0, dirty);
    else madvise(r.base, dirty, MADV_DONTNEED);  // private anonymous: reads back as zero
  }
  std::lock_guard lock(g_mutex);
  std::vector<Reservation>& free = g_free[size_t(kind)];
  if (free.size() < kMaxPooled) {
    free.push_back(r);
    return;
  }
  munmap(r.base, r.reserved);
}

}  // namespace silk::wasm
