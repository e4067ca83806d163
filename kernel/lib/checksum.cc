#include "lib/checksum.h"

namespace silk::kernel {
namespace {

struct Tables {
  uint32_t t[8][256];
  constexpr Tables() : t{} {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i) {
      for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
    }
  }
};
constexpr Tables kTables;

// One ones'-complement addition.
inline uint64_t add_carry(uint64_t h, uint64_t w) {
  uint64_t t = h + w;
  return t + (t < w ? 1 : 0);
}

}  // namespace

uint32_t crc32(uint32_t crc, const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  const auto& t = kTables.t;
  crc = ~crc;
  while (n != 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    --n;
  }
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t v;
    __builtin_memcpy(&v, p, 8);
    uint32_t lo = static_cast<uint32_t>(v) ^ crc, hi = static_cast<uint32_t>(v >> 32);
    crc = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^
          t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^ t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
  }
  while (n-- != 0) crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

uint64_t sum64(const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint64_t h = 0;
  if (uint64_t blocks = n / 64; blocks != 0) {
    // Eight adc per 64 bytes; lea and dec keep the carry flag across
    // iterations, and the two final adc fold the last carries back in.
    asm("clc\n"
        "1:\n\t"
        "adcq 0(%1), %0\n\tadcq 8(%1), %0\n\tadcq 16(%1), %0\n\tadcq 24(%1), %0\n\t"
        "adcq 32(%1), %0\n\tadcq 40(%1), %0\n\tadcq 48(%1), %0\n\tadcq 56(%1), %0\n\t"
        "leaq 64(%1), %1\n\tdecq %2\n\tjnz 1b\n\t"
        "adcq $0, %0\n\tadcq $0, %0"
        : "+r"(h), "+r"(p), "+r"(blocks)
        :
        : "cc", "memory");
    n %= 64;
  }
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t w;
    __builtin_memcpy(&w, p, 8);
    h = add_carry(h, w);
  }
  if (n != 0) {
    uint64_t w = 0;
    __builtin_memcpy(&w, p, n);
    h = add_carry(h, w);
  }
  return h;
}

}  // namespace silk::kernel
