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

namespace silk::wasm {

namespace {
constexpr uint64_t kGuardReservation = (uint64_t{8} << 30) + kPageSize;
constexpr uint64_t kMaxTableSize = 10'000'000;  // elements; table.grow fails beyond
}  // namespace

Memory::~Memory() {
  if (base) munmap(base, reserved);
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
  void* p = mmap(nullptr, m->reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    return make_error(ErrorKind::Trap, std::string("cannot reserve memory: ") + std::strerror(errno));
  }
  m->base = static_cast<uint8_t*>(p);
  m->size = 0;
  if (type.limits.min > 0 && grow_memory(*m, type.limits.min) < 0) {
    return make_error(ErrorKind::Trap, "cannot commit the initial memory");
  }
  return m;
}

int64_t grow_memory(Memory& m, uint64_t delta_pages) {
  uint64_t old_pages = m.size / kPageSize;
  if (delta_pages > m.max_pages - old_pages) return -1;
  if (delta_pages == 0) return int64_t(old_pages);
  uint64_t new_size = (old_pages + delta_pages) * kPageSize;
  if (mprotect(m.base + m.size, new_size - m.size, PROT_READ | PROT_WRITE) != 0) return -1;
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
