#include <cstring>

#include "wasm/module.h"
#include "wasm/result.h"
#include "wasm/types.h"

namespace silk::wasm {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Malformed: return "malformed";
    case ErrorKind::Invalid: return "invalid";
    case ErrorKind::Unlinkable: return "unlinkable";
    case ErrorKind::Trap: return "trap";
    case ErrorKind::Exhaustion: return "exhaustion";
    case ErrorKind::Io: return "io";
    case ErrorKind::Usage: return "usage";
  }
  return "error";
}

std::string Error::describe() const {
  std::string s = std::string(to_string(kind)) + ": " + message;
  std::string where;
  auto add = [&](const std::string& part) {
    if (!where.empty()) where += ", ";
    where += part;
  };
  if (!section.empty()) add("section " + section);
  if (func_index != kNoIndex) add("function " + std::to_string(func_index));
  if (offset != kNoOffset) {
    char buf[32];
    snprintf(buf, sizeof buf, "offset 0x%llx", static_cast<unsigned long long>(offset));
    add(buf);
  }
  if (!where.empty()) s += " (" + where + ")";
  return s;
}

bool is_valtype_byte(uint8_t b) {
  switch (b) {
    case 0x7f: case 0x7e: case 0x7d: case 0x7c: case 0x7b: case 0x70: case 0x6f:
      return true;
    default:
      return false;
  }
}

const char* to_string(ValType t) {
  switch (t) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::FuncRef: return "funcref";
    case ValType::ExternRef: return "externref";
  }
  return "?";
}

const char* to_string(ExternKind k) {
  switch (k) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
  }
  return "?";
}

std::string FuncType::to_string() const {
  std::string s = "(";
  for (size_t i = 0; i < params.size(); ++i) s += (i ? " " : "") + std::string(wasm::to_string(params[i]));
  s += ") -> (";
  for (size_t i = 0; i < results.size(); ++i) s += (i ? " " : "") + std::string(wasm::to_string(results[i]));
  return s + ")";
}

bool limits_match(const Limits& actual, const Limits& expected) {
  if (actual.min < expected.min) return false;
  if (expected.has_max) {
    if (!actual.has_max) return false;
    if (actual.max > expected.max) return false;
  }
  return true;
}

std::string Module::function_name(uint32_t func_index) const {
  auto it = function_names.find(func_index);
  return it == function_names.end() ? std::string() : it->second;
}

}  // namespace silk::wasm
