// fd_read on stdin, fd_write on stdout and stderr: copies stdin to stdout.
#include <unistd.h>

#include "wasi_test.h"

int main(void) {
  char buf[7];  // small, so the copy takes many calls
  long total = 0;
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0) {
      perror("read");
      return 2;
    }
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(1, buf + done, (size_t)(n - done));
      if (w <= 0) return 3;
      done += w;
    }
    total += n;
  }
  dprintf(2, "stderr works\n");
  printf("copied %ld bytes\n", total);
  TEST_DONE();
}
