#include "wasm/binary_reader.h"

#include <cstring>

namespace silk::wasm {

Error BinaryReader::error_at(uint64_t offset, std::string message) {
  Error e;
  e.kind = ErrorKind::Malformed;
  e.message = std::move(message);
  e.offset = offset;
  return e;
}

Result<uint8_t> BinaryReader::u8() {
  if (pos_ >= size_) return error("unexpected end");
  return data_[pos_++];
}

Result<uint64_t> BinaryReader::read_leb_unsigned(unsigned bits) {
  const unsigned max_bytes = (bits + 6) / 7;
  uint64_t result = 0;
  for (unsigned i = 0;; ++i) {
    if (pos_ >= size_) return error("unexpected end");
    uint8_t b = data_[pos_++];
    if (i == max_bytes - 1) {
      if (b & 0x80) return error("integer representation too long");
      // Bits beyond {bits} in the last byte must be zero.
      unsigned used = bits - 7 * i;
      if (used < 7 && (b >> used) != 0) return error("integer too large");
      result |= uint64_t(b) << (7 * i);
      return result;
    }
    result |= uint64_t(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) return result;
  }
}

Result<int64_t> BinaryReader::read_leb_signed(unsigned bits) {
  const unsigned max_bytes = (bits + 6) / 7;
  uint64_t result = 0;
  for (unsigned i = 0;; ++i) {
    if (pos_ >= size_) return error("unexpected end");
    uint8_t b = data_[pos_++];
    if (i == max_bytes - 1) {
      if (b & 0x80) return error("integer representation too long");
      // The unused high bits of the last byte must all equal the sign bit.
      unsigned used = bits - 7 * i;  // 1..7 payload bits in this byte
      if (used < 7) {
        int8_t sign_extended = int8_t(uint8_t(b << 1)) >> 1;  // 7-bit value sign-extended to 8
        int8_t expected = int8_t(uint8_t(sign_extended << (8 - used))) >> (8 - used);
        if (sign_extended != expected) return error("integer too large");
      }
      result |= uint64_t(b & 0x7f) << (7 * i);
      unsigned shift = 7 * (i + 1);
      if (shift < 64 && (b & 0x40)) result |= ~uint64_t{0} << shift;
      return int64_t(result);
    }
    result |= uint64_t(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      unsigned shift = 7 * (i + 1);
      if (shift < 64 && (b & 0x40)) result |= ~uint64_t{0} << shift;
      return int64_t(result);
    }
  }
}

Result<uint32_t> BinaryReader::u32() {
  auto r = read_leb_unsigned(32);
  if (!r) return r.take_error();
  return uint32_t(*r);
}
Result<uint64_t> BinaryReader::u64() { return read_leb_unsigned(64); }
Result<int32_t> BinaryReader::s32() {
  auto r = read_leb_signed(32);
  if (!r) return r.take_error();
  return int32_t(*r);
}
Result<int64_t> BinaryReader::s64() { return read_leb_signed(64); }
Result<int64_t> BinaryReader::s33() { return read_leb_signed(33); }

Result<uint32_t> BinaryReader::f32_bits() {
  if (remaining() < 4) return error("unexpected end");
  uint32_t v;
  std::memcpy(&v, data_ + pos_, 4);
  pos_ += 4;
  return v;
}

Result<uint64_t> BinaryReader::f64_bits() {
  if (remaining() < 8) return error("unexpected end");
  uint64_t v;
  std::memcpy(&v, data_ + pos_, 8);
  pos_ += 8;
  return v;
}

Result<std::span<const uint8_t>> BinaryReader::bytes(size_t n) {
  if (remaining() < n) return error("unexpected end");
  std::span<const uint8_t> s(data_ + pos_, n);
  pos_ += n;
  return s;
}

Result<std::string> BinaryReader::name() {
  auto len = u32();
  if (!len) return len.take_error();
  if (remaining() < *len) return error("length out of bounds");
  std::span<const uint8_t> s(data_ + pos_, *len);
  if (!is_valid_utf8(s)) return error("malformed UTF-8 encoding");
  pos_ += *len;
  return std::string(reinterpret_cast<const char*>(s.data()), s.size());
}

bool is_valid_utf8(std::span<const uint8_t> s) {
  size_t i = 0;
  while (i < s.size()) {
    uint8_t c = s[i];
    if (c < 0x80) { ++i; continue; }
    unsigned n;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) { n = 1; cp = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { n = 2; cp = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { n = 3; cp = c & 0x07; }
    else return false;
    for (unsigned k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      uint8_t cc = s[i + k];
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (n == 1 && cp < 0x80) return false;
    if (n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) return false;
    if (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) return false;
    i += n + 1;
  }
  return true;
}

}  // namespace silk::wasm
