// silk::slight::abi — the runtime under the generated host glue (ABI.md §2.4, §2.5).
//
// * Expected<T, E>, Unit: the C++ forms of WIT `expected` and `unit` that host
//   interfaces (KeyvalueHost, ...) use.
// * HandleTable<T>: a per-instance, per-resource table; handles are i32 indices
//   from 0, the most recently freed slot is reused first.
// * Guest: one call's view of the guest — bounds-checked loads/stores, UTF-8
//   checked strings, allocation through the guest's `canonical_abi_realloc`
//   (which may grow memory: every access re-reads the memory base and size).
//   Every failure is a trap (ErrorKind::Trap) whose message names the function:
//   "keyvalue::get: out of bounds pointer 0xfffffff0 (+16) in 65536-byte memory".
// * FlatReader / FlatWriter: core values in and out, with the variant join rule.
// * ImportResolver: binds a module's imports to host functions, provider by provider.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "wasm/engine.h"

namespace silk::slight::abi {

using wasm::Result;

// WIT `unit`.
struct Unit {
  bool operator==(const Unit&) const = default;
};

template <typename E>
struct Unexpected {
  E error;
};
// `return unexpected(KeyvalueError::key_not_found("k"));`
template <typename E>
Unexpected<std::decay_t<E>> unexpected(E&& e) {
  return {std::forward<E>(e)};
}

// WIT `expected<T, E>`: a T (ok) or an E (err). Implicitly made from a T or
// from unexpected(e); Expected::ok / Expected::err when T and E are alike.
template <typename T, typename E>
class Expected {
 public:
  Expected() : v_(std::in_place_index<0>) {}
  Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  template <typename U>
  Expected(Unexpected<U> e) : v_(std::in_place_index<1>, E(std::move(e.error))) {}  // NOLINT
  static Expected ok(T value) { return Expected(std::in_place_index<0>, std::move(value)); }
  static Expected err(E error) { return Expected(std::in_place_index<1>, std::move(error)); }

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  E& error() { return std::get<1>(v_); }
  const E& error() const { return std::get<1>(v_); }
  bool operator==(const Expected&) const = default;

 private:
  template <size_t I, typename V>
  Expected(std::in_place_index_t<I> i, V&& v) : v_(i, std::forward<V>(v)) {}
  std::variant<T, E> v_;
};

template <typename T>
class HandleTable {
 public:
  uint32_t insert(std::shared_ptr<T> value) {
    if (!free_.empty()) {
      uint32_t i = free_.back();
      free_.pop_back();
      slots_[i] = std::move(value);
      return i;
    }
    slots_.push_back(std::move(value));
    return uint32_t(slots_.size() - 1);
  }
  // The object behind {handle}, or null if it is not a live handle.
  T* get(uint32_t handle) const { return handle < slots_.size() ? slots_[handle].get() : nullptr; }
  std::shared_ptr<T> shared(uint32_t handle) const { return handle < slots_.size() ? slots_[handle] : nullptr; }
  // Removes {handle}; null if it was not live.
  std::shared_ptr<T> remove(uint32_t handle) {
    if (handle >= slots_.size() || !slots_[handle]) return nullptr;
    std::shared_ptr<T> out = std::move(slots_[handle]);
    slots_[handle] = nullptr;
    free_.push_back(handle);
    return out;
  }
  size_t live() const { return slots_.size() - free_.size(); }

 private:
  std::vector<std::shared_ptr<T>> slots_;
  std::vector<uint32_t> free_;
};

// Checks that {bytes} is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF).
bool is_valid_utf8(std::string_view bytes);

class Guest {
 public:
  // Inside a host function: the calling instance and its memory 0.
  Guest(wasm::HostCall& call, std::string_view function)
      : store_(call.store), instance_(call.caller), memory_(call.memory), function_(function) {}
  // The host calling an export of {instance}.
  Guest(wasm::Store& store, wasm::Instance& instance, std::string_view function)
      : store_(store), instance_(&instance), memory_(instance.memory("memory")), function_(function) {
    if (!memory_) memory_ = instance.default_memory();
  }

  std::string_view function() const { return function_; }
  wasm::Store& store() { return store_; }

  // A trap naming the function: "<function>: <what>".
  wasm::Error trap(std::string_view what) const;

  // [ptr, ptr+len) must be inside memory. Addresses are 64-bit so that a
  // field offset added to a guest pointer near 4 GiB cannot wrap to low memory.
  Result<void> check(uint64_t ptr, uint64_t len) const;
  // A list of {count} elements of {elem_size} bytes at {ptr}.
  Result<void> check_array(uint32_t ptr, uint32_t count, uint32_t elem_size) const {
    return check(ptr, uint64_t(count) * elem_size);
  }

