// silk::wasm — decode_module: the binary format (spec 5) into a Module.
//
// Checks everything the binary format itself requires (magic, version,
// section order and sizes, LEB128 rules, UTF-8 names, matching function/code
// counts, data count) and nothing that belongs to validation. Errors are
// ErrorKind::Malformed with the spec's wording, the section name and the
// absolute byte offset. Custom sections are skipped, except `name`, which is
// kept for backtraces (and silently ignored if it is itself malformed).
#pragma once

#include <memory>
#include <span>

#include "wasm/module.h"
#include "wasm/result.h"

namespace silk::wasm {

Result<std::unique_ptr<Module>> decode_module(std::span<const uint8_t> bytes);

}  // namespace silk::wasm
