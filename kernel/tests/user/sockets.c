// A static glibc program for the kernel's socket tests (kernel/tests/socket_test.py boots it in
// a cpio initrd and drives it from the host). Everything runs in one thread, as the kernel has
// one.
//   sockets local
//       the checks that need no host: errors, options, TCP and UDP over 127.0.0.1 (blocking and
//       non-blocking), epoll (level, edge, one-shot), eventfd, poll, select, getaddrinfo.
//   sockets run host=ADDR tcp=PORT udp=PORT closed=PORT [dns=NAME,ADDRESS] [redis=PORT]
//       the local checks; then the client checks against the host's servers (TCP echo at
//       ADDR:tcp, UDP echo at ADDR:udp, nothing at ADDR:closed: ECONNREFUSED; with dns=,
//       getaddrinfo(NAME) must give ADDRESS through the DNS server; with redis=, SET and GET
//       against a Redis server the way silk's key-value client talks to it); then the echo
//       servers the host drives through port forwards: TCP 7001 (epoll level-triggered),
//       TCP 7002 (edge-triggered), UDP 7003. A connection that starts with "QUIT" stops them.
// Each check prints "ok N - ..." or "FAIL N - ..."; the end is "sockets: N passed, M failed"
// (and, after the servers, "sockets: served ..."); the exit status is 0 when nothing failed.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct sockaddr_in address(const char* ip, int port) {
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

static int port_of(int fd) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  if (getsockname(fd, (struct sockaddr*)&a, &len) != 0) return -1;
  return ntohs(a.sin_port);
}

static void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Waits for {events} on {fd} up to {ms}; the revents (0 on a timeout).
static int wait_fd(int fd, short events, int ms) {
  struct pollfd p = {fd, events, 0};
  return poll(&p, 1, ms) == 1 ? p.revents : 0;
}

// A listening TCP socket on 127.0.0.1 at a free port.
static int loopback_listener(int backlog) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = address("127.0.0.1", 0);
  if (fd < 0 || bind(fd, (struct sockaddr*)&a, sizeof a) != 0 || listen(fd, backlog) != 0) return -1;
  return fd;
}

// A connected pair over 127.0.0.1 (client, server), both blocking. Blocking connect works in
// one thread: lwIP's listener completes the handshake while connect waits.
static int loopback_pair(int* client, int* server) {
  int l = loopback_listener(4);
  if (l < 0) return -1;
  struct sockaddr_in a = address("127.0.0.1", port_of(l));
  *client = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(*client, (struct sockaddr*)&a, sizeof a) != 0) return -1;
  *server = accept(l, NULL, NULL);
  close(l);
  return *server >= 0 ? 0 : -1;
}

static int read_full(int fd, void* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, (char*)buf + got, n - got);
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  return 0;
}

// ---- local checks ------------------------------------------------------------------------------

static void test_errors(void) {
  check_errno(socket(AF_INET6, SOCK_STREAM, 0), EAFNOSUPPORT, "socket(AF_INET6): EAFNOSUPPORT");
  check_errno(socket(AF_UNIX, SOCK_STREAM, 0), EAFNOSUPPORT, "socket(AF_UNIX): EAFNOSUPPORT");
  check_errno(socket(AF_INET, SOCK_STREAM | 0x100000, 0), EINVAL, "socket with unknown flags: EINVAL");
  check_errno(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT, "TCP with IPPROTO_UDP: EPROTONOSUPPORT");
  check_errno(socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT, "SOCK_SEQPACKET: ESOCKTNOSUPPORT");
  int sv[2];
  check_errno(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), EAFNOSUPPORT, "socketpair(AF_UNIX): EAFNOSUPPORT");
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  check_errno(getsockname(1, (struct sockaddr*)&a, &len), ENOTSOCK, "getsockname on the console: ENOTSOCK");
  check_errno(getsockname(999, (struct sockaddr*)&a, &len), EBADF, "getsockname on a closed fd: EBADF");

  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  check(s >= 3 && (fcntl(s, F_GETFD) & FD_CLOEXEC) != 0, "socket(SOCK_STREAM | SOCK_CLOEXEC)");
  struct stat st;
  check(fstat(s, &st) == 0 && S_ISSOCK(st.st_mode), "fstat: S_IFSOCK");
  check_errno(lseek(s, 0, SEEK_CUR), ESPIPE, "lseek on a socket: ESPIPE");
  struct pollfd p = {s, POLLIN | POLLOUT, 0};
  check(poll(&p, 1, 0) == 1 && p.revents == (POLLOUT | POLLHUP), "a new socket polls POLLOUT|POLLHUP (as Linux)");
  check_errno(send(s, "x", 1, MSG_NOSIGNAL), EPIPE, "send on an unconnected TCP socket: EPIPE");
  char c;
  check_errno(recv(s, &c, 1, 0), ENOTCONN, "recv on an unconnected TCP socket: ENOTCONN");
  check_errno(shutdown(s, SHUT_WR), ENOTCONN, "shutdown of an unconnected socket: ENOTCONN");
  check_errno(accept(s, NULL, NULL), EINVAL, "accept on a socket that does not listen: EINVAL");
  check_errno(getpeername(s, (struct sockaddr*)&a, &len), ENOTCONN, "getpeername unconnected: ENOTCONN");
  a = address("10.9.9.9", 0);
  check_errno(bind(s, (struct sockaddr*)&a, sizeof a), EADDRNOTAVAIL, "bind to a foreign address: EADDRNOTAVAIL");
  check_errno(bind(s, (struct sockaddr*)&a, 8), EINVAL, "bind with a short address: EINVAL");
  a = address("0.0.0.0", 0);
  check(bind(s, (struct sockaddr*)&a, sizeof a) == 0 && port_of(s) > 0, "bind to port 0 picks a port");
  check_errno(bind(s, (struct sockaddr*)&a, sizeof a), EINVAL, "bind twice: EINVAL");
  int t = socket(AF_INET, SOCK_STREAM, 0);
  a = address("0.0.0.0", port_of(s));
  check_errno(bind(t, (struct sockaddr*)&a, sizeof a), EADDRINUSE, "bind to a port in use: EADDRINUSE");
  close(t);
  close(s);

  int u = socket(AF_INET, SOCK_DGRAM, 0);
  check_errno(listen(u, 1), EOPNOTSUPP, "listen on UDP: EOPNOTSUPP");
  check_errno(send(u, "x", 1, 0), EDESTADDRREQ, "send on an unconnected UDP socket: EDESTADDRREQ");
  check_errno(recv(u, &c, 1, MSG_DONTWAIT), EAGAIN, "recv(MSG_DONTWAIT) with nothing queued: EAGAIN");
  close(u);
}

