#include "cli/json_value.h"

#include <bit>
#include <cinttypes>
#include <cstdio>
#include <stdexcept>

namespace silk::cli {

using wasm::ValType;
using Json = nlohmann::json;

namespace {

ValType parse_type(const std::string& name) {
  if (name == "i32") return ValType::I32;
  if (name == "i64") return ValType::I64;
  if (name == "f32") return ValType::F32;
  if (name == "f64") return ValType::F64;
  if (name == "v128") return ValType::V128;
  if (name == "funcref") return ValType::FuncRef;
  if (name == "externref") return ValType::ExternRef;
  throw std::invalid_argument("unknown value type \"" + name + "\"");
}

uint64_t parse_bits(const Json& value, uint64_t max) {
  const std::string text = value.at("value").get<std::string>();
  size_t used = 0;
  uint64_t bits = std::stoull(text, &used, 10);
  if (used != text.size() || bits > max || text.starts_with("-"))
    throw std::invalid_argument("bad number \"" + text + "\"");
  return bits;
}

std::string ref_text(const Json& value) {
  if (!value.contains("value")) return "";
  return value.at("value").get<std::string>();
}

std::string hex(uint64_t bits, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*" PRIx64, digits, bits);
  return buf;
}

}  // namespace

bool is_v128(const Json& value) {
  return value.is_object() && value.value("type", "") == "v128";
}

bool any_v128(const Json& values) {
  if (!values.is_array()) return false;
  for (const Json& v : values)
    if (is_v128(v)) return true;
  return false;
}

wasm::Value parse_value(const Json& value) {
  ValType type = parse_type(value.at("type").get<std::string>());
  switch (type) {
    case ValType::I32: return wasm::Value::i32(uint32_t(parse_bits(value, UINT32_MAX)));
    case ValType::I64: return wasm::Value::i64(parse_bits(value, UINT64_MAX));
    case ValType::F32: return wasm::Value::f32_bits(uint32_t(parse_bits(value, UINT32_MAX)));
    case ValType::F64: return wasm::Value::f64_bits(parse_bits(value, UINT64_MAX));
    case ValType::FuncRef:
      if (ref_text(value) == "null") return wasm::Value::null_of(ValType::FuncRef);
      throw std::invalid_argument("a funcref argument must be null");
    case ValType::ExternRef:
      if (ref_text(value) == "null") return wasm::Value::null_of(ValType::ExternRef);
      return wasm::Value::externref(parse_bits(value, UINT64_MAX - 1) + 1);
    case ValType::V128: break;
  }
  throw std::invalid_argument("v128 values are not supported");
}

ExpectedValue parse_expected(const Json& value) {
  ExpectedValue e;
  e.type = parse_type(value.at("type").get<std::string>());
  if (e.type == ValType::F32 || e.type == ValType::F64) {
    const std::string text = value.at("value").get<std::string>();
    if (text == "nan:canonical") {
      e.match = ExpectedValue::Match::CanonicalNan;
      return e;
    }
    if (text == "nan:arithmetic") {
      e.match = ExpectedValue::Match::ArithmeticNan;
      return e;
    }
  }
  if (e.type == ValType::FuncRef) {
    // Only null-ness is observable: a function reference has no JSON spelling.
    if (ref_text(value) != "null") e.match = ExpectedValue::Match::NonNullRef;
    return e;
  }
  e.bits = parse_value(value).bits;
  return e;
}

bool matches(const ExpectedValue& expected, const wasm::Value& actual) {
  if (expected.type != actual.type) return false;
  using Match = ExpectedValue::Match;
  const bool f32 = actual.type == ValType::F32;
  switch (expected.match) {
    case Match::Exact:
      if (f32 || actual.type == ValType::I32) return uint32_t(actual.bits) == expected.bits;
      return actual.bits == expected.bits;
    case Match::CanonicalNan:
      return f32 ? (actual.bits & 0x7fffffffu) == 0x7fc00000u
                 : (actual.bits & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
    case Match::ArithmeticNan:
      return f32 ? (actual.bits & 0x7fc00000u) == 0x7fc00000u
                 : (actual.bits & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
    case Match::NonNullRef:
      return !actual.is_null();
  }
  return false;
}

std::string format_value(const wasm::Value& value) {
  std::string name = wasm::to_string(value.type);
  switch (value.type) {
    case ValType::I32: return name + ":" + std::to_string(uint32_t(value.bits));
    case ValType::I64: return name + ":" + std::to_string(value.bits);
    case ValType::F32: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.9g", double(std::bit_cast<float>(uint32_t(value.bits))));
      return name + ":" + buf + " (" + hex(uint32_t(value.bits), 8) + ")";
    }
    case ValType::F64: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", std::bit_cast<double>(value.bits));
      return name + ":" + buf + " (" + hex(value.bits, 16) + ")";
    }
    case ValType::FuncRef: return name + (value.is_null() ? ":null" : ":non-null");
    case ValType::ExternRef:
      return name + ":" + (value.is_null() ? std::string("null") : std::to_string(value.bits - 1));
    case ValType::V128: return name + ":" + hex(value.high, 16) + hex(value.bits, 16).substr(2);
  }
  return name;
}

std::string format_expected(const ExpectedValue& expected) {
  std::string name = wasm::to_string(expected.type);
  switch (expected.match) {
    case ExpectedValue::Match::CanonicalNan: return name + ":nan:canonical";
    case ExpectedValue::Match::ArithmeticNan: return name + ":nan:arithmetic";
    case ExpectedValue::Match::NonNullRef: return name + ":non-null";
    case ExpectedValue::Match::Exact: break;
  }
  wasm::Value v{expected.type, expected.bits};
  return format_value(v);
}

}  // namespace silk::cli
