#include "slight/abi/guest.h"

#include <cstdio>

namespace silk::slight::abi {

using wasm::ErrorKind;
using wasm::Value;
using wasm::ValType;

bool is_valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    uint8_t c = p[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) len = 2, cp = c & 0x1f;
    else if ((c & 0xf0) == 0xe0) len = 3, cp = c & 0x0f;
    else if ((c & 0xf8) == 0xf0) len = 4, cp = c & 0x07;
    else return false;
    if (i + len > n) return false;
    for (size_t k = 1; k < len; k++) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    static const uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

wasm::Error Guest::trap(std::string_view what) const {
  return wasm::make_error(ErrorKind::Trap, std::string(function_) + ": " + std::string(what));
}

Result<void> Guest::check(uint64_t ptr, uint64_t len) const {
  if (!memory_) return trap("the module has no memory");
  if (ptr > size() || len > size() - ptr) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "out of bounds pointer 0x%llx (+%llu) in %llu-byte memory", (unsigned long long)ptr,
                  (unsigned long long)len, (unsigned long long)size());
    return trap(buf);
  }
  return {};
}

Result<std::string> Guest::load_string(uint32_t ptr, uint32_t len) const {
  SILK_TRY(check(ptr, len));
  // SAFETY: checked just above.
  std::string s(reinterpret_cast<const char*>(base() + ptr), len);
  if (!is_valid_utf8(s)) return trap("invalid utf-8 in string at 0x" + [&] {
    char b[16];
    std::snprintf(b, sizeof b, "%x", ptr);
    return std::string(b);
  }());
  return s;
}

Result<std::vector<uint8_t>> Guest::load_bytes(uint32_t ptr, uint32_t len) const {
  SILK_TRY(check(ptr, len));
  // SAFETY: checked just above.
  return std::vector<uint8_t>(base() + ptr, base() + ptr + len);
}

Result<wasm::Function*> Guest::export_function(const char* name) {
  wasm::Function* f = instance_ ? instance_->function(name) : nullptr;
  if (!f) return trap(std::string("the module does not export ") + name);
  return f;
}

Result<uint32_t> Guest::alloc(uint32_t size, uint32_t align) {
  wasm::Function* realloc = SILK_TRY(export_function("canonical_abi_realloc"));
  const Value args[] = {Value::i32(0), Value::i32(0), Value::i32(align), Value::i32(size)};
  auto r = store_.call(realloc, args);
  if (!r.ok()) return r.take_error();  // the guest trapped: propagate its trap
  if (r->size() != 1 || (*r)[0].type != ValType::I32) return trap("canonical_abi_realloc has the wrong type");
  uint32_t ptr = (*r)[0].as_i32();
  // The guest may have grown memory; check() re-reads the size.
  SILK_TRY(check(ptr, size));
  return ptr;
}

Result<uint32_t> Guest::store_bytes(const void* data, size_t len, uint32_t align) {
  if (len > UINT32_MAX) return trap("result too large for a 32-bit guest");
  uint32_t ptr = SILK_TRY(alloc(uint32_t(len), align));
  // SAFETY: alloc() checked [ptr, ptr+len) against the memory as it is now.
  if (len) std::memcpy(base() + ptr, data, len);
  return ptr;
}

Result<void> Guest::free(uint32_t ptr, uint32_t size, uint32_t align) {
  wasm::Function* f = SILK_TRY(export_function("canonical_abi_free"));
  const Value args[] = {Value::i32(ptr), Value::i32(size), Value::i32(align)};
  auto r = store_.call(f, args);
  if (!r.ok()) return r.take_error();
  return {};
}

wasm::Error Guest::bad_discriminant(std::string_view type, uint32_t tag) const {
  return trap("invalid variant discriminant " + std::to_string(tag) + " for " + std::string(type));
}

wasm::Error Guest::bad_handle(std::string_view resource, uint32_t handle) const {
  return trap("invalid handle index " + std::to_string(handle) + " for resource " + std::string(resource));
}

uint32_t FlatReader::i32() {
  Value v = next();
  return uint32_t(v.bits);  // i32 slot, or an i64 join slot holding a 32-bit value
}

uint64_t FlatReader::i64() { return next().bits; }

float FlatReader::f32() {
  Value v = next();
  uint32_t bits = uint32_t(v.bits);  // f32 slot, or i32/i64 join slot holding its bits
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

double FlatReader::f64() {
  Value v = next();
  double d;
  std::memcpy(&d, &v.bits, 8);
  return d;
}

void FlatWriter::join(size_t start, std::initializer_list<ValType> types) {
  size_t i = start;
  for (ValType t : types) {
    if (i >= out_.size()) out_.push_back(Value::zero_of(t));
    Value& v = out_[i];
    if (v.type != t) {
      // Same bits, joined type: f32 bits in an i32/i64 slot, f64 or i32 in an i64 slot.
      uint64_t bits = v.type == ValType::I32 || v.type == ValType::F32 ? uint32_t(v.bits) : v.bits;
      v = Value{t, bits};
    }
    i++;
  }
}

wasm::Result<std::vector<wasm::Extern>> ImportResolver::externs() const {
  for (size_t i = 0; i < imports_.size(); i++)
    if (!bound_[i].object)
      return wasm::make_error(ErrorKind::Unlinkable,
                              "unknown import: " + imports_[i].module + "." + imports_[i].name + " has not been defined");
  return bound_;
}

wasm::Result<void> check_import_type(const wasm::ImportInfo& import, const wasm::FuncType& expected) {
  if (import.kind != wasm::ExternKind::Func)
    return wasm::make_error(ErrorKind::Unlinkable, import.module + "." + import.name + ": must be a function import");
  if (!(import.func == expected))
    return wasm::make_error(ErrorKind::Unlinkable, import.module + "." + import.name + ": incompatible import type: expected " +
                                                       expected.to_string() + ", found " + import.func.to_string());
  return {};
}

}  // namespace silk::slight::abi