static void test_options(void) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  int v = -1;
  socklen_t len = sizeof v;
  check(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == SOCK_STREAM && len == 4, "SO_TYPE");
  len = sizeof v;
  check(getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &len) == 0 && v == 0, "SO_ERROR of a new socket is 0");
  int one = 1;
  check(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0, "SO_REUSEADDR");
  check(setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) == 0, "SO_REUSEPORT is accepted");
  check(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) == 0, "SO_KEEPALIVE");
  len = sizeof v;
  check(getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, &len) == 0 && v == 1, "SO_KEEPALIVE reads back");
  check(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0, "TCP_NODELAY");
  len = sizeof v;
  check(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0 && v == 1, "TCP_NODELAY reads back");
  int idle = 30;
  check(setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle) == 0, "TCP_KEEPIDLE");
  len = sizeof v;
  check(getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &len) == 0 && v > 0, "SO_RCVBUF is reported");
  int size = 100000;
  len = sizeof v;
  check(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &size, sizeof size) == 0 &&
            getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &len) == 0 && v == 200000,
        "SO_SNDBUF is doubled (as Linux)");
  struct linger lg = {1, 5}, lg2;
  len = sizeof lg2;
  check(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0 &&
            getsockopt(s, SOL_SOCKET, SO_LINGER, &lg2, &len) == 0 && lg2.l_onoff == 1 && lg2.l_linger == 5,
        "SO_LINGER");
  struct timeval tv = {1, 500000}, tv2;
  len = sizeof tv2;
  check(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0 &&
            getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv2, &len) == 0 && tv2.tv_sec == 1 && tv2.tv_usec == 500000,
        "SO_RCVTIMEO");
  check_errno(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, 2), EINVAL, "an int option shorter than 4: EINVAL");
  check_errno(setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one), ENOPROTOOPT,
              "setsockopt(IPPROTO_IPV6): ENOPROTOOPT");
  len = sizeof v;
  check_errno(getsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v, &len), EOPNOTSUPP,
              "getsockopt(IPPROTO_IPV6): EOPNOTSUPP (as Linux)");
  check_errno(setsockopt(s, SOL_SOCKET, 9999, &one, sizeof one), ENOPROTOOPT, "an unknown option: ENOPROTOOPT");
  int flags = fcntl(s, F_GETFL);
  check((flags & O_ACCMODE) == O_RDWR && (flags & O_NONBLOCK) == 0, "fcntl(F_GETFL): O_RDWR");
  check(fcntl(s, F_SETFL, flags | O_NONBLOCK) == 0 && (fcntl(s, F_GETFL) & O_NONBLOCK) != 0,
        "fcntl(F_SETFL, O_NONBLOCK)");
  close(s);
}

static volatile sig_atomic_t sigpipes;
static void on_sigpipe(int sig) {
  (void)sig;
  ++sigpipes;
}

// A write (without MSG_NOSIGNAL) to a socket that cannot send raises SIGPIPE.
static void test_sigpipe(int fd) {
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigpipe;
  check(sigaction(SIGPIPE, &sa, &old) == 0, "sigaction(SIGPIPE)");
  sigpipes = 0;
  check_errno(write(fd, "x", 1), EPIPE, "write after SHUT_WR: EPIPE");
  check(sigpipes == 1, "and SIGPIPE");
  check_errno(send(fd, "x", 1, MSG_NOSIGNAL), EPIPE, "MSG_NOSIGNAL: no SIGPIPE");
  check(sigpipes == 1, "(none raised)");
  sigaction(SIGPIPE, &old, NULL);
}

