// silk::wasm — Result<T> and Error: how every engine component reports failure.
//
// No exceptions cross a component boundary. A failing step returns an Error that
// says what kind of failure it is (the spec's categories: malformed, invalid,
// unlinkable, trap, exhaustion) and where it happened: the section, the byte
// offset into the module, the function index. Propagate with SILK_TRY.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/basic_result.h"

namespace silk::wasm {

enum class ErrorKind : uint8_t {
  Malformed,    // the bytes are not a wasm binary (spec: assert_malformed)
  Invalid,      // well-formed but does not validate (spec: assert_invalid)
  Unlinkable,   // imports missing or of the wrong type (spec: assert_unlinkable)
  Trap,         // execution trapped (spec: assert_trap, assert_uninstantiable)
  Exhaustion,   // call stack exhausted (spec: assert_exhaustion)
  Io,           // a file could not be read
  Usage,        // the embedder called the API wrongly (wrong arg count/types)
};

const char* to_string(ErrorKind kind);

struct Error {
  static constexpr uint64_t kNoOffset = ~uint64_t{0};
  static constexpr uint32_t kNoIndex = ~uint32_t{0};

  ErrorKind kind = ErrorKind::Invalid;
  std::string message;        // the spec's wording where the spec has one
  std::string section;        // "code", "import", ... ; empty when not applicable
  uint64_t offset = kNoOffset;     // byte offset in the module binary
  uint32_t func_index = kNoIndex;  // function index (module index space)
  // For traps: the wasm call stack when it happened, innermost first, one
  // "name (function N)" per frame (names from the module's name section).
  std::vector<std::string> backtrace;

  // "invalid: type mismatch (section code, function 3, offset 0x1a2)"
  std::string describe() const;
};

inline Error make_error(ErrorKind kind, std::string message) {
  Error e;
  e.kind = kind;
  e.message = std::move(message);
  return e;
}

// A value or an Error (src/common/basic_result.h; propagate with SILK_TRY).
template <typename T>
using Result = ::silk::BasicResult<T, Error>;

}  // namespace silk::wasm
