// args_get, args_sizes_get, environ_get, environ_sizes_get.
#include <stdlib.h>

#include "wasi_test.h"

extern char** environ;

static int cmp(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

int main(int argc, char** argv) {
  printf("argc %d\n", argc);
  for (int i = 1; i < argc; ++i) printf("argv[%d] [%s]\n", i, argv[i]);
  CHECK(argv[argc] == NULL);
  int n = 0;
  while (environ[n]) ++n;
  char** sorted = malloc(sizeof(char*) * (n + 1));
  for (int i = 0; i < n; ++i) sorted[i] = environ[i];
  qsort(sorted, n, sizeof(char*), cmp);
  printf("environ %d\n", n);
  for (int i = 0; i < n; ++i) printf("env [%s]\n", sorted[i]);
  CHECK(getenv("SILK_A") && strcmp(getenv("SILK_A"), "1") == 0);
  CHECK(getenv("SILK_B") && strcmp(getenv("SILK_B"), "two words=x") == 0);
  CHECK(getenv("SILK_MISSING") == NULL);
  TEST_DONE();
}
