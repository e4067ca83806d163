// The start-up benchmark's guest: `silk run` of this measures process start,
// module load, instantiation and one WASI write, nothing else.
#include <stdio.h>

int main(void) {
  printf("hello, world\n");
  return 0;
}
