// random_get: two draws differ and are not all zero.
#include <unistd.h>

#include "wasi_test.h"

int main(void) {
  unsigned char a[64], b[64], big[256];
  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  CHECK(getentropy(a, sizeof a) == 0);
  CHECK(getentropy(b, sizeof b) == 0);
  CHECK(memcmp(a, b, sizeof a) != 0);
  int nonzero = 0;
  for (size_t i = 0; i < sizeof a; ++i) nonzero += a[i] != 0;
  CHECK(nonzero > 32);
  CHECK(getentropy(big, sizeof big) == 0);
  int counts[256] = {0}, distinct = 0;
  for (size_t i = 0; i < sizeof big; ++i)
    if (counts[big[i]]++ == 0) ++distinct;
  CHECK(distinct > 100);  // 256 bytes from a good source hit ~160 distinct values
  TEST_DONE();
}
