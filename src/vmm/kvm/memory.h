// silk::vmm::GuestMemory — the guest's RAM: one anonymous host mapping that
// KVM maps at guest-physical 0 (kvm/vm.h). Owns the mapping; move-only; not
// thread-safe (the monitor has one vCPU thread).
//
// Every guest-physical address the guest hands us goes through checked() (or
// read()/write(), built on it) before it is dereferenced: the STYLE.md rule
// that only a bounds-checked accessor turns a GuestPhys into a host pointer
// (Solo5's HVT_CHECKED_GPA_P).
#pragma once

#include <cstdint>
#include <cstring>

#include "common/result.h"
#include "silk/hvt_abi.h"

namespace silk::vmm {

using hvt::GuestPhys;

class GuestMemory {
 public:
  // {size} bytes of zeroed, lazily backed memory (MAP_NORESERVE: pages cost
  // nothing until the guest touches them).
  static Result<GuestMemory> create(uint64_t size);

  GuestMemory(GuestMemory&& other) noexcept;
  GuestMemory& operator=(GuestMemory&& other) noexcept;
  GuestMemory(const GuestMemory&) = delete;
  GuestMemory& operator=(const GuestMemory&) = delete;
  ~GuestMemory();

  uint64_t size() const { return size_; }
  uint8_t* host_base() const { return base_; }

  // The host address of guest bytes [{gpa}, {gpa} + {len}), or nullptr when
  // any of them lies outside guest RAM (overflow-safe for any gpa/len).
  uint8_t* checked(GuestPhys gpa, uint64_t len) const {
    if (gpa > size_ || len > size_ - gpa) return nullptr;
    return base_ + gpa;
  }
  bool contains(GuestPhys gpa, uint64_t len) const { return checked(gpa, len) != nullptr; }

  // Copies a T out of / into guest memory at {gpa} (any alignment); false when
  // it does not lie wholly inside guest RAM.
  template <typename T>
  bool read(GuestPhys gpa, T& out) const {
    const uint8_t* p = checked(gpa, sizeof(T));
    if (p == nullptr) return false;
    std::memcpy(&out, p, sizeof(T));
    return true;
  }
  template <typename T>
  bool write(GuestPhys gpa, const T& in) {
    uint8_t* p = checked(gpa, sizeof(T));
    if (p == nullptr) return false;
    std::memcpy(p, &in, sizeof(T));
    return true;
  }

 private:
  GuestMemory(uint8_t* base, uint64_t size) : base_(base), size_(size) {}
  uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace silk::vmm
