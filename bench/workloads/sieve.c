/* sieve [limit] — sieve of Eratosthenes over a byte array, repeated;
 * counts primes and mixes in the largest one. kind: int */
#include <string.h>
#include "bench_util.h"

int main(int argc, char** argv) {
  uint32_t limit = (uint32_t)bench_size(argc, argv, 4000000);
  uint8_t* composite = malloc(limit + 1);
  if (!composite) return 1;
  uint64_t h = 0;
  double t0 = bench_now_ms();
  for (int rep = 0; rep < 30; ++rep) {
    memset(composite, 0, limit + 1);
    uint32_t count = 0, last = 0;
    for (uint32_t i = 2; i <= limit; ++i) {
      if (composite[i]) continue;
      ++count;
      last = i;
      for (uint64_t j = (uint64_t)i * i; j <= limit; j += i) composite[j] = 1;
    }
    h = bench_mix(h, count);
    h = bench_mix(h, last);
    limit -= 1; /* keep every repetition a little different */
  }
  double t1 = bench_now_ms();
  bench_report_u64(h, t1 - t0);
  free(composite);
  return 0;
}
