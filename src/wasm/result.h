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
#include <variant>
#include <vector>

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

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& value() const& { return std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  T& operator*() { return std::get<0>(v_); }
  const Error& error() const { return std::get<1>(v_); }
  Error&& take_error() { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}
  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_; }
  Error&& take_error() { return std::move(error_); }

 private:
  Error error_;
  bool failed_ = false;
};

}  // namespace silk::wasm

// Evaluates {expr} (a Result); on failure returns its Error from the enclosing
// function, otherwise yields the value (for Result<void>, nothing).
#define SILK_TRY(expr)                                \
  ({                                                  \
    auto silk_try_result_ = (expr);                   \
    if (!silk_try_result_.ok())                       \
      return silk_try_result_.take_error();           \
    ::silk::wasm::detail::unwrap(std::move(silk_try_result_)); \
  })

namespace silk::wasm::detail {
template <typename T>
T unwrap(Result<T>&& r) { return std::move(r).value(); }
inline void unwrap(Result<void>&&) {}
}  // namespace silk::wasm::detail
