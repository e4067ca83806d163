// Address types: a physical address and a virtual address never mix with each
// other or with plain integers (Serenity's VirtualAddress, Solo5's hvt_gpa_t).
// The kernel runs on an identity map of RAM (see README.md, "Memory map"), so
// phys_to_virt is the one place that turns a PhysAddr into a pointer.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace silk::kernel {

struct PhysAddr {
  uint64_t value = 0;
  constexpr bool is_null() const { return value == 0; }
  constexpr PhysAddr offset(uint64_t bytes) const { return PhysAddr{value + bytes}; }
  friend constexpr bool operator==(PhysAddr, PhysAddr) = default;
  friend constexpr bool operator<(PhysAddr a, PhysAddr b) { return a.value < b.value; }
};

struct VirtAddr {
  uint64_t value = 0;
  constexpr VirtAddr offset(uint64_t bytes) const { return VirtAddr{value + bytes}; }
  template <typename T>
  T* as() const {
    // SAFETY: callers hold a VirtAddr only for mapped memory they own.
    return reinterpret_cast<T*>(value);
  }
  friend constexpr bool operator==(VirtAddr, VirtAddr) = default;
  friend constexpr bool operator<(VirtAddr a, VirtAddr b) { return a.value < b.value; }
};

// Identity map: RAM at physical P is at virtual P in the kernel's space.
template <typename T>
inline T* phys_to_virt(PhysAddr p) {
  // SAFETY: mm/address_space maps every RAM region 1:1 before anything
  // allocates; callers pass RAM addresses only.
  return reinterpret_cast<T*>(p.value);
}

template <typename T>
inline PhysAddr virt_to_phys(const T* p) {
  return PhysAddr{reinterpret_cast<uintptr_t>(p)};
}

inline constexpr uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }
inline constexpr uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

inline constexpr uint64_t kKiB = 1024;
inline constexpr uint64_t kMiB = 1024 * kKiB;
inline constexpr uint64_t kGiB = 1024 * kMiB;

}  // namespace silk::kernel