static void test_tcp_loopback(void) {
  int l = loopback_listener(8);
  check(l >= 0 && port_of(l) > 0, "listen on 127.0.0.1, port from getsockname");
  int v;
  socklen_t len = sizeof v;
  check(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v == 1, "SO_ACCEPTCONN");
  set_nonblocking(l);
  check_errno(accept(l, NULL, NULL), EAGAIN, "accept with nothing queued (O_NONBLOCK): EAGAIN");

  // Non-blocking connect: EINPROGRESS, then POLLOUT and SO_ERROR 0.
  int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in a = address("127.0.0.1", port_of(l));
  check_errno(connect(c, (struct sockaddr*)&a, sizeof a), EINPROGRESS, "non-blocking connect: EINPROGRESS");
  check((wait_fd(c, POLLOUT, 2000) & POLLOUT) != 0, "the connection completes: POLLOUT");
  int err = -1;
  len = sizeof err;
  check(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0, "SO_ERROR after connecting: 0");
  check(connect(c, (struct sockaddr*)&a, sizeof a) == 0, "connect again reports the completion (as Linux)");
  check_errno(connect(c, (struct sockaddr*)&a, sizeof a), EISCONN, "and a third time EISCONN");
  check((wait_fd(l, POLLIN, 2000) & POLLIN) != 0, "the listener is readable");
  struct sockaddr_in peer;
  socklen_t plen = sizeof peer;
  int s = accept4(l, (struct sockaddr*)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
  check(s >= 0 && plen == sizeof peer && ntohs(peer.sin_port) == port_of(c) &&
            peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
        "accept4 gives the peer's address");
  check((fcntl(s, F_GETFL) & O_NONBLOCK) != 0 && (fcntl(s, F_GETFD) & FD_CLOEXEC) != 0,
        "accept4 applies SOCK_NONBLOCK | SOCK_CLOEXEC");
  struct sockaddr_in name;
  socklen_t nlen = sizeof name;
  check(getpeername(c, (struct sockaddr*)&name, &nlen) == 0 && ntohs(name.sin_port) == port_of(l),
        "getpeername");
  nlen = 4;
  check(getsockname(c, (struct sockaddr*)&name, &nlen) == 0 && nlen == sizeof name,
        "a short getsockname buffer gets the real length");

  char buf[256];
  check_errno(read(s, buf, sizeof buf), EAGAIN, "read with no data (O_NONBLOCK): EAGAIN");
  check(write(c, "hello", 5) == 5, "write");
  check((wait_fd(s, POLLIN, 2000) & POLLIN) != 0, "the other end becomes readable");
  int avail = -1;
  check(ioctl(s, FIONREAD, &avail) == 0 && avail == 5, "FIONREAD");
  check(recv(s, buf, 3, MSG_PEEK) == 3 && memcmp(buf, "hel", 3) == 0, "MSG_PEEK");
  check(read(s, buf, sizeof buf) == 5 && memcmp(buf, "hello", 5) == 0, "read after the peek gets it all");
  struct iovec iov[3] = {{"ab", 2}, {"", 0}, {"cdef", 4}};
  check(writev(c, iov, 3) == 6, "writev");
  wait_fd(s, POLLIN, 2000);
  char x[2], y[10];
  struct iovec riov[2] = {{x, 2}, {y, sizeof y}};
  check(readv(s, riov, 2) == 6 && memcmp(x, "ab", 2) == 0 && memcmp(y, "cdef", 4) == 0, "readv");
  struct msghdr msg = {0};
  struct iovec m = {"msg!", 4};
  msg.msg_iov = &m;
  msg.msg_iovlen = 1;
  check(sendmsg(c, &msg, 0) == 4, "sendmsg");
  wait_fd(s, POLLIN, 2000);
  char rbuf[8];
  struct iovec rm = {rbuf, sizeof rbuf};
  struct msghdr rmsg = {0};
  rmsg.msg_iov = &rm;
  rmsg.msg_iovlen = 1;
  rmsg.msg_controllen = 0;
  check(recvmsg(s, &rmsg, 0) == 4 && memcmp(rbuf, "msg!", 4) == 0 && rmsg.msg_flags == 0, "recvmsg");

  // 1 MiB both ways with poll, in one thread.
  enum { kBig = 1 << 20 };
  static unsigned char out[kBig], in[kBig];
  for (int i = 0; i < kBig; ++i) out[i] = (unsigned char)(i * 7 + (i >> 11));
  size_t sent = 0, got = 0;
  uint64_t start = now_ms();
  while (got < kBig && now_ms() - start < 60000) {
    struct pollfd p[2] = {{c, sent < kBig ? POLLOUT : 0, 0}, {s, POLLIN, 0}};
    if (poll(p, 2, 1000) <= 0) continue;
    if ((p[0].revents & POLLOUT) != 0) {
      ssize_t n = write(c, out + sent, kBig - sent);
      if (n > 0) sent += (size_t)n;
    }
    if ((p[1].revents & POLLIN) != 0) {
      ssize_t n = read(s, in + got, kBig - got);
      if (n > 0) got += (size_t)n;
    }
  }
  check(got == kBig && memcmp(in, out, kBig) == 0, "1 MiB over 127.0.0.1 with poll, intact");

  // Half close: EOF and POLLRDHUP on the other side, EPIPE for the closer.
  check(shutdown(c, SHUT_WR) == 0, "shutdown(SHUT_WR)");
  check((wait_fd(s, POLLIN | POLLRDHUP, 2000) & (POLLIN | POLLRDHUP)) == (POLLIN | POLLRDHUP),
        "the peer sees POLLIN|POLLRDHUP");
  check(read(s, buf, sizeof buf) == 0, "and reads the end of the stream");
  check_errno(send(c, "x", 1, MSG_NOSIGNAL), EPIPE, "send after SHUT_WR: EPIPE");
  test_sigpipe(c);
  check(write(s, "back", 4) == 4, "the other direction still works");
  check(wait_fd(c, POLLIN, 2000) != 0 && read(c, buf, sizeof buf) == 4, "the half-closed end reads it");

  // A reset (SO_LINGER {1, 0}): the peer sees ECONNRESET once, then the end.
  close(s);
  int c2 = socket(AF_INET, SOCK_STREAM, 0);
  check(connect(c2, (struct sockaddr*)&a, sizeof a) == 0, "blocking connect over 127.0.0.1");
  int s2 = -1;
  for (int i = 0; i < 100 && s2 < 0; ++i) {
    wait_fd(l, POLLIN, 100);
    s2 = accept(l, NULL, NULL);
  }
  check(s2 >= 0, "accept it");
  struct linger lg = {1, 0};
  setsockopt(c2, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  close(c2);
  int re = wait_fd(s2, POLLIN, 2000);
  check((re & (POLLERR | POLLHUP)) == (POLLERR | POLLHUP), "a reset polls POLLERR|POLLHUP");
  check_errno(read(s2, buf, sizeof buf), ECONNRESET, "read after a reset: ECONNRESET");
  check(read(s2, buf, sizeof buf) == 0, "then the end of the stream");
  check_errno(send(s2, "x", 1, MSG_NOSIGNAL), EPIPE, "send after a reset: EPIPE");
  socklen_t l2 = sizeof name;
  check_errno(getpeername(s2, (struct sockaddr*)&name, &l2), ENOTCONN, "getpeername after a reset: ENOTCONN");
  close(s2);
  close(c);

  // Refused: nothing listens there (lwIP answers the SYN with a RST).
  int probe = loopback_listener(1);
  int closed_port = port_of(probe);
  close(probe);
  struct sockaddr_in nowhere = address("127.0.0.1", closed_port);
  int r1 = socket(AF_INET, SOCK_STREAM, 0);
  check_errno(connect(r1, (struct sockaddr*)&nowhere, sizeof nowhere), ECONNREFUSED,
              "connect to a closed port: ECONNREFUSED");
  close(r1);
  int r2 = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  check_errno(connect(r2, (struct sockaddr*)&nowhere, sizeof nowhere), EINPROGRESS, "non-blocking: EINPROGRESS first");
  int rev = wait_fd(r2, POLLOUT, 2000);
  err = 0;
  len = sizeof err;
  check((rev & POLLERR) != 0 && getsockopt(r2, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == ECONNREFUSED,
        "then POLLERR and SO_ERROR ECONNREFUSED");
  len = sizeof err;
  check(getsockopt(r2, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0, "SO_ERROR is cleared by reading it");
  close(r2);

  // SO_RCVTIMEO on a blocking read.
  int c3, s3;
  check(loopback_pair(&c3, &s3) == 0, "a blocking pair");
  struct timeval tv = {0, 200000};
  setsockopt(s3, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  uint64_t t0 = now_ms();
  check_errno(read(s3, buf, sizeof buf), EAGAIN, "SO_RCVTIMEO: a blocking read times out with EAGAIN");
  uint64_t waited = now_ms() - t0;
  check(waited >= 150 && waited < 5000, "after about the timeout");
  check(send(c3, "w", 1, MSG_DONTWAIT) == 1 && recv(s3, buf, 1, MSG_WAITALL) == 1, "MSG_DONTWAIT, MSG_WAITALL");
  close(c3);
  close(s3);
  close(l);
}

static void test_udp_loopback(void) {
  int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in any = address("127.0.0.1", 0);
  check(bind(a, (struct sockaddr*)&any, sizeof any) == 0 && bind(b, (struct sockaddr*)&any, sizeof any) == 0,
        "bind two UDP sockets");
  struct sockaddr_in to = address("127.0.0.1", port_of(b));
  check(sendto(a, "datagram one", 12, 0, (struct sockaddr*)&to, sizeof to) == 12, "sendto");
  check((wait_fd(b, POLLIN, 2000) & POLLIN) != 0, "the receiver is readable");
  int avail = -1;
  check(ioctl(b, FIONREAD, &avail) == 0 && avail == 12, "FIONREAD: the next datagram's size");
  char buf[64];
  struct sockaddr_in from;
  socklen_t flen = sizeof from;
  check(recvfrom(b, buf, sizeof buf, 0, (struct sockaddr*)&from, &flen) == 12 && memcmp(buf, "datagram one", 12) == 0 &&
            ntohs(from.sin_port) == port_of(a) && flen == sizeof from,
        "recvfrom: the bytes and the source");
  check_errno(recv(b, buf, sizeof buf, 0), EAGAIN, "recv with an empty queue (O_NONBLOCK): EAGAIN");
  sendto(a, "0123456789", 10, 0, (struct sockaddr*)&to, sizeof to);
  wait_fd(b, POLLIN, 2000);
  struct msghdr msg = {0};
  struct iovec v = {buf, 4};
  msg.msg_iov = &v;
  msg.msg_iovlen = 1;
  check(recvmsg(b, &msg, 0) == 4 && (msg.msg_flags & MSG_TRUNC) != 0, "a datagram cut short: MSG_TRUNC");
  struct sockaddr_in back = address("127.0.0.1", port_of(a));
  check(connect(b, (struct sockaddr*)&back, sizeof back) == 0 && send(b, "reply", 5, 0) == 5, "connect + send");
  check(recv(a, buf, sizeof buf, 0) == 5 && memcmp(buf, "reply", 5) == 0, "the blocking receiver gets it");
  struct mmsghdr mm[2];
  struct iovec mv[2] = {{"first", 5}, {"second", 6}};
  memset(mm, 0, sizeof mm);
  for (int i = 0; i < 2; ++i) {
    mm[i].msg_hdr.msg_iov = &mv[i];
    mm[i].msg_hdr.msg_iovlen = 1;
  }
  check(sendmmsg(b, mm, 2, 0) == 2 && mm[0].msg_len == 5 && mm[1].msg_len == 6, "sendmmsg (glibc's resolver uses it)");
  char r1[16], r2[16];
  struct iovec rv[2] = {{r1, sizeof r1}, {r2, sizeof r2}};
  struct mmsghdr rm[2];
  memset(rm, 0, sizeof rm);
  for (int i = 0; i < 2; ++i) {
    rm[i].msg_hdr.msg_iov = &rv[i];
    rm[i].msg_hdr.msg_iovlen = 1;
  }
  wait_fd(a, POLLIN, 2000);
  int got = recvmmsg(a, rm, 2, MSG_WAITFORONE, NULL);
  if (got == 1) got += recvmmsg(a, rm + 1, 1, 0, NULL);
  check(got == 2 && rm[0].msg_len == 5 && rm[1].msg_len == 6 && memcmp(r2, "second", 6) == 0, "recvmmsg");
  close(a);
  close(b);
}

static void test_epoll(void) {
  int c, s;
  check(loopback_pair(&c, &s) == 0, "a pair for epoll");
  set_nonblocking(s);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  check(ep >= 0, "epoll_create1");
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1234567890ull};
  check(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev) == 0, "EPOLL_CTL_ADD");
  check_errno(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev), EEXIST, "adding it again: EEXIST");
  check_errno(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL, "adding the epoll to itself: EINVAL");
  check_errno(epoll_ctl(ep, EPOLL_CTL_DEL, c, NULL), ENOENT, "deleting what is not there: ENOENT");
  int file = open("/proc/self/exe", O_RDONLY);
  check_errno(epoll_ctl(ep, EPOLL_CTL_ADD, file, &ev), EPERM, "a regular file: EPERM");
  close(file);
  struct epoll_event out[8];
  check(epoll_wait(ep, out, 8, 0) == 0, "nothing ready: 0 at once");
  uint64_t t0 = now_ms();
  check(epoll_wait(ep, out, 8, 100) == 0 && now_ms() - t0 >= 80, "a 100 ms timeout waits");

  // Level-triggered: reported until read.
  write(c, "abc", 3);
  check(epoll_wait(ep, out, 8, 2000) == 1 && out[0].events == EPOLLIN && out[0].data.u64 == 0x1234567890ull,
        "level-triggered: EPOLLIN with the data");
  check(epoll_wait(ep, out, 8, 0) == 1, "level-triggered: again while unread");
  char buf[64];
  read(s, buf, sizeof buf);
  check(epoll_wait(ep, out, 8, 0) == 0, "level-triggered: not after the read");

  // Edge-triggered: once per arrival.
  ev.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP;
  check(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev) == 0, "EPOLL_CTL_MOD to EPOLLET");
  check(epoll_wait(ep, out, 8, 0) == 1 && out[0].events == EPOLLOUT, "edge-triggered: EPOLLOUT once after MOD");
  check(epoll_wait(ep, out, 8, 0) == 0, "edge-triggered: then nothing");
  write(c, "d", 1);
  check(epoll_wait(ep, out, 8, 2000) == 1 && (out[0].events & EPOLLIN) != 0, "edge-triggered: new data");
  check(epoll_wait(ep, out, 8, 0) == 0, "edge-triggered: not again without new data");
  write(c, "e", 1);
  check(epoll_wait(ep, out, 8, 2000) == 1 && (out[0].events & EPOLLIN) != 0,
        "edge-triggered: more data, one more event");
  check(read(s, buf, sizeof buf) == 2, "both bytes are there");

  // One-shot: disarmed after one event until MOD.
  ev.events = EPOLLIN | EPOLLONESHOT;
  epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev);
  write(c, "f", 1);
  check(epoll_wait(ep, out, 8, 2000) == 1, "one-shot: one event");
  write(c, "g", 1);
  check(epoll_wait(ep, out, 8, 50) == 0, "one-shot: none until re-armed");
  epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev);
  check(epoll_wait(ep, out, 8, 0) == 1, "one-shot: re-armed by MOD");
  read(s, buf, sizeof buf);

  // EPOLLRDHUP and EPOLLHUP.
  ev.events = EPOLLIN | EPOLLRDHUP;
  epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev);
  shutdown(c, SHUT_WR);
  check(epoll_wait(ep, out, 8, 2000) == 1 && (out[0].events & (EPOLLIN | EPOLLRDHUP)) == (EPOLLIN | EPOLLRDHUP),
        "the peer's shutdown: EPOLLIN|EPOLLRDHUP");
  shutdown(s, SHUT_WR);
  check(epoll_wait(ep, out, 8, 2000) == 1 && (out[0].events & EPOLLHUP) != 0, "both directions closed: EPOLLHUP");

  // eventfd in the same epoll; an eventfd wakes epoll_wait.
  int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  struct epoll_event eev = {.events = EPOLLIN, .data.u32 = 7};
  check(efd >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, efd, &eev) == 0, "eventfd into the epoll");
  epoll_ctl(ep, EPOLL_CTL_DEL, s, NULL);
  check(epoll_wait(ep, out, 8, 0) == 0, "an idle eventfd is not readable");
  uint64_t one = 1, count = 0;
  write(efd, &one, 8);
  write(efd, &one, 8);
  check(epoll_wait(ep, out, 8, 1000) == 1 && out[0].data.u32 == 7, "an eventfd write wakes epoll_wait");
  check(read(efd, &count, 8) == 8 && count == 2, "reading it takes the count");
  check_errno(read(efd, &count, 8), EAGAIN, "an empty non-blocking eventfd: EAGAIN");
  check_errno(read(efd, &count, 4), EINVAL, "an eventfd read of less than 8 bytes: EINVAL");
  int sem = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
  check(read(sem, &count, 8) == 8 && count == 1 && read(sem, &count, 8) == 8 && count == 1 &&
            read(sem, &count, 8) == -1,
        "EFD_SEMAPHORE counts down by one");
  close(sem);

  // Closing the only descriptor removes it from the epoll.
  int dup_efd = dup(efd);
  write(efd, &one, 8);
  close(efd);
  check(epoll_wait(ep, out, 8, 0) == 1, "a dup keeps the entry alive");
  close(dup_efd);
  check(epoll_wait(ep, out, 8, 0) == 0, "closing the last descriptor removes it");

  // signalfd exists (no signal ever arrives in this kernel yet).
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  int sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  struct signalfd_siginfo si;
  check(sfd >= 0, "signalfd");
  check_errno(read(sfd, &si, sizeof si), EAGAIN, "signalfd with nothing pending: EAGAIN");
  close(sfd);
  close(ep);
  close(c);
  close(s);
}

