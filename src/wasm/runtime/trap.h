// silk::wasm — trap codes and their messages (the spec's wording, which the
// spec tests' assert_trap compares against).
#pragma once

#include <cstdint>

namespace silk::wasm {

#define SILK_TRAPS(X)                                              \
  X(None, "no trap")                                               \
  X(Unreachable, "unreachable")                                    \
  X(IntegerDivideByZero, "integer divide by zero")                 \
  X(IntegerOverflow, "integer overflow")                           \
  X(InvalidConversion, "invalid conversion to integer")            \
  X(MemoryOutOfBounds, "out of bounds memory access")              \
  X(TableOutOfBounds, "out of bounds table access")                \
  X(UndefinedElement, "undefined element")                         \
  X(UninitializedElement, "uninitialized element")                 \
  X(IndirectCallTypeMismatch, "indirect call type mismatch")       \
  X(CallStackExhausted, "call stack exhausted")                    \
  X(Interrupted, "interrupted")                                    \
  X(HostError, "host function failed")

enum class TrapCode : uint32_t {
#define SILK_TRAP_ENUM(name, msg) name,
  SILK_TRAPS(SILK_TRAP_ENUM)
#undef SILK_TRAP_ENUM
};

const char* trap_message(TrapCode code);

}  // namespace silk::wasm