  template <typename T>
  Result<T> load(uint64_t addr) const {
    SILK_TRY(check(addr, sizeof(T)));
    T v;
    // SAFETY: [addr, addr + sizeof(T)) was just checked against the current memory size.
    std::memcpy(&v, base() + addr, sizeof(T));
    return v;
  }
  template <typename T>
  Result<void> store(uint64_t addr, T v) {
    SILK_TRY(check(addr, sizeof(T)));
    // SAFETY: as in load().
    std::memcpy(base() + addr, &v, sizeof(T));
    return {};
  }

  // A string argument: bounds- and UTF-8-checked copy.
  Result<std::string> load_string(uint32_t ptr, uint32_t len) const;
  Result<std::vector<uint8_t>> load_bytes(uint32_t ptr, uint32_t len) const;

  // canonical_abi_realloc(0, 0, align, size): guest memory the guest will own.
  Result<uint32_t> alloc(uint32_t size, uint32_t align);
  // Allocates and copies {len} bytes; returns the guest pointer.
  Result<uint32_t> store_bytes(const void* data, size_t len, uint32_t align = 1);
  Result<uint32_t> store_string(std::string_view s) { return store_bytes(s.data(), s.size(), 1); }
  // canonical_abi_free(ptr, size, align), for buffers an export returned.
  Result<void> free(uint32_t ptr, uint32_t size, uint32_t align);

  // Traps for the common failures (wording as slight's, plus the details).
  wasm::Error bad_discriminant(std::string_view type, uint32_t tag) const;
  wasm::Error bad_handle(std::string_view resource, uint32_t handle) const;

 private:
  uint8_t* base() const { return memory_ ? wasm::memory_data(memory_) : nullptr; }
  uint64_t size() const { return memory_ ? wasm::memory_size_bytes(memory_) : 0; }
  Result<wasm::Function*> export_function(const char* name);

  wasm::Store& store_;
  wasm::Instance* instance_;
  wasm::Memory* memory_;
  std::string_view function_;
};

// Reads core values in order. A variant's payload slots hold the join of its
// cases' types, so a read converts from the slot's actual type (ABI.md §2.3).
class FlatReader {
 public:
  explicit FlatReader(std::span<const wasm::Value> values) : values_(values) {}
  size_t pos() const { return pos_; }
  void seek(size_t pos) { pos_ = pos; }
  uint32_t i32();
  uint64_t i64();
  float f32();
  double f64();

 private:
  wasm::Value next() { return pos_ < values_.size() ? values_[pos_++] : wasm::Value::i32(0); }
  std::span<const wasm::Value> values_;
  size_t pos_ = 0;
};

class FlatWriter {
 public:
  void i32(uint32_t v) { out_.push_back(wasm::Value::i32(v)); }
  void i64(uint64_t v) { out_.push_back(wasm::Value::i64(v)); }
  void f32(float v) { out_.push_back(wasm::Value::f32(v)); }
  void f64(double v) { out_.push_back(wasm::Value::f64(v)); }
  size_t size() const { return out_.size(); }
  // After a variant case was written from slot {start}: converts the slots to
  // the joined {types} and pads with zeros up to their count.
  void join(size_t start, std::initializer_list<wasm::ValType> types);
  std::vector<wasm::Value>& values() { return out_; }

 private:
  std::vector<wasm::Value> out_;
};

// A module's imports, bound one by one by providers (WASI, the capability
// interfaces). Unbound imports are an Unlinkable error naming them.
class ImportResolver {
 public:
  explicit ImportResolver(std::vector<wasm::ImportInfo> imports)
      : imports_(std::move(imports)), bound_(imports_.size()) {}
  const std::vector<wasm::ImportInfo>& imports() const { return imports_; }
  bool is_bound(size_t i) const { return bound_[i].object != nullptr; }
  void bind(size_t i, wasm::Extern e) { bound_[i] = e; }
  wasm::Result<std::vector<wasm::Extern>> externs() const;

 private:
  std::vector<wasm::ImportInfo> imports_;
  std::vector<wasm::Extern> bound_;
};

// Checks that a function import has exactly {expected} (Unlinkable otherwise).
wasm::Result<void> check_import_type(const wasm::ImportInfo& import, const wasm::FuncType& expected);

}  // namespace silk::slight::abi
