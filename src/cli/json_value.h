// silk::cli — wasm values as wast2json writes them, and how the spec runner
// compares results against them.
//
// wast2json writes every number as the decimal string of its unsigned bit
// pattern ("4294967295" for i32 -1, "1069547520" for f32 1.5); a float result
// may instead be the pattern "nan:canonical" or "nan:arithmetic". References
// are "null" or, for externref, a host number N: silk represents `ref.extern N`
// as Value::externref(N + 1) so that 0 stays the null reference.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "wasm/engine.h"

namespace silk::cli {

// True if {value} (one JSON value object) or any element of {values} (an
// array of them) has type v128, which the runner does not support yet.
bool is_v128(const nlohmann::json& value);
bool any_v128(const nlohmann::json& values);

// An argument value. Throws std::invalid_argument on a type or value that
// wast2json does not write (v128 included: check is_v128 first).
wasm::Value parse_value(const nlohmann::json& value);

// An expected result: an exact value, or a pattern.
struct ExpectedValue {
  enum class Match : uint8_t {
    Exact,          // same type, same bits (externref: same host word)
    CanonicalNan,   // f32/f64 canonical NaN, either sign
    ArithmeticNan,  // f32/f64 NaN with the quiet bit set, either sign
    NonNullRef,     // funcref: any non-null reference
  };
  wasm::ValType type = wasm::ValType::I32;
  Match match = Match::Exact;
  uint64_t bits = 0;
};

ExpectedValue parse_expected(const nlohmann::json& value);
bool matches(const ExpectedValue& expected, const wasm::Value& actual);

// "i32:42", "f32:1.5 (0x3fc00000)", "funcref:null", "f64:nan:canonical".
std::string format_value(const wasm::Value& value);
std::string format_expected(const ExpectedValue& expected);

}  // namespace silk::cli
