// The freestanding C memory and string functions the compiler may call
// (memcpy, memmove, memset, memcmp) plus the few the kernel uses itself.
// extern "C" with the standard semantics; no locale, no errno.
#pragma once

#include <stddef.h>
#include <stdint.h>

extern "C" {
void* memcpy(void* dst, const void* src, size_t n);
void* memmove(void* dst, const void* src, size_t n);
void* memset(void* dst, int value, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);
size_t strnlen(const char* s, size_t max);
int strcmp(const char* a, const char* b);
int strncmp(const char* a, const char* b, size_t n);
}

namespace silk::kernel {

// Copies at most {cap} - 1 bytes of {src} into {dst} and NUL-terminates it
// ({cap} > 0). Returns the number of bytes copied.
size_t copy_string(char* dst, size_t cap, const char* src);

}  // namespace silk::kernel
