/* Shared helpers for the silk benchmark workloads (libc only).
 *
 * Every workload prints exactly two lines on stdout:
 *   checksum: <text>     must be identical natively and under every wasm engine
 *   time_ms: <float>     elapsed CLOCK_MONOTONIC time of the work itself
 *                        (process start-up, module compilation and set-up excluded)
 * The first argument, if given, is the problem size. */
#ifndef SILK_BENCH_UTIL_H
#define SILK_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double bench_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static inline long bench_size(int argc, char** argv, long fallback) {
  if (argc > 1) {
    long v = strtol(argv[1], NULL, 10);
    if (v > 0) return v;
  }
  return fallback;
}

static inline void bench_report_u64(uint64_t checksum, double ms) {
  printf("checksum: %016llx\n", (unsigned long long)checksum);
  printf("time_ms: %.3f\n", ms);
}

/* A small, fast, deterministic PRNG (xorshift64*), identical on every target. */
static inline uint64_t bench_rand(uint64_t* state) {
  uint64_t x = *state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * 0x2545F4914F6CDD1DULL;
}

/* FNV-1a style mixing of a 64-bit value into a running hash. */
static inline uint64_t bench_mix(uint64_t h, uint64_t v) {
  h ^= v;
  h *= 0x100000001b3ULL;
  h ^= h >> 29;
  return h;
}

#endif
