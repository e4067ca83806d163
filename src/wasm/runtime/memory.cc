// Linear memories and table growth (spec 4.5.3.8-9).
//
// A memory never moves: its whole possible extent is reserved up front
// (PROT_NONE, MAP_NORESERVE) and pages become accessible as it grows, so the
// interpreter can keep the base pointer in a register. In guard mode the
// reservation is 8 GiB + one page: any u32 address plus u32 offset plus access
// size lands inside it, and whatever is past the accessible size faults.
#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include "wasm/runtime/objects.h"
#include "wasm/runtime/reservation_pool.h"

namespace silk::wasm {

namespace {
constexpr uint64_t kGuardReservation = (uint64_t{8} << 30) + kPageSize;
constexpr uint64_t kMaxTableSize = 10'000'000;  // elements; table.grow fails beyond
}  // namespace

Memory::~Memory() {
  // Everything up to the current size may have been written.
  release_reservation(PoolKind::Memory, Reservation{base, reserved, accessible}, size);
}

Result<std::unique_ptr<Memory>> allocate_memory(const MemoryType& type, const StoreOptions& options) {
  auto m = std::make_unique<Memory>();
  m->type = type;
  uint64_t cap = type.limits.has_max ? type.limits.max : kMaxPages32;
  if (cap > options.max_memory_pages) cap = options.max_memory_pages;
  if (type.limits.min > cap) {
    return make_error(ErrorKind::Trap, "memory of " + std::to_string(type.limits.min) +
                                           " pages exceeds the limit of " + std::to_string(cap) + " pages");
  }
  m->max_pages = cap;
  m->reserved = options.bounds_checks == BoundsChecks::Guard ? kGuardReservation
                                                             : std::max<uint64_t>(cap, 1) * kPageSize;
  Reservation r = acquire_reservation(PoolKind::Memory, m->reserved, type.limits.min * kPageSize);
  if (!r.base) {
    return make_error(ErrorKind::Trap, std::string("cannot reserve memory: ") + std::strerror(errno));
  }
  m->base = r.base;
  m->accessible = r.accessible;
  m->size = type.limits.min * kPageSize;
  return m;
}

int64_t grow_memory(Memory& m, uint64_t delta_pages) {
  uint64_t old_pages = m.size / kPageSize;
  if (delta_pages > m.max_pages - old_pages) return -1;
  if (delta_pages == 0) return int64_t(old_pages);
  uint64_t new_size = (old_pages + delta_pages) * kPageSize;
  Reservation r{m.base, m.reserved, m.accessible};
  if (!grow_reservation(r, new_size)) return -1;
  m.accessible = r.accessible;
  m.size = new_size;
  return int64_t(old_pages);
}

int64_t grow_table(Table& t, uint64_t delta, uint64_t init) {
  uint64_t old = t.elems.size();
  uint64_t max = t.type.limits.has_max ? t.type.limits.max : uint64_t{0xffffffff};
  if (max > kMaxTableSize) max = kMaxTableSize;
  if (delta > max - std::min(max, old)) return -1;
  t.elems.resize(old + delta, init);
  return int64_t(old);
}

}  // namespace silk::wasm
