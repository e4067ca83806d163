// Fatal kernel errors. panic prints "silk kernel: panic: <message>" on the
// console and halts the VM with platform::kExitPanic; it never returns.
// SILK_EXPECTS(cond) checks a precondition in every build and panics with the
// file, line and condition when it fails (IncludeOS's Expects).
#pragma once

namespace silk::kernel {

[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace silk::kernel

#define SILK_EXPECTS(cond)                                                              \
  do {                                                                                  \
    if (!(cond)) ::silk::kernel::panic("%s:%d: expected %s", __FILE__, __LINE__, #cond); \
  } while (0)
