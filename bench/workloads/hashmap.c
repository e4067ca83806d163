/* hashmap [n] — an open-addressing hash map (linear probing, tombstones,
 * power-of-two capacity with resizing) from 64-bit keys to 32-bit values:
 * interleaved inserts, lookups (hits and misses) and deletes. kind: int */
#include <string.h>
#include "bench_util.h"

typedef struct {
  uint64_t* keys;
  uint32_t* vals;
  uint8_t* state; /* 0 empty, 1 full, 2 tombstone */
  uint32_t cap, count, used;
} Map;

static inline uint32_t hash64(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  return (uint32_t)k;
}

static void map_init(Map* m, uint32_t cap) {
  m->cap = cap;
  m->count = m->used = 0;
  m->keys = malloc(sizeof(uint64_t) * cap);
  m->vals = malloc(sizeof(uint32_t) * cap);
  m->state = calloc(cap, 1);
}

static void map_free(Map* m) {
  free(m->keys);
  free(m->vals);
  free(m->state);
}

static void map_put(Map* m, uint64_t k, uint32_t v);

static void map_grow(Map* m) {
  Map old = *m;
  map_init(m, old.count * 4 > old.cap ? old.cap * 2 : old.cap);
  for (uint32_t i = 0; i < old.cap; ++i)
    if (old.state[i] == 1) map_put(m, old.keys[i], old.vals[i]);
  map_free(&old);
}

static void map_put(Map* m, uint64_t k, uint32_t v) {
  if ((m->used + 1) * 4 > m->cap * 3) map_grow(m);
  uint32_t mask = m->cap - 1, i = hash64(k) & mask, tomb = UINT32_MAX;
  for (;;) {
    uint8_t s = m->state[i];
    if (s == 0) break;
    if (s == 1 && m->keys[i] == k) {
      m->vals[i] = v;
      return;
    }
    if (s == 2 && tomb == UINT32_MAX) tomb = i;
    i = (i + 1) & mask;
  }
  if (tomb != UINT32_MAX) {
    i = tomb;
  } else {
    m->used++;
  }
  m->state[i] = 1;
  m->keys[i] = k;
  m->vals[i] = v;
  m->count++;
}

static int map_get(const Map* m, uint64_t k, uint32_t* v) {
  uint32_t mask = m->cap - 1, i = hash64(k) & mask;
  for (;;) {
    uint8_t s = m->state[i];
    if (s == 0) return 0;
    if (s == 1 && m->keys[i] == k) {
      *v = m->vals[i];
      return 1;
    }
    i = (i + 1) & mask;
  }
}

static int map_del(Map* m, uint64_t k) {
  uint32_t mask = m->cap - 1, i = hash64(k) & mask;
  for (;;) {
    uint8_t s = m->state[i];
    if (s == 0) return 0;
    if (s == 1 && m->keys[i] == k) {
      m->state[i] = 2;
      m->count--;
      return 1;
    }
    i = (i + 1) & mask;
  }
}

int main(int argc, char** argv) {
  uint32_t n = (uint32_t)bench_size(argc, argv, 700000);
  Map m;
  map_init(&m, 1024);
  uint64_t seed = 7, h = 0;
  uint32_t hits = 0, deleted = 0;
  double t0 = bench_now_ms();
  for (int round = 0; round < 4; ++round) {
    uint64_t s = seed + (uint64_t)round;
    for (uint32_t i = 0; i < n; ++i) map_put(&m, bench_rand(&s) % (n * 2ULL), i);
    s = seed + (uint64_t)round;
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t v;
      uint64_t k = bench_rand(&s) % (n * 2ULL);
      if (map_get(&m, k, &v)) {
        hits++;
        h = bench_mix(h, v);
      }
      if (map_get(&m, k + n * 2ULL, &v)) hits += 1000; /* always a miss */
    }
    s = seed + (uint64_t)round * 3;
    for (uint32_t i = 0; i < n / 2; ++i) deleted += (uint32_t)map_del(&m, bench_rand(&s) % (n * 2ULL));
  }
  double t1 = bench_now_ms();
  h = bench_mix(h, hits);
  h = bench_mix(h, deleted);
  h = bench_mix(h, m.count);
  bench_report_u64(h, t1 - t0);
  map_free(&m);
  return 0;
}
