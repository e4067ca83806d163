/* mandelbrot [size] — escape-time Mandelbrot set on a size x size grid in
 * single precision (float) with at most 200 iterations; the checksum is the
 * total iteration count and a hash of the rows. kind: float */
#include "bench_util.h"

int main(int argc, char** argv) {
  int size = (int)bench_size(argc, argv, 1300);
  const int max_iter = 200;
  uint64_t h = 0, total = 0;
  double t0 = bench_now_ms();
  for (int y = 0; y < size; ++y) {
    float ci = 2.0f * (float)y / (float)size - 1.0f;
    uint32_t row = 0;
    for (int x = 0; x < size; ++x) {
      float cr = 2.5f * (float)x / (float)size - 2.0f;
      float zr = 0.0f, zi = 0.0f, zr2 = 0.0f, zi2 = 0.0f;
      int it = 0;
      while (it < max_iter && zr2 + zi2 <= 4.0f) {
        zi = 2.0f * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        zr2 = zr * zr;
        zi2 = zi * zi;
        ++it;
      }
      row = row * 31 + (uint32_t)it;
      total += (uint64_t)it;
    }
    h = bench_mix(h, row);
  }
  double t1 = bench_now_ms();
  h = bench_mix(h, total);
  bench_report_u64(h, t1 - t0);
  return 0;
}
