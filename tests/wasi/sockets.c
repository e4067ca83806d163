// sock_accept, sock_recv (with MSG_PEEK), sock_send, sock_shutdown on a
// listening socket the host hands in: argv[1] is its fd number. The driver
// connects, sends "ping", and expects "pong:ping" back, then EOF.
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wasi_test.h"

static int accept_one(int listener) {
#ifdef __wasi__
  __wasi_fd_t fd;
  return __wasi_sock_accept((__wasi_fd_t)listener, 0, &fd) == 0 ? (int)fd : -1;
#else
  return accept(listener, NULL, NULL);
#endif
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  int listener = atoi(argv[1]);
  int conn = accept_one(listener);
  CHECK(conn >= 0);
  char buf[16] = {0};
  CHECK(recv(conn, buf, 2, MSG_PEEK) == 2 && memcmp(buf, "pi", 2) == 0);
  CHECK(recv(conn, buf, 4, MSG_WAITALL) == 4 && memcmp(buf, "ping", 4) == 0);
  CHECK(send(conn, "pong:", 5, 0) == 5);
  CHECK(send(conn, buf, 4, 0) == 4);
  CHECK(shutdown(conn, SHUT_WR) == 0);
  CHECK(recv(conn, buf, sizeof buf, 0) == 0);  // the driver closed its side
  CHECK(close(conn) == 0);
  TEST_DONE();
}
