/* spectral_norm [n] — the spectral norm of the infinite matrix
 * A(i,j) = 1/((i+j)(i+j+1)/2+i+1) truncated to n x n, by power iteration
 * (double division and multiply-accumulate in loop nests). kind: float */
#include <math.h>
#include "bench_util.h"

static inline double a_ij(int i, int j) { return 1.0 / ((double)((i + j) * (i + j + 1) / 2 + i + 1)); }

static void mul_av(int n, const double* v, double* out) {
  for (int i = 0; i < n; ++i) {
    double s = 0.0;
    for (int j = 0; j < n; ++j) s += a_ij(i, j) * v[j];
    out[i] = s;
  }
}

static void mul_atv(int n, const double* v, double* out) {
  for (int i = 0; i < n; ++i) {
    double s = 0.0;
    for (int j = 0; j < n; ++j) s += a_ij(j, i) * v[j];
    out[i] = s;
  }
}

static void mul_atav(int n, const double* v, double* out, double* tmp) {
  mul_av(n, v, tmp);
  mul_atv(n, tmp, out);
}

int main(int argc, char** argv) {
  int n = (int)bench_size(argc, argv, 2500);
  double* u = malloc(sizeof(double) * n);
  double* v = malloc(sizeof(double) * n);
  double* tmp = malloc(sizeof(double) * n);
  if (!u || !v || !tmp) return 1;
  for (int i = 0; i < n; ++i) u[i] = 1.0;
  double t0 = bench_now_ms();
  for (int i = 0; i < 10; ++i) {
    mul_atav(n, u, v, tmp);
    mul_atav(n, v, u, tmp);
  }
  double vbv = 0.0, vv = 0.0;
  for (int i = 0; i < n; ++i) {
    vbv += u[i] * v[i];
    vv += v[i] * v[i];
  }
  double t1 = bench_now_ms();
  printf("checksum: %.9f\n", sqrt(vbv / vv));
  printf("time_ms: %.3f\n", t1 - t0);
  free(u);
  free(v);
  free(tmp);
  return 0;
}
