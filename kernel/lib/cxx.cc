// The C++ runtime pieces a freestanding kernel still needs: operator new and
// delete on the kernel heap (mm/heap), and __cxa_pure_virtual. Built with
// -fno-exceptions, so a failed allocation panics instead of throwing (the
// nothrow forms return nullptr).

#include <stddef.h>

#include "lib/panic.h"
#include "mm/heap.h"

namespace std {
struct nothrow_t {
  explicit nothrow_t() = default;
};
extern const nothrow_t nothrow;
enum class align_val_t : size_t {};
}  // namespace std

namespace {

void* allocate_or_panic(size_t size, size_t align) {
  void* p = silk::kernel::mm::heap::allocate(size, align);
  if (p == nullptr) silk::kernel::panic("out of memory: operator new(%zu)", size);
  return p;
}

}  // namespace

void* operator new(size_t size) { return allocate_or_panic(size, 16); }
void* operator new[](size_t size) { return allocate_or_panic(size, 16); }
void* operator new(size_t size, std::align_val_t align) {
  return allocate_or_panic(size, static_cast<size_t>(align));
}
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  return silk::kernel::mm::heap::allocate(size, 16);
}
void operator delete(void* p) noexcept { silk::kernel::mm::heap::release(p); }
void operator delete[](void* p) noexcept { silk::kernel::mm::heap::release(p); }
void operator delete(void* p, size_t) noexcept { silk::kernel::mm::heap::release(p); }
void operator delete[](void* p, size_t) noexcept { silk::kernel::mm::heap::release(p); }
void operator delete(void* p, std::align_val_t) noexcept { silk::kernel::mm::heap::release(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { silk::kernel::mm::heap::release(p); }

extern "C" [[noreturn]] void __cxa_pure_virtual() { silk::kernel::panic("pure virtual function called"); }
