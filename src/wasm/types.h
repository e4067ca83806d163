// silk::wasm — value types, function types, limits: the vocabulary shared by
// the decoder, the validator, the runtime and the embedding API.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace silk::wasm {

// Binary encodings (spec 5.3.1 / 5.3.3).
enum class ValType : uint8_t {
  I32 = 0x7f,
  I64 = 0x7e,
  F32 = 0x7d,
  F64 = 0x7c,
  V128 = 0x7b,
  FuncRef = 0x70,
  ExternRef = 0x6f,
};

inline bool is_ref(ValType t) { return t == ValType::FuncRef || t == ValType::ExternRef; }
inline bool is_num(ValType t) {
  return t == ValType::I32 || t == ValType::I64 || t == ValType::F32 || t == ValType::F64;
}
bool is_valtype_byte(uint8_t b);
const char* to_string(ValType t);  // "i32", "funcref", ...

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  bool operator==(const FuncType&) const = default;
  std::string to_string() const;  // "(i32 i64) -> (f32)"
};

struct Limits {
  uint64_t min = 0;
  bool has_max = false;
  uint64_t max = 0;
  bool operator==(const Limits&) const = default;
};

// Import subtyping on limits (spec 4.5.2): {actual} matches {expected}.
bool limits_match(const Limits& actual, const Limits& expected);

struct TableType {
  ValType elem = ValType::FuncRef;
  Limits limits;
};

struct MemoryType {
  Limits limits;  // in 64 KiB pages
};

struct GlobalType {
  ValType type = ValType::I32;
  bool mutable_ = false;
};

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3 };
const char* to_string(ExternKind k);

constexpr uint64_t kPageSize = 65536;
constexpr uint64_t kMaxPages32 = 65536;  // 4 GiB

}  // namespace silk::wasm