static void test_poll_select(void) {
  struct pollfd p[4] = {{1, POLLOUT, 0}, {-1, POLLIN, 0}, {99, POLLIN, 0}, {0, POLLOUT, 0}};
  int file = open("/proc/self/exe", O_RDONLY);
  p[3].fd = file;
  p[3].events = POLLIN | POLLOUT;
  check(poll(p, 4, 0) == 3 && p[0].revents == POLLOUT && p[1].revents == 0 && p[2].revents == POLLNVAL &&
            p[3].revents == (POLLIN | POLLOUT),
        "poll: the console, a negative fd, a closed fd, a regular file");
  close(file);
  int c, s;
  loopback_pair(&c, &s);
  fd_set rd, wr;
  FD_ZERO(&rd);
  FD_ZERO(&wr);
  FD_SET(s, &rd);
  struct timeval tv = {0, 100000};
  uint64_t t0 = now_ms();
  check(select(s + 1, &rd, NULL, NULL, &tv) == 0 && now_ms() - t0 >= 80 && !FD_ISSET(s, &rd), "select times out");
  write(c, "x", 1);
  FD_SET(s, &rd);
  FD_SET(c, &wr);
  tv.tv_sec = 2;
  check(select((s > c ? s : c) + 1, &rd, &wr, NULL, &tv) == 2 && FD_ISSET(s, &rd) && FD_ISSET(c, &wr),
        "select: readable and writable");
  FD_ZERO(&rd);
  FD_SET(77, &rd);
  check_errno(select(78, &rd, NULL, NULL, &tv), EBADF, "select on a closed fd: EBADF");
  struct timespec ts = {0, 0};
  struct pollfd q = {s, POLLIN, 0};
  check(ppoll(&q, 1, &ts, NULL) == 1 && q.revents == POLLIN, "ppoll");
  close(c);
  close(s);
}

