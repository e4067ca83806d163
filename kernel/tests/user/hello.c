// A static glibc program for the kernel's ring-3 tests (kernel/CMakeLists.txt
// builds it with -static and -static-pie). One line carries every check, so
// the boot test matches a single pattern: argv, malloc (brk for the small
// block, mmap for the large one), clock_gettime, then exit_group(42).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char** argv) {
  char args[256] = "";
  for (int i = 0; i < argc; ++i) {
    strncat(args, i == 0 ? "" : " ", sizeof args - strlen(args) - 1);
    strncat(args, argv[i], sizeof args - strlen(args) - 1);
  }
  char* small = malloc(100);
  char* big = malloc(1 << 20);  // above the mmap threshold
  const char* heap = "failed";
  if (small != NULL && big != NULL) {
    memset(big, 'x', 1 << 20);
    strcpy(small, "ok");
    if (big[(1 << 20) - 1] == 'x') heap = small;
  }
  struct timespec ts;
  const char* clock = "failed";
  if (clock_gettime(CLOCK_REALTIME, &ts) == 0) clock = ts.tv_sec > 1577836800 ? "plausible" : "implausible";
  printf("hello from ring 3: argc=%d argv=[%s] malloc=%s clock=%s\n", argc, args, heap, clock);
  exit(42);
}
