// poll_oneoff: a clock timeout with no fds, stdin readable (the driver
// feeds it), stdout writable, a regular file, timeout with a silent fd.
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "wasi_test.h"

static long long mono_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(void) {
  long long t0 = mono_ms();
  CHECK(poll(NULL, 0, 40) == 0);
  long long waited = mono_ms() - t0;
  CHECK(waited >= 39 && waited < 2000);

  struct pollfd in = {0, POLLIN, 0};
  CHECK(poll(&in, 1, 5000) == 1 && (in.revents & POLLIN));
  char buf[64] = {0};
  ssize_t n = read(0, buf, sizeof buf - 1);
  CHECK(n > 0);
  printf("stdin said: %s", buf);

  struct pollfd out = {1, POLLOUT, 0};
  CHECK(poll(&out, 1, 1000) == 1 && (out.revents & POLLOUT));

  int fd = open("p.txt", O_CREAT | O_RDWR, 0644);
  CHECK(fd >= 0 && write(fd, "abc", 3) == 3 && lseek(fd, 0, SEEK_SET) == 0);
  struct pollfd both[2] = {{fd, POLLIN, 0}, {fd, POLLOUT, 0}};
  CHECK(poll(both, 2, 1000) == 2 && (both[0].revents & POLLIN) && (both[1].revents & POLLOUT));
  close(fd);

  // stdin is at EOF now (the driver closes it): still "readable".
  struct pollfd eof = {0, POLLIN, 0};
  CHECK(poll(&eof, 1, 1000) == 1);
  TEST_DONE();
}