// glibc's name service (files, dns) takes locks that need futex(2), which
// this kernel gets from the signals branch; without it those checks are
// skipped.
static int have_futex(void) {
  int word = 0;
  return syscall(SYS_futex, &word, 1 /* FUTEX_WAKE */, 1, NULL, NULL, 0) >= 0;
}

static void test_names(void) {
  struct addrinfo hints = {0}, *res = NULL;
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST;
  check(getaddrinfo("10.0.2.2", "8080", &hints, &res) == 0 && res != NULL &&
            ((struct sockaddr_in*)res->ai_addr)->sin_port == htons(8080),
        "getaddrinfo of a numeric address");
  if (res != NULL) freeaddrinfo(res);
  int r;
  if (have_futex()) {
    res = NULL;
    hints.ai_flags = 0;
    r = getaddrinfo("localhost", "80", &hints, &res);
    check(r == 0 && res != NULL && ((struct sockaddr_in*)res->ai_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK),
          "getaddrinfo(\"localhost\") from /etc/hosts");
    if (res != NULL) freeaddrinfo(res);
  } else {
    printf("skip - getaddrinfo(\"localhost\"): no futex(2) in this kernel (glibc's name service needs it)\n");
  }
  // The server's way: AF_UNSPEC with AI_PASSIVE gives addresses to try in turn.
  if (have_futex()) {
    hints.ai_family = AF_UNSPEC;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    res = NULL;
    r = getaddrinfo(NULL, "7000", &hints, &res);
    int bound = 0;
    for (struct addrinfo* ai = res; ai != NULL && !bound; ai = ai->ai_next) {
      int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
      if (fd < 0) continue;  // AF_INET6: EAFNOSUPPORT
      bound = bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 16) == 0;
      close(fd);
    }
    check(r == 0 && bound, "getaddrinfo(NULL, AI_PASSIVE): some address binds (IPv4 after IPv6 fails)");
    if (res != NULL) freeaddrinfo(res);
  } else {
    printf("skip - getaddrinfo(NULL, AI_PASSIVE): no futex(2) in this kernel\n");
  }
  int fd = open("/etc/hosts", O_RDONLY);
  check(fd >= 0, "/etc/hosts exists");
  if (fd >= 0) close(fd);
}

