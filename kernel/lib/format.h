// A printf-style formatter for the kernel (no floating point).
//
// Conversions: %d %i %u %x %X %o %c %s %p %%, length modifiers hh h l ll z t j,
// flags '-' '0' '+' ' ' '#', a field width and a precision (both also as '*').
// %s of nullptr prints "(null)". Not thread-safe with respect to the console
// (the kernel has one CPU and no preemption).
#pragma once

#include <stdarg.h>
#include <stddef.h>

namespace silk::kernel {

// snprintf semantics: writes at most {cap} bytes including the NUL (when
// {cap} > 0) and returns the length the full output would have had.
size_t format(char* buf, size_t cap, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
size_t vformat(char* buf, size_t cap, const char* fmt, va_list args);

// Formats straight to the platform console (platform::console_write),
// in chunks of up to 256 bytes.
void kprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void vkprintf(const char* fmt, va_list args);

// kprintf for messages about the normal course of things (the file system
// unpacked, the program started, exit_group): dropped after set_quiet(true)
// (the "quiet" command-line word: silk vm APP.wasm shows only the app's
// output). Warnings and fatal reports use kprintf.
void kinfo(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void set_quiet(bool quiet);

}  // namespace silk::kernel
