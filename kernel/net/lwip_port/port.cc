// The platform hooks lwIP calls (named in arch/cc.h and lwipopts.h): the
// clock, random numbers, memory, diagnostics, and the two C library
// functions the kernel's lib/string.cc lacks.

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/cpu.h"
#include "arch/user.h"
#include "lib/clock.h"
#include "lib/format.h"
#include "lib/panic.h"
#include "lib/string.h"
#include "mm/heap.h"

extern "C" {

// lwIP's time base (lwip/sys.h, NO_SYS): milliseconds, wrapping at 2^32.
uint32_t sys_now(void) { return static_cast<uint32_t>(silk::kernel::monotonic_ns() / 1000000u); }

uint32_t silk_lwip_rand(void) {
  uint64_t r;
  if (silk::kernel::arch::random64(&r)) return static_cast<uint32_t>(r ^ (r >> 32));
  // No RDRAND: an xorshift seeded from the TSC (lwIP uses it for ports,
  // initial sequence numbers and DHCP transaction ids).
  static uint64_t s_state = 0;
  if (s_state == 0) s_state = silk::kernel::arch::read_timestamp() | 1;
  s_state ^= s_state << 13;
  s_state ^= s_state >> 7;
  s_state ^= s_state << 17;
  return static_cast<uint32_t>(s_state >> 16);
}

void* silk_lwip_malloc(size_t size) { return silk::kernel::mm::heap::allocate(size); }

void* silk_lwip_calloc(size_t count, size_t size) {
  if (size != 0 && count > SIZE_MAX / size) return nullptr;
  void* p = silk::kernel::mm::heap::allocate(count * size);
  if (p != nullptr) memset(p, 0, count * size);
  return p;
}

void silk_lwip_free(void* p) { silk::kernel::mm::heap::release(p); }

// lwip_standard_chksum's contract (inet_chksum.c, algorithm 3): the
// one's-complement sum of {len} bytes at {data} as native 16-bit words, not
// inverted, folded to 16 bits; bytes swapped when {data} is odd. The sum of
// 64-bit words folds to the same value (RFC 1071), so the loop adds 32 bytes
// with four add-with-carry instructions.
unsigned short silk_lwip_chksum(const void* data, int len) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint16_t t = 0;
  bool odd = (reinterpret_cast<uintptr_t>(p) & 1) != 0;
  if (odd && len > 0) {
    reinterpret_cast<uint8_t*>(&t)[1] = *p++;
    --len;
  }
  uint64_t sum = 0;
  for (; len >= 32; p += 32, len -= 32) {
    asm("addq (%[p]), %[s]\n\t"
        "adcq 8(%[p]), %[s]\n\t"
        "adcq 16(%[p]), %[s]\n\t"
        "adcq 24(%[p]), %[s]\n\t"
        "adcq $0, %[s]"
        : [s] "+r"(sum)
        : [p] "r"(p), "m"(*reinterpret_cast<const uint8_t(*)[32]>(p))
        : "cc");
  }
  for (; len >= 8; p += 8, len -= 8) {
    uint64_t word;
    memcpy(&word, p, 8);
    sum += word;
    if (sum < word) ++sum;  // end-around carry
  }
  sum = (sum & 0xffffffffu) + (sum >> 32);
  sum = (sum & 0xffffffffu) + (sum >> 32);
  for (; len >= 2; p += 2, len -= 2) {
    uint16_t word;
    memcpy(&word, p, 2);
    sum += word;
  }
  if (len > 0) reinterpret_cast<uint8_t*>(&t)[0] = *p;
  sum += t;
  sum = (sum & 0xffffu) + (sum >> 16);
  sum = (sum & 0xffffu) + (sum >> 16);
  sum = (sum & 0xffffu) + (sum >> 16);
  if (odd) sum = ((sum & 0xff) << 8) | ((sum >> 8) & 0xff);
  return static_cast<unsigned short>(sum);
}

void silk_lwip_diag(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  silk::kernel::vkprintf(fmt, args);
  va_end(args);
}

void silk_lwip_assert(const char* message, const char* file, int line) {
  silk::kernel::panic("lwip: assertion \"%s\" failed at %s:%d", message, file, line);
}

int atoi(const char* s) {
  int sign = 1, v = 0;
  while (*s == ' ') ++s;
  if (*s == '-' || *s == '+') sign = *s++ == '-' ? -1 : 1;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return sign * v;
}

char* strstr(const char* haystack, const char* needle) {
  size_t n = strlen(needle);
  for (; *haystack != '\0'; ++haystack) {
    if (strncmp(haystack, needle, n) == 0) return const_cast<char*>(haystack);
  }
  return n == 0 ? const_cast<char*>(haystack) : nullptr;
}

}  // extern "C"
