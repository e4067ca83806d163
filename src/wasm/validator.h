// silk::wasm — validate_module: the validation rules of spec 3 over a decoded
// Module, every function body included (validation is eager: errors are
// reported at load, never at first call).
//
// Errors are ErrorKind::Invalid, worded as the spec test suite words them
// ("type mismatch", "unknown local", ...), with the section, the function
// index (module index space) and the byte offset of the offending instruction.
// A function body can also be malformed in ways only reading it reveals
// (e.g. "illegal opcode"); those come back as ErrorKind::Malformed.
#pragma once

#include "wasm/module.h"
#include "wasm/result.h"

namespace silk::wasm {

Result<void> validate_module(const Module& module);

}  // namespace silk::wasm
