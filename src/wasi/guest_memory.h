// silk::wasi — checked access to the caller's linear memory. Every (ptr, len)
// a guest passes goes through here before the host touches it; a range that
// is not wholly inside the memory is EFAULT. The base and size are read per
// call (HostCall::memory), since memory.grow may have changed the size.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>

#include "wasm/engine.h"

namespace silk::wasi {

// A guest address: an offset into linear memory, never a host pointer.
using GuestPtr = uint32_t;

class GuestMemory {
 public:
  explicit GuestMemory(wasm::Memory* m)
      : base_(m ? wasm::memory_data(m) : nullptr), size_(m ? wasm::memory_size_bytes(m) : 0) {}
  GuestMemory(uint8_t* base, uint64_t size) : base_(base), size_(size) {}

  bool in_bounds(GuestPtr ptr, uint64_t len) const { return base_ && uint64_t(ptr) + len <= size_; }

  // The bytes [ptr, ptr + len), or nothing if out of bounds.
  std::optional<std::span<uint8_t>> bytes(GuestPtr ptr, uint64_t len) const {
    if (!in_bounds(ptr, len)) return std::nullopt;
    // SAFETY: [ptr, ptr+len) was just checked to lie inside the accessible memory.
    return std::span<uint8_t>(base_ + ptr, len);
  }
  std::optional<std::string_view> string(GuestPtr ptr, uint32_t len) const {
    auto b = bytes(ptr, len);
    if (!b) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(b->data()), b->size());
  }

  // Little-endian loads and stores of plain structs and integers.
  template <typename T>
  bool load(GuestPtr ptr, T& out) const {
    if (!in_bounds(ptr, sizeof(T))) return false;
    std::memcpy(&out, base_ + ptr, sizeof(T));
    return true;
  }
  template <typename T>
  bool store(GuestPtr ptr, const T& v) const {
    if (!in_bounds(ptr, sizeof(T))) return false;
    std::memcpy(base_ + ptr, &v, sizeof(T));
    return true;
  }

 private:
  uint8_t* base_;
  uint64_t size_;
};

}  // namespace silk::wasi