// ---- client checks against the host ---------------------------------------------------------------

static void test_client(const char* host, int tcp_port, int udp_port, int closed_port) {
  char text[256] = {0};
  int fd = open("/etc/resolv.conf", O_RDONLY);
  check(fd >= 0 && read(fd, text, sizeof text - 1) > 0 && strncmp(text, "nameserver ", 11) == 0,
        "/etc/resolv.conf names a server");
  if (fd >= 0) close(fd);

  struct sockaddr_in a = address(host, tcp_port);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  check(connect(c, (struct sockaddr*)&a, sizeof a) == 0, "blocking connect to the host's echo server");
  enum { kSize = 256 * 1024, kStep = 16 * 1024 };
  static unsigned char out[kSize], in[kSize];
  for (int i = 0; i < kSize; ++i) out[i] = (unsigned char)(i ^ (i >> 9));
  int ok = 1;
  for (int at = 0; at < kSize && ok; at += kStep) {
    ok = write(c, out + at, kStep) == kStep && read_full(c, in + at, kStep) == 0;
  }
  check(ok && memcmp(in, out, kSize) == 0, "256 KiB echoed by the host, intact (blocking I/O)");
  close(c);

  int n = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  check_errno(connect(n, (struct sockaddr*)&a, sizeof a), EINPROGRESS, "non-blocking connect to the host: EINPROGRESS");
  int err = -1;
  socklen_t len = sizeof err;
  check((wait_fd(n, POLLOUT, 10000) & POLLOUT) != 0 && getsockopt(n, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0,
        "it completes: POLLOUT, SO_ERROR 0");
  char buf[64];
  check(send(n, "ping", 4, 0) == 4 && wait_fd(n, POLLIN, 10000) != 0 && recv(n, buf, sizeof buf, 0) == 4,
        "a short echo over it");
  close(n);

  struct sockaddr_in nowhere = address(host, closed_port);
  int r = socket(AF_INET, SOCK_STREAM, 0);
  check_errno(connect(r, (struct sockaddr*)&nowhere, sizeof nowhere), ECONNREFUSED,
              "connect to a closed host port: ECONNREFUSED");
  close(r);
  r = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  connect(r, (struct sockaddr*)&nowhere, sizeof nowhere);
  wait_fd(r, POLLOUT, 10000);
  len = sizeof err;
  check(getsockopt(r, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == ECONNREFUSED,
        "non-blocking: SO_ERROR ECONNREFUSED");
  close(r);

  int u = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in ua = address(host, udp_port);
  int echoed = 0;
  for (int i = 0; i < 5; ++i) {
    char msg[32], got[64];
    int len_msg = snprintf(msg, sizeof msg, "udp ping %d", i);
    sendto(u, msg, (size_t)len_msg, 0, (struct sockaddr*)&ua, sizeof ua);
    if (wait_fd(u, POLLIN, 3000) == 0) continue;  // UDP may drop: five tries
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    ssize_t g = recvfrom(u, got, sizeof got, 0, (struct sockaddr*)&from, &flen);
    if (g == len_msg && memcmp(got, msg, (size_t)g) == 0 && from.sin_port == ua.sin_port) ++echoed;
  }
  check(echoed >= 4, "UDP datagrams echoed by the host");
  close(u);
}

static void test_dns(const char* name, const char* want) {
  if (!have_futex()) {
    printf("skip - getaddrinfo(\"%s\") through DNS: no futex(2) in this kernel\n", name);
    return;
  }
  struct addrinfo hints = {0}, *res = NULL;
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  int r = getaddrinfo(name, "80", &hints, &res);
  char got[INET_ADDRSTRLEN] = "(none)";
  if (r == 0 && res != NULL) inet_ntop(AF_INET, &((struct sockaddr_in*)res->ai_addr)->sin_addr, got, sizeof got);
  printf("dns: %s -> %s (%s)\n", name, got, r == 0 ? "ok" : gai_strerror(r));
  check(r == 0 && strcmp(got, want) == 0, "getaddrinfo of a name through the DNS server (UDP)");
  if (res != NULL) freeaddrinfo(res);
}

// Redis the way silk's key-value client talks to it (src/slight/keyvalue/keyvalue_redis.cc): a
// non-blocking connect finished with poll and SO_ERROR, TCP_NODELAY and SO_KEEPALIVE, RESP
// commands sent with MSG_NOSIGNAL, replies read as they come.
static int redis_command(int fd, const char* command, const char* want) {
  if (send(fd, command, strlen(command), MSG_NOSIGNAL) != (ssize_t)strlen(command)) return 0;
  char reply[256];
  size_t got = 0, n = strlen(want);
  while (got < n && wait_fd(fd, POLLIN, 10000) != 0) {
    ssize_t r = recv(fd, reply + got, sizeof reply - 1 - got, 0);
    if (r <= 0) return 0;
    got += (size_t)r;
  }
  reply[got] = '\0';
  return got == n && memcmp(reply, want, n) == 0;
}

static void test_redis(const char* host, int port) {
  struct sockaddr_in a = address(host, port);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int r = connect(fd, (struct sockaddr*)&a, sizeof a);
  int err = r == 0 ? 0 : -1;
  socklen_t len = sizeof err;
  if (r != 0 && errno == EINPROGRESS && (wait_fd(fd, POLLOUT, 10000) & POLLOUT) != 0) {
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  check(err == 0, "connect to the host's Redis (non-blocking, poll, SO_ERROR)");
  check(redis_command(fd, "*3\r\n$3\r\nSET\r\n$9\r\nsilk:test\r\n$12\r\nfrom the VM!\r\n", "+OK\r\n"), "Redis SET");
  check(redis_command(fd, "*2\r\n$3\r\nGET\r\n$9\r\nsilk:test\r\n", "$12\r\nfrom the VM!\r\n"), "Redis GET");
  close(fd);
}

// ---- the echo servers ---------------------------------------------------------------------------------

enum { kBuffer = 256 * 1024, kMaxConns = 256 };

struct conn {
  int fd;
  int edge;
  size_t head, len;  // pending bytes in buf: [head, head + len)
  int eof;           // the peer finished sending
  int started;       // bytes arrived (the first ones may say QUIT)
  unsigned char* buf;
};

static struct conn* conns[1024];
static int stop, open_conns;
static unsigned long served, echoed_bytes, datagrams, wakeups, conn_errors;

static int listen_on(int port, int edge, int ep) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = address("0.0.0.0", port);
  if (bind(fd, (struct sockaddr*)&a, sizeof a) != 0 || listen(fd, 128) != 0) return -1;
  struct epoll_event ev = {.events = EPOLLIN | (edge ? EPOLLET : 0), .data.fd = fd};
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  return fd;
}

static void conn_close(struct conn* c, int ep) {
  epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  conns[c->fd] = NULL;
  free(c->buf);
  free(c);
  --open_conns;
}

// Level-triggered connections ask for EPOLLIN while there is room and EPOLLOUT while there is
// something to send.
static void conn_rearm(struct conn* c, int ep) {
  if (c->edge) return;
  struct epoll_event ev = {.events = 0, .data.fd = c->fd};
  if (!c->eof && c->len < kBuffer) ev.events |= EPOLLIN;
  if (c->len != 0) ev.events |= EPOLLOUT;
  epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

// Moves data: reads while there is room, writes while there is data, until EAGAIN (edge mode
// needs that) or nothing moves. Returns 0 when the connection is finished.
static int conn_pump(struct conn* c, int efd) {
  for (;;) {
    int moved = 0;
    if (!c->eof && c->len < kBuffer) {
      size_t tail = (c->head + c->len) % kBuffer;
      size_t room = tail >= c->head ? kBuffer - tail : c->head - tail;
      if (room > kBuffer - c->len) room = kBuffer - c->len;
      ssize_t n = read(c->fd, c->buf + tail, room);
      if (n > 0) {
        if (!c->started && n >= 4 && memcmp(c->buf + tail, "QUIT", 4) == 0) stop = 1;
        c->started = 1;
        c->len += (size_t)n;
        moved = 1;
      } else if (n == 0) {
        c->eof = 1;
      } else if (errno != EAGAIN) {
        ++conn_errors;
        printf("sockets: read on a connection: %s\n", strerror(errno));
        return 0;
      }
    }
    if (c->len != 0) {
      size_t chunk = c->head + c->len <= kBuffer ? c->len : kBuffer - c->head;
      ssize_t n = send(c->fd, c->buf + c->head, chunk, MSG_NOSIGNAL);
      if (n > 0) {
        c->head = (c->head + (size_t)n) % kBuffer;
        c->len -= (size_t)n;
        echoed_bytes += (unsigned long)n;
        moved = 1;
      } else if (n < 0 && errno != EAGAIN) {
        ++conn_errors;
        printf("sockets: send on a connection: %s\n", strerror(errno));
        return 0;
      }
    }
    if (c->eof && c->len == 0) return 0;
    if (!moved) return 1;
    (void)efd;
  }
}

static void accept_all(int lfd, int edge, int ep, int efd) {
  for (;;) {
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN: edge mode must drain the queue
    if (fd >= 1024) {
      close(fd);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn* c = calloc(1, sizeof *c);
    c->buf = malloc(kBuffer);
    c->fd = fd;
    c->edge = edge;
    conns[fd] = c;
    ++open_conns;
    ++served;
    struct epoll_event ev = {.events = edge ? EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET : EPOLLIN, .data.fd = fd};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    uint64_t one64 = 1;
    write(efd, &one64, 8);  // the wake-up path the runtime's event loop uses
    if (!edge) return;     // level mode: the next epoll_wait reports the rest
  }
}

static void run_servers(void) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  struct epoll_event eev = {.events = EPOLLIN, .data.fd = efd};
  epoll_ctl(ep, EPOLL_CTL_ADD, efd, &eev);
  int lt = listen_on(7001, 0, ep), et = listen_on(7002, 1, ep);
  int udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in ua = address("0.0.0.0", 7003);
  int udp_ok = bind(udp, (struct sockaddr*)&ua, sizeof ua) == 0;
  struct epoll_event uev = {.events = EPOLLIN, .data.fd = udp};
  epoll_ctl(ep, EPOLL_CTL_ADD, udp, &uev);
  check(lt >= 0 && et >= 0 && udp_ok, "the echo servers listen on 7001 (level), 7002 (edge), UDP 7003");
  printf("sockets: servers listening\n");
  fflush(stdout);
  uint64_t start = now_ms();
  while (!stop && now_ms() - start < 900000) {
    struct epoll_event evs[64];
    int n = epoll_wait(ep, evs, 64, 1000);
    for (int i = 0; i < n; ++i) {
      int fd = evs[i].data.fd;
      if (fd == lt || fd == et) {
        accept_all(fd, fd == et, ep, efd);
      } else if (fd == efd) {
        uint64_t count;
        if (read(efd, &count, 8) == 8) wakeups += count;
      } else if (fd == udp) {
        for (;;) {
          char buf[2048];
          struct sockaddr_in from;
          socklen_t flen = sizeof from;
          ssize_t g = recvfrom(udp, buf, sizeof buf, 0, (struct sockaddr*)&from, &flen);
          if (g < 0) break;
          sendto(udp, buf, (size_t)g, 0, (struct sockaddr*)&from, flen);
          ++datagrams;
        }
      } else if (fd >= 0 && fd < 1024 && conns[fd] != NULL) {
        struct conn* c = conns[fd];
        if (!conn_pump(c, efd)) {
          conn_close(c, ep);
        } else {
          conn_rearm(c, ep);
        }
      }
    }
  }
  check(stop, "the servers were told to stop");
  check(wakeups == served, "every accept woke the loop through the eventfd");
  check(conn_errors == 0, "no connection ended with an error");
  printf("sockets: served %lu connections, %lu bytes echoed, %lu datagrams; %lu errors, %d still open\n", served,
         echoed_bytes, datagrams, conn_errors, open_conns);
}

// The value of "{key}=..." among the arguments, or NULL.
static const char* option(int argc, char** argv, const char* key) {
  size_t n = strlen(key);
  for (int i = 2; i < argc; ++i) {
    if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=') return argv[i] + n + 1;
  }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: sockets local | sockets run host=ADDR tcp=PORT udp=PORT closed=PORT [dns=NAME,ADDRESS] "
                    "[redis=PORT]\n");
    return 2;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  test_errors();
  test_options();
  test_tcp_loopback();
  test_udp_loopback();
  test_epoll();
  test_poll_select();
  test_names();
  const char* host = option(argc, argv, "host");
  if (strcmp(argv[1], "run") == 0 && host != NULL) {
    const char* tcp = option(argc, argv, "tcp");
    const char* udp = option(argc, argv, "udp");
    const char* closed = option(argc, argv, "closed");
    test_client(host, tcp ? atoi(tcp) : 0, udp ? atoi(udp) : 0, closed ? atoi(closed) : 0);
    const char* dns = option(argc, argv, "dns");
    if (dns != NULL && strchr(dns, ',') != NULL) {
      char name[256];
      snprintf(name, sizeof name, "%.*s", (int)(strchr(dns, ',') - dns), dns);
      test_dns(name, strchr(dns, ',') + 1);
    }
    const char* redis = option(argc, argv, "redis");
    if (redis != NULL) test_redis(host, atoi(redis));
    run_servers();
  }
  printf("sockets: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
