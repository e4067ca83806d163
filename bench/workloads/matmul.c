/* matmul [n] — dense n x n double matrix product C = A * B, i-k-j loop nest,
 * repeated; checksum is a weighted sum of C. kind: float */
#include "bench_util.h"

int main(int argc, char** argv) {
  int n = (int)bench_size(argc, argv, 640);
  double* a = malloc(sizeof(double) * n * n);
  double* b = malloc(sizeof(double) * n * n);
  double* c = malloc(sizeof(double) * n * n);
  if (!a || !b || !c) return 1;
  uint64_t seed = 0x9E3779B97F4A7C15ULL;
  for (int i = 0; i < n * n; ++i) {
    a[i] = (double)(bench_rand(&seed) % 2001) / 1000.0 - 1.0;
    b[i] = (double)(bench_rand(&seed) % 2001) / 1000.0 - 1.0;
  }
  double t0 = bench_now_ms();
  double total = 0.0;
  for (int rep = 0; rep < 3; ++rep) {
    for (int i = 0; i < n * n; ++i) c[i] = 0.0;
    for (int i = 0; i < n; ++i) {
      double* ci = c + (long)i * n;
      for (int k = 0; k < n; ++k) {
        double aik = a[(long)i * n + k];
        const double* bk = b + (long)k * n;
        for (int j = 0; j < n; ++j) ci[j] += aik * bk[j];
      }
    }
    for (int i = 0; i < n * n; ++i) total += c[i] * (double)((i % 7) + 1);
    /* feed the result back so repetitions depend on each other */
    for (int i = 0; i < n * n; ++i) a[i] = c[i] * 0.01 + a[i] * 0.5;
  }
  double t1 = bench_now_ms();
  printf("checksum: %.6e\n", total);
  printf("time_ms: %.3f\n", t1 - t0);
  free(a);
  free(b);
  free(c);
  return 0;
}
