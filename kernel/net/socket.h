// Sockets: AF_INET stream (TCP) and datagram (UDP) sockets over lwIP's raw
// API (net/net.h), as open files (fs/file.h: read/write/readv/writev, poll,
// FIONREAD, close) with Linux's semantics and errors. The system call layer
// (syscalls/socket_syscalls.cc) copies addresses and options in and out;
// everything here works on kernel values, except data, which moves straight
// between user iovecs and lwIP's buffers (syscalls/user_iov.h).
//
// How it runs (one CPU, no interrupts): lwIP's callbacks, inside
// net::poll(), queue received data (pbufs, released to the window with
// tcp_recved as the application reads), accepted connections, send space
// and errors in the socket and report each change with event::notify
// (event/wait.h), which drives epoll. A blocking call waits in
// event::wait_step (net::poll) until its condition holds, its timeout
// (SO_RCVTIMEO/SO_SNDTIMEO) passes (-EAGAIN) or an error arrives; a
// non-blocking one (O_NONBLOCK, MSG_DONTWAIT) runs net::poll(0) once before
// giving up with -EAGAIN (-EINPROGRESS for connect).
//
// Closing: a connection is closed gracefully (tcp_close: queued data still
// goes out, then FIN; lwIP keeps the PCB until the handshake ends), with RST
// when unread data is left (as Linux) or with SO_LINGER {1, 0}; tcp_abort
// when tcp_close fails. A listening socket aborts the connections nobody
// accepted. Writing to a connection that is shut down or reset returns
// -EPIPE (and SIGPIPE unless MSG_NOSIGNAL, as Linux)
// after reporting a pending error (-ECONNRESET) once.
//
// Not supported: AF_INET6 and AF_UNIX (-EAFNOSUPPORT: glibc and hiredis fall
// back), raw sockets, out-of-band data, control messages (ignored).
#pragma once

#include <stdint.h>

#include "fs/file.h"

namespace silk::kernel::net::socket {

// Linux's values (include/linux/socket.h, net.h, in.h).
inline constexpr int kAfUnspec = 0, kAfUnix = 1, kAfInet = 2, kAfInet6 = 10;
inline constexpr int kSockStream = 1, kSockDgram = 2, kSockRaw = 3, kSockSeqpacket = 5;
inline constexpr int kSockNonblock = 04000, kSockCloexec = 02000000;
inline constexpr int kSolSocket = 1, kIpprotoIp = 0, kIpprotoTcp = 6, kIpprotoUdp = 17, kIpprotoIpv6 = 41;
inline constexpr int kMsgOob = 0x1, kMsgPeek = 0x2, kMsgDontroute = 0x4, kMsgCtrunc = 0x8, kMsgTrunc = 0x20,
                     kMsgDontwait = 0x40, kMsgEor = 0x80, kMsgWaitall = 0x100, kMsgConfirm = 0x800,
                     kMsgNosignal = 0x4000, kMsgMore = 0x8000, kMsgWaitforone = 0x10000,
                     kMsgCmsgCloexec = 0x40000000;
inline constexpr int kShutRd = 0, kShutWr = 1, kShutRdwr = 2;

// struct sockaddr_in; port and addr in network byte order.
struct SockAddrIn {
  uint16_t family;
  uint16_t port;
  uint32_t addr;
  uint8_t zero[8];
};
static_assert(sizeof(SockAddrIn) == 16);

// socket(2) for AF_INET ({type} without the flags; {nonblock}: O_NONBLOCK
// on the file): the new open file in {out}. -EPROTONOSUPPORT (a protocol
// that does not fit the type, raw sockets), -ESOCKTNOSUPPORT, -ENOMEM;
// -EAFNOSUPPORT when the kernel has no network stack.
int64_t create(int type, int protocol, bool nonblock, fs::File** out);
bool is_socket(const fs::File* file);

// bind(2): -EINVAL (already bound), -EADDRINUSE, -EADDRNOTAVAIL (not a
// local address), -EAFNOSUPPORT.
int64_t bind(fs::File* file, const SockAddrIn& address);
// listen(2): binds an unbound socket to a free port first. -EINVAL
// (connected), -EOPNOTSUPP (UDP), -EADDRINUSE.
int64_t listen(fs::File* file, int backlog);
// accept4(2): the connection's new open file (O_NONBLOCK from {nonblock})
// and its peer. -EINVAL (not listening), -EAGAIN, -ENOMEM.
int64_t accept(fs::File* file, bool nonblock, fs::File** out, SockAddrIn* peer);
// connect(2); family AF_UNSPEC dissolves a UDP association. TCP:
// -EINPROGRESS (non-blocking; completion shows as EPOLLOUT and SO_ERROR),
// -EALREADY, -EISCONN, -ECONNREFUSED, -ETIMEDOUT, -ENETUNREACH.
int64_t connect(fs::File* file, const SockAddrIn& address);

// sendmsg/recvmsg with {flags} (MSG_*); {to} may be null (TCP ignores it),
// {from} may be null; {msg_flags} (may be null) gets MSG_TRUNC for a
// datagram that did not fit. Bytes moved, or -errno: -EAGAIN, -EPIPE,
// -ECONNRESET, -ENOTCONN, -EDESTADDRREQ, -EMSGSIZE, -EFAULT.
int64_t send(fs::File* file, const fs::IoVec* iov, uint64_t count, int flags, const SockAddrIn* to);
int64_t recv(fs::File* file, const fs::IoVec* iov, uint64_t count, int flags, SockAddrIn* from, int* msg_flags);

// shutdown(2): -EINVAL (bad how), -ENOTCONN.
int64_t shutdown(fs::File* file, int how);

// setsockopt/getsockopt with the option's bytes in kernel memory ({*len}
// in: the buffer's size, out: the bytes written). -ENOPROTOOPT (unknown
// option; setsockopt at an unknown level or IPPROTO_IPV6), -EOPNOTSUPP
// (getsockopt at an unknown level or IPPROTO_IPV6, as Linux), -EINVAL (too
// short), -EDOM (a bad timeval).
int64_t setsockopt(fs::File* file, int level, int name, const uint8_t* value, uint32_t len);
int64_t getsockopt(fs::File* file, int level, int name, uint8_t* value, uint32_t* len);

// getsockname ({peer} false) / getpeername: -ENOTCONN for a peer that is
// not there.
int64_t name(fs::File* file, bool peer, SockAddrIn* out);

}  // namespace silk::kernel::net::socket
