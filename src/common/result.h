// silk — Result<T> and Error for components outside the wasm engine (the
// slight host, the CLI): a failure is one human-readable message that already
// names the place it came from ("slightfile.toml:7:1: ..."). The engine's
// silk::wasm::Result (src/wasm/result.h) is the same BasicResult with a richer
// error (kind, section, offset, function, backtrace).
#pragma once

#include <string>
#include <utility>

#include "common/basic_result.h"

namespace silk {

struct Error {
  std::string message;
};

inline Error make_error(std::string message) { return Error{std::move(message)}; }

template <typename T>
using Result = BasicResult<T, Error>;

}  // namespace silk
