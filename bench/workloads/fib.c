/* fib [n] — naive doubly recursive Fibonacci: call/return overhead. kind: int */
#include "bench_util.h"

static uint32_t fib(uint32_t n) {
  if (n < 2) return n;
  return fib(n - 1) + fib(n - 2);
}

int main(int argc, char** argv) {
  uint32_t n = (uint32_t)bench_size(argc, argv, 40);
  double t0 = bench_now_ms();
  uint32_t r = fib(n);
  double t1 = bench_now_ms();
  bench_report_u64(r, t1 - t0);
  return 0;
}
