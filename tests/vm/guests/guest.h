// The runtime of silk vm's test guests: hypercalls per include/silk/hvt_abi.h,
// a console printer and the memcpy/memset the compiler may call. Freestanding.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "silk/hvt_abi.h"

namespace guest {

using namespace silk::hvt;

// `out dx, eax` with dx = kHvtPortBase + nr and eax = the argument block's
// guest-physical address (identity-mapped, below 4 GiB).
inline void hypercall(Hypercall nr, void* args) {
  uint16_t port = kHvtPortBase + static_cast<uint16_t>(nr);
  uint32_t gpa = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(args));
  asm volatile("outl %0, %1" : : "a"(gpa), "Nd"(port) : "memory");
}

inline size_t strlen(const char* s) {
  size_t n = 0;
  while (s[n] != 0) ++n;
  return n;
}

inline void write(const char* data, size_t len) {
  HvtConsoleWrite call{reinterpret_cast<GuestPhys>(data), len};
  hypercall(Hypercall::ConsoleWrite, &call);
}
inline void print(const char* s) { write(s, strlen(s)); }
inline void print_u64(uint64_t v) {
  char buf[24];
  int i = sizeof buf;
  do {
    buf[--i] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  write(buf + i, sizeof buf - i);
}
inline void print_hex(uint64_t v) {
  char buf[18];
  int i = sizeof buf;
  do {
    buf[--i] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v != 0);
  buf[--i] = 'x';
  buf[--i] = '0';
  write(buf + i, sizeof buf - i);
}

[[noreturn]] inline void halt(int status) {
  HvtHalt call{status, 0};
  hypercall(Hypercall::Halt, &call);
  for (;;) asm volatile("ud2");  // unreachable: the monitor never resumes after Halt
}

inline uint64_t walltime() {
  HvtWalltime call{0};
  hypercall(Hypercall::Walltime, &call);
  return call.nsecs;
}

inline bool starts_with(const char* s, const char* prefix) {
  while (*prefix != 0)
    if (*s++ != *prefix++) return false;
  return true;
}

}  // namespace guest

extern "C" {
// The compiler may emit calls to these even in freestanding code.
inline void* memcpy(void* dst, const void* src, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  auto* s = static_cast<const unsigned char*>(src);
  while (n--) *d++ = *s++;
  return dst;
}
inline void* memset(void* dst, int c, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  while (n--) *d++ = static_cast<unsigned char>(c);
  return dst;
}
}
