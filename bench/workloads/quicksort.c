/* quicksort [n] — sorts n pseudo-random 32-bit integers with a hand-written
 * median-of-three quicksort (insertion sort below 16 elements), several
 * rounds; verifies order and checksums the result. kind: int */
#include "bench_util.h"

static void insertion(int32_t* a, int32_t lo, int32_t hi) {
  for (int32_t i = lo + 1; i <= hi; ++i) {
    int32_t v = a[i], j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      --j;
    }
    a[j + 1] = v;
  }
}

static void swap(int32_t* a, int32_t i, int32_t j) {
  int32_t t = a[i];
  a[i] = a[j];
  a[j] = t;
}

static void quicksort(int32_t* a, int32_t lo, int32_t hi) {
  while (hi - lo >= 16) {
    int32_t mid = lo + (hi - lo) / 2;
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    int32_t pivot = a[mid];
    int32_t i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) ++i;
      while (a[j] > pivot) --j;
      if (i <= j) {
        swap(a, i, j);
        ++i;
        --j;
      }
    }
    /* recurse into the smaller half, loop on the larger (bounded stack) */
    if (j - lo < hi - i) {
      quicksort(a, lo, j);
      lo = i;
    } else {
      quicksort(a, i, hi);
      hi = j;
    }
  }
  insertion(a, lo, hi);
}

int main(int argc, char** argv) {
  int32_t n = (int32_t)bench_size(argc, argv, 1000000);
  int32_t* a = malloc(sizeof(int32_t) * n);
  if (!a) return 1;
  uint64_t seed = 0xC0FFEE, h = 0;
  double t0 = bench_now_ms();
  for (int round = 0; round < 3; ++round) {
    for (int32_t i = 0; i < n; ++i) a[i] = (int32_t)(bench_rand(&seed) >> 33) - (1 << 29);
    quicksort(a, 0, n - 1);
    for (int32_t i = 1; i < n; ++i)
      if (a[i - 1] > a[i]) {
        printf("not sorted at %d\n", (int)i);
        return 1;
      }
    for (int32_t i = 0; i < n; i += 97) h = bench_mix(h, (uint32_t)a[i]);
  }
  double t1 = bench_now_ms();
  bench_report_u64(h, t1 - t0);
  free(a);
  return 0;
}
