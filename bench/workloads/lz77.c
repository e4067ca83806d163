/* lz77 [kib] — an LZ77-style compressor (hash chains over 4-byte prefixes,
 * 64 KiB window) and its decompressor over generated text-like data; the
 * round trip is checked byte for byte. kind: int
 *
 * Format: a control byte c; c < 128: c+1 literal bytes follow;
 * c >= 128: a match of length (c-128)+4, then a 16-bit little-endian distance. */
#include <string.h>
#include "bench_util.h"

#define WINDOW 65536
#define HASH_BITS 15
#define MAX_CHAIN 16
#define MIN_MATCH 4
#define MAX_MATCH (127 + MIN_MATCH)

static inline uint32_t hash4(const uint8_t* p) {
  uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  return (v * 2654435761u) >> (32 - HASH_BITS);
}

static size_t flush_literals(const uint8_t* src, size_t start, size_t end, uint8_t* out, size_t o) {
  while (start < end) {
    size_t run = end - start > 128 ? 128 : end - start;
    out[o++] = (uint8_t)(run - 1);
    memcpy(out + o, src + start, run);
    o += run;
    start += run;
  }
  return o;
}

static size_t compress(const uint8_t* src, size_t n, uint8_t* out, int32_t* head, int32_t* prev) {
  for (int i = 0; i < (1 << HASH_BITS); ++i) head[i] = -1;
  size_t o = 0, lit = 0, i = 0;
  while (i + MIN_MATCH <= n) {
    uint32_t h = hash4(src + i);
    int32_t cand = head[h];
    size_t best_len = 0, best_dist = 0;
    for (int chain = 0; cand >= 0 && chain < MAX_CHAIN; ++chain) {
      size_t dist = i - (size_t)cand;
      if (dist >= WINDOW) break;
      size_t limit = n - i < MAX_MATCH ? n - i : MAX_MATCH, len = 0;
      while (len < limit && src[cand + len] == src[i + len]) ++len;
      if (len > best_len) {
        best_len = len;
        best_dist = dist;
        if (len == limit) break;
      }
      cand = prev[cand & (WINDOW - 1)];
    }
    prev[i & (WINDOW - 1)] = head[h];
    head[h] = (int32_t)i;
    if (best_len >= MIN_MATCH) {
      o = flush_literals(src, lit, i, out, o);
      out[o++] = (uint8_t)(128 + best_len - MIN_MATCH);
      out[o++] = (uint8_t)best_dist;
      out[o++] = (uint8_t)(best_dist >> 8);
      /* insert the skipped positions into the chains */
      for (size_t k = 1; k < best_len && i + k + MIN_MATCH <= n; ++k) {
        uint32_t hk = hash4(src + i + k);
        prev[(i + k) & (WINDOW - 1)] = head[hk];
        head[hk] = (int32_t)(i + k);
      }
      i += best_len;
      lit = i;
    } else {
      ++i;
    }
  }
  return flush_literals(src, lit, n, out, o);
}

static size_t decompress(const uint8_t* in, size_t n, uint8_t* out) {
  size_t i = 0, o = 0;
  while (i < n) {
    uint8_t c = in[i++];
    if (c < 128) {
      size_t run = (size_t)c + 1;
      memcpy(out + o, in + i, run);
      i += run;
      o += run;
    } else {
      size_t len = (size_t)(c - 128) + MIN_MATCH;
      size_t dist = (size_t)in[i] | (size_t)in[i + 1] << 8;
      i += 2;
      for (size_t k = 0; k < len; ++k, ++o) out[o] = out[o - dist]; /* may overlap */
    }
  }
  return o;
}

static const char* const WORDS[] = {
    "the ",     "quick ",   "brown ",     "fox ",      "jumps ",  "over ",     "lazy ",
    "dog ",     "silk ",    "runtime ",   "module ",   "memory ", "function ", "table ",
    "import ",  "export ",  "interpret ", "compile ",  "byte ",   "stream ",   "value ",
    "stack ",   "frame ",   "branch ",    "loop ",     "block ",  "call ",     "return ",
    "\n",       "global ",  "local ",     "trap ",     "guard ",  "page ",     "signal ",
    "handler ", "threaded ", "dispatch ", "register ", "slot ",   ", ",        ". "};

int main(int argc, char** argv) {
  size_t n = (size_t)bench_size(argc, argv, 8192) * 1024;
  uint8_t* src = malloc(n);
  uint8_t* comp = malloc(n + n / 64 + 16);
  uint8_t* back = malloc(n);
  int32_t* head = malloc(sizeof(int32_t) << HASH_BITS);
  int32_t* prev = malloc(sizeof(int32_t) * WINDOW);
  if (!src || !comp || !back || !head || !prev) return 1;
  uint64_t seed = 42;
  size_t nwords = sizeof WORDS / sizeof WORDS[0];
  for (size_t i = 0; i < n;) {
    uint64_t r = bench_rand(&seed);
    if (r % 10 == 0) { /* some noise: digits */
      src[i++] = (uint8_t)('0' + (r >> 8) % 10);
      continue;
    }
    const char* w = WORDS[(r >> 16) % nwords];
    while (*w && i < n) src[i++] = (uint8_t)*w++;
  }
  double t0 = bench_now_ms();
  uint64_t h = 0;
  for (int round = 0; round < 2; ++round) {
    size_t clen = compress(src, n, comp, head, prev);
    size_t dlen = decompress(comp, clen, back);
    if (dlen != n || memcmp(src, back, n) != 0) {
      printf("round trip failed (%zu -> %zu -> %zu)\n", n, clen, dlen);
      return 1;
    }
    h = bench_mix(h, clen);
    for (size_t i = 0; i < clen; i += 61) h = bench_mix(h, comp[i]);
    src[round * 7919 % n] ^= 0x5A; /* perturb for the next round */
  }
  double t1 = bench_now_ms();
  bench_report_u64(h, t1 - t0);
  free(src); free(comp); free(back); free(head); free(prev);
  return 0;
}
