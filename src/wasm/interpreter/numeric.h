// silk::wasm::interp — the semantics of the numeric instructions (spec 4.3),
// one function per opcode, named after the Opcode enumerator so that
// `grep I32DivS` finds both the table row and the meaning. Functions that can
// trap return a TrapCode and write their result through {out}.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "wasm/runtime/trap.h"

namespace silk::wasm::interp::sem {

using u32 = uint32_t;
using u64 = uint64_t;
using i32 = int32_t;
using i64 = int64_t;
using f32 = float;
using f64 = double;

template <typename T> constexpr T bits_of_sign = T(1) << (sizeof(T) * 8 - 1);

template <typename F, typename U>
inline F float_from_bits(U u) { F f; std::memcpy(&f, &u, sizeof f); return f; }
template <typename U, typename F>
inline U bits_from_float(F f) { U u; std::memcpy(&u, &f, sizeof u); return u; }

// Comparisons
inline u32 I32Eqz(u32 a) { return a == 0; }
inline u32 I32Eq(u32 a, u32 b) { return a == b; }
inline u32 I32Ne(u32 a, u32 b) { return a != b; }
inline u32 I32LtS(u32 a, u32 b) { return i32(a) < i32(b); }
inline u32 I32LtU(u32 a, u32 b) { return a < b; }
inline u32 I32GtS(u32 a, u32 b) { return i32(a) > i32(b); }
inline u32 I32GtU(u32 a, u32 b) { return a > b; }
inline u32 I32LeS(u32 a, u32 b) { return i32(a) <= i32(b); }
inline u32 I32LeU(u32 a, u32 b) { return a <= b; }
inline u32 I32GeS(u32 a, u32 b) { return i32(a) >= i32(b); }
inline u32 I32GeU(u32 a, u32 b) { return a >= b; }
inline u32 I64Eqz(u64 a) { return a == 0; }
inline u32 I64Eq(u64 a, u64 b) { return a == b; }
inline u32 I64Ne(u64 a, u64 b) { return a != b; }
inline u32 I64LtS(u64 a, u64 b) { return i64(a) < i64(b); }
inline u32 I64LtU(u64 a, u64 b) { return a < b; }
inline u32 I64GtS(u64 a, u64 b) { return i64(a) > i64(b); }
inline u32 I64GtU(u64 a, u64 b) { return a > b; }
inline u32 I64LeS(u64 a, u64 b) { return i64(a) <= i64(b); }
inline u32 I64LeU(u64 a, u64 b) { return a <= b; }
inline u32 I64GeS(u64 a, u64 b) { return i64(a) >= i64(b); }
inline u32 I64GeU(u64 a, u64 b) { return a >= b; }
inline u32 F32Eq(f32 a, f32 b) { return a == b; }
inline u32 F32Ne(f32 a, f32 b) { return a != b; }
inline u32 F32Lt(f32 a, f32 b) { return a < b; }
inline u32 F32Gt(f32 a, f32 b) { return a > b; }
inline u32 F32Le(f32 a, f32 b) { return a <= b; }
inline u32 F32Ge(f32 a, f32 b) { return a >= b; }
inline u32 F64Eq(f64 a, f64 b) { return a == b; }
inline u32 F64Ne(f64 a, f64 b) { return a != b; }
inline u32 F64Lt(f64 a, f64 b) { return a < b; }
inline u32 F64Gt(f64 a, f64 b) { return a > b; }
inline u32 F64Le(f64 a, f64 b) { return a <= b; }
inline u32 F64Ge(f64 a, f64 b) { return a >= b; }

// Integer arithmetic (spec 4.3.2)
inline u32 I32Clz(u32 a) { return std::countl_zero(a); }
inline u32 I32Ctz(u32 a) { return std::countr_zero(a); }
inline u32 I32Popcnt(u32 a) { return std::popcount(a); }
inline u32 I32Add(u32 a, u32 b) { return a + b; }
inline u32 I32Sub(u32 a, u32 b) { return a - b; }
inline u32 I32Mul(u32 a, u32 b) { return a * b; }
inline TrapCode I32DivS(u32 a, u32 b, u32* out) {
  if (b == 0) return TrapCode::IntegerDivideByZero;
  if (a == bits_of_sign<u32> && b == u32(-1)) return TrapCode::IntegerOverflow;
  *out = u32(i32(a) / i32(b));
  return TrapCode::None;
}
inline TrapCode I32DivU(u32 a, u32 b, u32* out) {
  if (b == 0) return TrapCode::IntegerDivideByZero;
  *out = a / b;
  return TrapCode::None;
}
inline TrapCode I32RemS(u32 a, u32 b, u32* out) {
  if (b == 0) return TrapCode::IntegerDivideByZero;
  *out = (b == u32(-1)) ? 0 : u32(i32(a) % i32(b));  // INT_MIN % -1 is 0, not a trap
  return TrapCode::None;
}
inline TrapCode I32RemU(u32 a, u32 b, u32* out) {
  if (b == 0) return TrapCode::IntegerDivideByZero;
  *out = a % b;
  return TrapCode::None;
}
inline u32 I32And(u32 a, u32 b) { return a & b; }
inline u32 I32Or(u32 a, u32 b) { return a | b; }
inline u32 I32Xor(u32 a, u32 b) { return a ^ b; }
inline u32 I32Shl(u32 a, u32 b) { return a << (b & 31); }
inline u32 I32ShrS(u32 a, u32 b) { return u32(i32(a) >> (b & 31)); }
inline u32 I32ShrU(u32 a, u32 b) { return a >> (b & 31); }
inline u32 I32Rotl(u32 a, u32 b) { return std::rotl(a, int(b & 31)); }
inline u32 I32Rotr(u32 a, u32 b) { return std::rotr(a, int(b & 31)); }
inline u64 I64Clz(u64 a) { return std::countl_zero(a); }
inline u64 I64Ctz(u64 a) { return std::countr_zero(a); }
inline u64 I64Popcnt(u64 a) { return std::popcount(a); }
inline u64 I64Add(u64 a, u64 b) { return a + b; }
inline u64 I64Sub(u64 a, u64 b) { return a - b; }
inline u64 I64Mul(u64 a, u64 b) { return a * b; }
inline TrapCode I64DivS(u64 a, u64 b, u64* out) {
  if (b == 0) return TrapCode::IntegerDivideByZero;
  if (a == bits_of_sign<u64> && b == u64(-1)) return TrapCode::IntegerOverflow;
  *out = u64(i64(a) / i64(b));
  return TrapCode::None;
}
inline TrapCode I64DivU(u64 a, u64 b, u64* out) {
  if (b == 0) return TrapCode::IntegerDivideByZero;
  *out = a / b;
  return TrapCode::None;
}
inline TrapCode I64RemS(u64 a, u64 b, u64* out) {
  if (b == 0) return TrapCode::IntegerDivideByZero;
  *out = (b == u64(-1)) ? 0 : u64(i64(a) % i64(b));
  return TrapCode::None;
}
inline TrapCode I64RemU(u64 a, u64 b, u64* out) {
  if (b == 0) return TrapCode::IntegerDivideByZero;
  *out = a % b;
  return TrapCode::None;
}
inline u64 I64And(u64 a, u64 b) { return a & b; }
inline u64 I64Or(u64 a, u64 b) { return a | b; }
inline u64 I64Xor(u64 a, u64 b) { return a ^ b; }
inline u64 I64Shl(u64 a, u64 b) { return a << (b & 63); }
inline u64 I64ShrS(u64 a, u64 b) { return u64(i64(a) >> (b & 63)); }
inline u64 I64ShrU(u64 a, u64 b) { return a >> (b & 63); }
inline u64 I64Rotl(u64 a, u64 b) { return std::rotl(a, int(b & 63)); }
inline u64 I64Rotr(u64 a, u64 b) { return std::rotr(a, int(b & 63)); }

// Float arithmetic (spec 4.3.3). abs/neg/copysign are pure bit operations
// (they must not touch NaN payloads); min/max propagate NaN and order -0 < +0.
template <typename F, typename U>
inline F fmin_wasm(F a, F b) {
  if (a != a || b != b) return a + b;  // a quiet NaN
  if (a == b) return float_from_bits<F>(U(bits_from_float<U>(a) | bits_from_float<U>(b)));
  return a < b ? a : b;
}
template <typename F, typename U>
inline F fmax_wasm(F a, F b) {
  if (a != a || b != b) return a + b;
  if (a == b) return float_from_bits<F>(U(bits_from_float<U>(a) & bits_from_float<U>(b)));
  return a > b ? a : b;
}
inline f32 F32Abs(f32 a) { return float_from_bits<f32>(bits_from_float<u32>(a) & ~bits_of_sign<u32>); }
inline f32 F32Neg(f32 a) { return float_from_bits<f32>(bits_from_float<u32>(a) ^ bits_of_sign<u32>); }
inline f32 F32Ceil(f32 a) { return std::ceil(a); }
inline f32 F32Floor(f32 a) { return std::floor(a); }
inline f32 F32Trunc(f32 a) { return std::trunc(a); }
inline f32 F32Nearest(f32 a) { return std::nearbyint(a); }
inline f32 F32Sqrt(f32 a) { return std::sqrt(a); }
inline f32 F32Add(f32 a, f32 b) { return a + b; }
inline f32 F32Sub(f32 a, f32 b) { return a - b; }
inline f32 F32Mul(f32 a, f32 b) { return a * b; }
inline f32 F32Div(f32 a, f32 b) { return a / b; }
inline f32 F32Min(f32 a, f32 b) { return fmin_wasm<f32, u32>(a, b); }
inline f32 F32Max(f32 a, f32 b) { return fmax_wasm<f32, u32>(a, b); }
inline f32 F32Copysign(f32 a, f32 b) {
  return float_from_bits<f32>((bits_from_float<u32>(a) & ~bits_of_sign<u32>) |
                              (bits_from_float<u32>(b) & bits_of_sign<u32>));
}
inline f64 F64Abs(f64 a) { return float_from_bits<f64>(bits_from_float<u64>(a) & ~bits_of_sign<u64>); }
inline f64 F64Neg(f64 a) { return float_from_bits<f64>(bits_from_float<u64>(a) ^ bits_of_sign<u64>); }
inline f64 F64Ceil(f64 a) { return std::ceil(a); }
inline f64 F64Floor(f64 a) { return std::floor(a); }
inline f64 F64Trunc(f64 a) { return std::trunc(a); }
inline f64 F64Nearest(f64 a) { return std::nearbyint(a); }
inline f64 F64Sqrt(f64 a) { return std::sqrt(a); }
inline f64 F64Add(f64 a, f64 b) { return a + b; }
inline f64 F64Sub(f64 a, f64 b) { return a - b; }
inline f64 F64Mul(f64 a, f64 b) { return a * b; }
inline f64 F64Div(f64 a, f64 b) { return a / b; }
inline f64 F64Min(f64 a, f64 b) { return fmin_wasm<f64, u64>(a, b); }
inline f64 F64Max(f64 a, f64 b) { return fmax_wasm<f64, u64>(a, b); }
inline f64 F64Copysign(f64 a, f64 b) {
  return float_from_bits<f64>((bits_from_float<u64>(a) & ~bits_of_sign<u64>) |
                              (bits_from_float<u64>(b) & bits_of_sign<u64>));
}

// Conversions (spec 4.3.4). Float-to-int truncation traps on NaN ("invalid
// conversion to integer") and out of range ("integer overflow"); the _sat
// forms clamp instead. Ranges are open/closed exactly where the target's
// bounds are (not) representable in the source type.
template <typename I, typename F>
inline bool trunc_in_range(F x) {
  if constexpr (std::is_signed_v<I>) {
    constexpr F lo = F(std::numeric_limits<I>::min());  // -2^(N-1), exact
    constexpr F hi = -lo;                               // 2^(N-1), exact
    if constexpr (sizeof(I) == 4 && sizeof(F) == 8) return x > lo - 1 && x < hi;
    else return x >= lo && x < hi;
  } else {
    constexpr F hi = F(std::numeric_limits<I>::max() / 2 + 1) * 2;  // 2^N
    return x > F(-1) && x < hi;
  }
}
template <typename I, typename F, typename R>
inline TrapCode trunc_checked(F x, R* out) {
  if (x != x) return TrapCode::InvalidConversion;
  if (!trunc_in_range<I>(x)) return TrapCode::IntegerOverflow;
  *out = R(I(x));
  return TrapCode::None;
}
template <typename I, typename F>
inline I trunc_saturating(F x) {
  if (x != x) return 0;
  if (trunc_in_range<I>(x)) return I(x);
  return x < 0 ? std::numeric_limits<I>::min() : std::numeric_limits<I>::max();
}

inline u32 I32WrapI64(u64 a) { return u32(a); }
inline TrapCode I32TruncF32S(f32 a, u32* o) { return trunc_checked<i32>(a, o); }
inline TrapCode I32TruncF32U(f32 a, u32* o) { return trunc_checked<u32>(a, o); }
inline TrapCode I32TruncF64S(f64 a, u32* o) { return trunc_checked<i32>(a, o); }
inline TrapCode I32TruncF64U(f64 a, u32* o) { return trunc_checked<u32>(a, o); }
inline u64 I64ExtendI32S(u32 a) { return u64(i64(i32(a))); }
inline u64 I64ExtendI32U(u32 a) { return u64(a); }
inline TrapCode I64TruncF32S(f32 a, u64* o) { return trunc_checked<i64>(a, o); }
inline TrapCode I64TruncF32U(f32 a, u64* o) { return trunc_checked<u64>(a, o); }
inline TrapCode I64TruncF64S(f64 a, u64* o) { return trunc_checked<i64>(a, o); }
inline TrapCode I64TruncF64U(f64 a, u64* o) { return trunc_checked<u64>(a, o); }
inline f32 F32ConvertI32S(u32 a) { return f32(i32(a)); }
inline f32 F32ConvertI32U(u32 a) { return f32(a); }
inline f32 F32ConvertI64S(u64 a) { return f32(i64(a)); }
inline f32 F32ConvertI64U(u64 a) { return f32(a); }
inline f32 F32DemoteF64(f64 a) { return f32(a); }
inline f64 F64ConvertI32S(u32 a) { return f64(i32(a)); }
inline f64 F64ConvertI32U(u32 a) { return f64(a); }
inline f64 F64ConvertI64S(u64 a) { return f64(i64(a)); }
inline f64 F64ConvertI64U(u64 a) { return f64(a); }
inline f64 F64PromoteF32(f32 a) { return f64(a); }
inline u32 I32ReinterpretF32(f32 a) { return bits_from_float<u32>(a); }
inline u64 I64ReinterpretF64(f64 a) { return bits_from_float<u64>(a); }
inline f32 F32ReinterpretI32(u32 a) { return float_from_bits<f32>(a); }
inline f64 F64ReinterpretI64(u64 a) { return float_from_bits<f64>(a); }
inline u32 I32Extend8S(u32 a) { return u32(i32(int8_t(a))); }
inline u32 I32Extend16S(u32 a) { return u32(i32(int16_t(a))); }
inline u64 I64Extend8S(u64 a) { return u64(i64(int8_t(a))); }
inline u64 I64Extend16S(u64 a) { return u64(i64(int16_t(a))); }
inline u64 I64Extend32S(u64 a) { return u64(i64(int32_t(a))); }
inline u32 I32TruncSatF32S(f32 a) { return u32(trunc_saturating<i32>(a)); }
inline u32 I32TruncSatF32U(f32 a) { return trunc_saturating<u32>(a); }
inline u32 I32TruncSatF64S(f64 a) { return u32(trunc_saturating<i32>(a)); }
inline u32 I32TruncSatF64U(f64 a) { return trunc_saturating<u32>(a); }
inline u64 I64TruncSatF32S(f32 a) { return u64(trunc_saturating<i64>(a)); }
inline u64 I64TruncSatF32U(f32 a) { return trunc_saturating<u64>(a); }
inline u64 I64TruncSatF64S(f64 a) { return u64(trunc_saturating<i64>(a)); }
inline u64 I64TruncSatF64U(f64 a) { return trunc_saturating<u64>(a); }

}  // namespace silk::wasm::interp::sem
