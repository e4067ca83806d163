// silk::wasm — BinaryReader: bounds-checked reads of the binary format's
// primitives (spec 5.2): bytes, LEB128 integers, floats, names.
//
// LEB128 follows the spec exactly: non-minimal encodings are accepted; an
// encoding longer than ceil(N/7) bytes is "integer representation too long";
// unused bits of the last byte that are not a sign/zero extension are
// "integer too large"; running off the end is "unexpected end".
// Every error is ErrorKind::Malformed and carries the absolute byte offset.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "wasm/result.h"

namespace silk::wasm {

class BinaryReader {
 public:
  // Reads {bytes}; offsets reported in errors are {base} + position.
  explicit BinaryReader(std::span<const uint8_t> bytes, uint64_t base = 0)
      : data_(bytes.data()), size_(bytes.size()), base_(base) {}

  size_t pos() const { return pos_; }
  uint64_t offset() const { return base_ + pos_; }  // absolute
  size_t remaining() const { return size_ - pos_; }
  bool at_end() const { return pos_ >= size_; }
  const uint8_t* cursor() const { return data_ + pos_; }
  void seek(size_t pos) { pos_ = pos; }

  Result<uint8_t> u8();
  Result<uint32_t> u32();   // unsigned LEB128, 32 bits
  Result<uint64_t> u64();   // unsigned LEB128, 64 bits
  Result<int32_t> s32();    // signed LEB128
  Result<int64_t> s64();
  Result<int64_t> s33();    // block types (spec 5.4.1)
  Result<uint32_t> f32_bits();  // little-endian IEEE bits
  Result<uint64_t> f64_bits();
  Result<std::span<const uint8_t>> bytes(size_t n);
  Result<std::string> name();  // u32 length + UTF-8 ("malformed UTF-8 encoding")

  // An error at the current position.
  Error error(std::string message) const { return error_at(offset(), std::move(message)); }
  static Error error_at(uint64_t offset, std::string message);

 private:
  Result<uint64_t> read_leb_unsigned(unsigned bits);
  Result<int64_t> read_leb_signed(unsigned bits);

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  uint64_t base_;
};

// True when {s} is well-formed UTF-8 (no overlongs, surrogates, > U+10FFFF).
bool is_valid_utf8(std::span<const uint8_t> s);

}  // namespace silk::wasm
