// The socket object shared by net/socket.cc (creation, the file operations,
// options, names), net/tcp_socket.cc and net/udp_socket.cc. Not a contract:
// only those three include it.
#pragma once

#include <stdint.h>

#include "fs/file.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "net/socket.h"

struct tcp_pcb;
struct udp_pcb;

namespace silk::kernel::net::socket {

// A received datagram: its bytes (one pbuf chain) and where it came from.
struct Datagram {
  Datagram* next;
  struct pbuf* p;
  uint32_t addr;  // network order
  uint16_t port;  // host order
};

enum class TcpState : uint8_t {
  kIdle,        // new, or connect failed: no connection yet
  kListening,
  kConnecting,  // SYN sent
  kConnected,
  kDone,  // the connection ended (reset, or closed both ways): the PCB is gone
};

struct Socket {
  fs::File* file;  // nullptr while waiting in an accept queue
  int type;        // kSockStream, kSockDgram
  int error;       // pending SO_ERROR (a positive errno), 0 for none
  bool shut_rd;    // shutdown(SHUT_RD)
  bool shut_wr;    // shutdown(SHUT_WR) (FIN queued)
  bool peer_fin;   // the peer's FIN arrived: no more data after the queue
  bool closed;     // TCP: the connection is gone for good (reset, timed out: Linux's TCP_CLOSE)
  bool in_progress;  // TCP: connect() said EINPROGRESS; the next connect() reports the outcome
  // The names (network order), refreshed from the PCB while there is one.
  uint32_t local_addr, remote_addr;
  uint16_t local_port, remote_port;  // host order
  bool bound;

  // Options (SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP) kept for getsockopt and
  // for PCBs made later.
  bool reuseaddr, reuseport, keepalive, broadcast, nodelay, cork, linger_on;
  int linger_s;
  uint32_t sndbuf, rcvbuf;             // as reported (Linux doubles what is set)
  uint64_t rcvtimeo_ns, sndtimeo_ns;   // 0: wait forever
  uint32_t keep_idle_s, keep_intvl_s, keep_cnt;
  uint8_t tos, ttl;

  // TCP.
  TcpState state;
  struct tcp_pcb* tcp;  // nullptr once lwIP freed it or we let it go
  struct pbuf* rx_head;  // received data: single pbufs (next links them, tot_len == len)
  struct pbuf* rx_tail;
  uint32_t rx_offset;    // bytes of rx_head already read
  uint64_t rx_bytes;     // unread bytes in the queue
  // Listening: connections not yet accepted (linked by accept_next).
  Socket* accept_head;
  Socket* accept_tail;
  Socket* accept_next;
  uint32_t accept_count;

  // UDP.
  struct udp_pcb* udp;
  Datagram* dg_head;
  Datagram* dg_tail;
  uint64_t dg_bytes;
  bool udp_connected;
};

// Linux's limits and defaults.
inline constexpr uint32_t kUdpBuffer = 212992;  // net.core.[rw]mem_default
inline constexpr uint64_t kMaxDatagram = 65507;

bool nonblocking(const Socket* s, int flags);
// The deadline for a blocking call given its timeout option (0: none).
uint64_t deadline_for(uint64_t timeout_ns);
// A pending error as -errno, cleared (sock_error); 0 when there is none.
int64_t take_error(Socket* s);
// Writing where the connection is gone: SIGPIPE (unless MSG_NOSIGNAL) and -EPIPE.
int64_t broken_pipe(int flags);
// lwIP's err_t as -errno.
int64_t from_err(int err);
// An AF_INET address as lwIP's, and whether it is one of this machine's.
ip_addr_t to_ip(uint32_t addr);
bool is_local(uint32_t addr);
// Copies the PCB's names into the cache.
void refresh_names(Socket* s);

// Protocol parts (tcp_socket.cc, udp_socket.cc).
bool stream_open(Socket* s);  // the PCB with its callbacks; false: out of memory
void stream_apply_options(Socket* s);
int64_t stream_bind(Socket* s, const SockAddrIn& a);
int64_t stream_listen(Socket* s, int backlog);
int64_t stream_accept(Socket* s, bool nonblock, fs::File** out, SockAddrIn* peer);
int64_t stream_connect(Socket* s, const SockAddrIn& a, bool nonblock);
int64_t stream_send(Socket* s, const fs::IoVec* iov, uint64_t count, int flags);
int64_t stream_recv(Socket* s, const fs::IoVec* iov, uint64_t count, int flags);
int64_t stream_shutdown(Socket* s, int how);
uint32_t stream_poll(Socket* s);
uint64_t stream_unsent(Socket* s);
void stream_release(Socket* s);

bool dgram_open(Socket* s);
int64_t dgram_bind(Socket* s, const SockAddrIn& a);
int64_t dgram_connect(Socket* s, const SockAddrIn& a);
int64_t dgram_send(Socket* s, const fs::IoVec* iov, uint64_t count, int flags, const SockAddrIn* to);
int64_t dgram_recv(Socket* s, const fs::IoVec* iov, uint64_t count, int flags, SockAddrIn* from, int* msg_flags);
int64_t dgram_shutdown(Socket* s, int how);
uint32_t dgram_poll(Socket* s);
uint64_t dgram_next_size(Socket* s);
void dgram_release(Socket* s);

// A new socket object with Linux's default options; nullptr when out of
// memory. Not yet a file: wrap() makes the open file.
Socket* new_socket(int type);
void free_socket(Socket* s);
// The open file of {s} (O_RDWR, O_NONBLOCK from {nonblock}); nullptr when
// out of memory (the socket is then still the caller's).
fs::File* wrap(Socket* s, bool nonblock);

}  // namespace silk::kernel::net::socket
