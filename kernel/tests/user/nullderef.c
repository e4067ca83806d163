// Dereferences NULL: the kernel must report SIGSEGV at address 0x0 and halt
// with 139 (128 + SIGSEGV), never hang.
#include <stdio.h>

int main(void) {
  puts("about to dereference NULL");
  fflush(stdout);
  return *(volatile int*)0;
}
