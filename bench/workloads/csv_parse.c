/* csv_parse [rows] — generates a CSV document (id, name, quantity, price with
 * three decimals, quoted comment), then tokenizes it field by field, parses
 * the numbers by hand (fixed-point decimals) and aggregates per-column sums
 * and a hash of the names. kind: int */
#include <string.h>
#include "bench_util.h"

static const char* const SYLLABLES[] = {"ka", "lo", "mi", "ne", "su", "ta", "vo", "re", "zi", "pa"};

static size_t put_int(char* out, int64_t v) {
  char tmp[24];
  size_t n = 0, o = 0;
  uint64_t u = v < 0 ? (uint64_t)(-v) : (uint64_t)v;
  do {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) out[o++] = '-';
  while (n) out[o++] = tmp[--n];
  return o;
}

static size_t generate(char* out, uint32_t rows, uint64_t* seed) {
  size_t o = 0;
  memcpy(out, "id,name,quantity,price,comment\n", 31);
  o = 31;
  for (uint32_t r = 0; r < rows; ++r) {
    uint64_t x = bench_rand(seed);
    o += put_int(out + o, r);
    out[o++] = ',';
    int syl = 2 + (int)(x % 4);
    for (int s = 0; s < syl; ++s) {
      const char* p = SYLLABLES[(x >> (8 + 4 * s)) % 10];
      out[o++] = p[0];
      out[o++] = p[1];
    }
    out[o++] = ',';
    o += put_int(out + o, (int64_t)((x >> 24) % 20001) - 10000);
    out[o++] = ',';
    int64_t cents = (int64_t)((x >> 40) % 10000000);
    o += put_int(out + o, cents / 1000);
    out[o++] = '.';
    out[o++] = (char)('0' + cents / 100 % 10);
    out[o++] = (char)('0' + cents / 10 % 10);
    out[o++] = (char)('0' + cents % 10);
    out[o++] = ',';
    out[o++] = '"';
    int words = 1 + (int)((x >> 56) % 5);
    for (int w = 0; w < words; ++w) {
      memcpy(out + o, w == 2 ? "a, b" : "note ", w == 2 ? 4 : 5);
      o += w == 2 ? 4 : 5;
    }
    out[o++] = '"';
    out[o++] = '\n';
  }
  return o;
}

typedef struct {
  int64_t qty_sum, price_sum_milli, max_price;
  uint64_t name_hash, id_sum;
  uint32_t comment_bytes, rows;
} Totals;

/* Parses a signed integer or a decimal with up to three fraction digits as a
 * value scaled by 1000. */
static int64_t parse_fixed(const char* p, const char* end, int scaled) {
  int neg = 0;
  if (p < end && *p == '-') {
    neg = 1;
    ++p;
  }
  int64_t v = 0;
  while (p < end && *p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
  if (scaled) {
    int digits = 0;
    if (p < end && *p == '.') {
      ++p;
      while (p < end && *p >= '0' && *p <= '9' && digits < 3) {
        v = v * 10 + (*p++ - '0');
        ++digits;
      }
    }
    while (digits++ < 3) v *= 10;
  }
  return neg ? -v : v;
}

static void parse(const char* s, size_t n, Totals* t) {
  const char* p = s;
  const char* end = s + n;
  while (p < end && *p != '\n') ++p; /* header */
  ++p;
  while (p < end) {
    const char* field[5];
    const char* fend[5];
    for (int f = 0; f < 5; ++f) {
      if (*p == '"') {
        field[f] = ++p;
        while (*p != '"') ++p;
        fend[f] = p++;
      } else {
        field[f] = p;
        while (*p != ',' && *p != '\n') ++p;
        fend[f] = p;
      }
      ++p; /* the separator */
    }
    t->id_sum += (uint64_t)parse_fixed(field[0], fend[0], 0);
    uint64_t h = 1469598103934665603ULL;
    for (const char* q = field[1]; q < fend[1]; ++q) h = (h ^ (uint8_t)*q) * 1099511628211ULL;
    t->name_hash ^= h;
    t->qty_sum += parse_fixed(field[2], fend[2], 0);
    int64_t price = parse_fixed(field[3], fend[3], 1);
    t->price_sum_milli += price;
    if (price > t->max_price) t->max_price = price;
    t->comment_bytes += (uint32_t)(fend[4] - field[4]);
    t->rows++;
  }
}

int main(int argc, char** argv) {
  uint32_t rows = (uint32_t)bench_size(argc, argv, 300000);
  char* doc = malloc((size_t)rows * 96 + 64);
  if (!doc) return 1;
  uint64_t seed = 2024;
  size_t len = generate(doc, rows, &seed);
  Totals t;
  memset(&t, 0, sizeof t);
  double t0 = bench_now_ms();
  for (int round = 0; round < 20; ++round) parse(doc, len, &t);
  double t1 = bench_now_ms();
  uint64_t h = bench_mix(0, len);
  h = bench_mix(h, (uint64_t)t.qty_sum);
  h = bench_mix(h, (uint64_t)t.price_sum_milli);
  h = bench_mix(h, (uint64_t)t.max_price);
  h = bench_mix(h, t.name_hash);
  h = bench_mix(h, t.id_sum);
  h = bench_mix(h, t.comment_bytes);
  h = bench_mix(h, t.rows);
  bench_report_u64(h, t1 - t0);
  free(doc);
  return 0;
}
