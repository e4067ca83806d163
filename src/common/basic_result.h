// silk — BasicResult<T, E>: a value or an error, the one mechanism behind both
// of silk's result types (silk::Result in src/common/result.h, whose error is
// a message; silk::wasm::Result in src/wasm/result.h, whose error names the
// kind, section, offset and function). Propagate with SILK_TRY. No exceptions.
#pragma once

#include <utility>
#include <variant>

namespace silk {

template <typename T, typename E>
class [[nodiscard]] BasicResult {
 public:
  BasicResult(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  BasicResult(E error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& value() const& { return std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() { return std::get<0>(v_); }
  const T& operator*() const { return std::get<0>(v_); }
  const E& error() const { return std::get<1>(v_); }
  E&& take_error() { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, E> v_;
};

template <typename E>
class [[nodiscard]] BasicResult<void, E> {
 public:
  BasicResult() = default;
  BasicResult(E error) : error_(std::move(error)), failed_(true) {}
  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const E& error() const { return error_; }
  E&& take_error() { return std::move(error_); }

 private:
  E error_;
  bool failed_ = false;
};

namespace detail {
template <typename T, typename E>
T unwrap(BasicResult<T, E>&& r) { return std::move(r).value(); }
template <typename E>
void unwrap(BasicResult<void, E>&&) {}
}  // namespace detail

}  // namespace silk

// Evaluates {expr} (a result); on failure returns its error from the enclosing
// function, otherwise yields the value (for a void result, nothing).
#define SILK_TRY(expr)                                   \
  ({                                                     \
    auto silk_try_result_ = (expr);                      \
    if (!silk_try_result_.ok())                          \
      return silk_try_result_.take_error();              \
    ::silk::detail::unwrap(std::move(silk_try_result_)); \
  })
