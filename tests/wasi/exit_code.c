// proc_exit: the exit status is the guest's (the driver passes 7 and expects 7).
#include <stdlib.h>

#include "wasi_test.h"

int main(int argc, char** argv) {
  int code = argc > 1 ? atoi(argv[1]) : 0;
  printf("exiting with %d\n", code);
  fflush(stdout);
  exit(code);
}
