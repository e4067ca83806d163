// TCP sockets over lwIP's raw API (net/socket.h has the rules). A socket
// owns its PCB until the connection is reset (lwIP frees it and calls
// on_err), until both directions are closed (then it is handed to lwIP with
// tcp_close, because lwIP frees TIME-WAIT PCBs without telling anyone), or
// until the file is closed. A PCB that is handed over first loses its
// callbacks, so lwIP never calls into a freed socket.

#include "event/poll_bits.h"
#include "event/wait.h"
#include "lib/errno.h"
#include "lwip/ip.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "net/socket_impl.h"
#include "syscalls/user_iov.h"

namespace silk::kernel::net::socket {
namespace {

using event::kPollErr, event::kPollHup, event::kPollIn, event::kPollOut, event::kPollRdHup, event::kPollRdNorm,
    event::kPollWrNorm;

constexpr uint32_t kReadable = kPollIn | kPollRdNorm;
constexpr uint32_t kWritable = kPollOut | kPollWrNorm;
constexpr int kMaxBacklog = 255;  // lwIP's backlog is a u8_t

Socket* socket_of(void* arg) { return static_cast<Socket*>(arg); }

// Room to write: the same test as lwIP's netconn (a third of the buffer and
// of the segment queue free), so EPOLLOUT is not reported for a few bytes.
bool writable(const tcp_pcb* pcb) {
  return tcp_sndbuf(pcb) > TCP_SNDLOWAT && tcp_sndqueuelen(pcb) < TCP_SNDQUEUELOWAT;
}

// Opens the receive window by {n} bytes (tcp_recved takes a u16_t).
void recved(tcp_pcb* pcb, uint64_t n) {
  while (n != 0) {
    u16_t step = n > 0xffff ? 0xffff : static_cast<u16_t>(n);
    tcp_recved(pcb, step);
    n -= step;
  }
}

// Takes the callbacks off a connection PCB that is being let go.
void detach(tcp_pcb* pcb) {
  tcp_arg(pcb, nullptr);
  tcp_recv(pcb, nullptr);
  tcp_sent(pcb, nullptr);
  tcp_err(pcb, nullptr);
}

err_t on_recv(void* arg, tcp_pcb* pcb, pbuf* p, err_t err);
err_t on_sent(void* arg, tcp_pcb* pcb, u16_t len);
void on_err(void* arg, err_t err);

void attach(Socket* s, tcp_pcb* pcb) {
  s->tcp = pcb;
  tcp_arg(pcb, s);
  tcp_recv(pcb, on_recv);
  tcp_sent(pcb, on_sent);
  tcp_err(pcb, on_err);
}

// Both directions are closed (our FIN queued, the peer's received): hands
// the PCB to lwIP, which finishes the handshake and frees it. Unread data
// stays readable in the socket. ERR_ABRT when it had to abort instead.
err_t finish(Socket* s) {
  tcp_pcb* pcb = s->tcp;
  refresh_names(s);
  s->tcp = nullptr;
  s->state = TcpState::kDone;
  detach(pcb);
  recved(pcb, s->rx_bytes);  // unread bytes are no reason for a reset here
  if (tcp_close(pcb) != ERR_OK) {
    tcp_abort(pcb);
    return ERR_ABRT;
  }
  return ERR_OK;
}

// Appends a received chain as single pbufs (a chain's tot_len is a u16_t,
// so the queue cannot be one chain).
void append(Socket* s, pbuf* p) {
  while (p != nullptr) {
    pbuf* next = p->next;
    p->next = nullptr;
    p->tot_len = p->len;
    if (p->len == 0) {
      pbuf_free(p);
    } else {
      s->rx_bytes += p->len;
      (s->rx_tail != nullptr ? s->rx_tail->next : s->rx_head) = p;
      s->rx_tail = p;
    }
    p = next;
  }
}

void drop_queue(Socket* s) {
  while (s->rx_head != nullptr) {
    pbuf* p = s->rx_head;
    s->rx_head = p->next;
    p->next = nullptr;
    pbuf_free(p);
  }
  s->rx_tail = nullptr;
  s->rx_offset = 0;
  s->rx_bytes = 0;
}

// Copies up to what {out} holds from the queue; consumes it unless {peek}.
// Returns the bytes copied.
uint64_t take(Socket* s, syscalls::UserIov* out, bool peek) {
  uint64_t copied = 0;
  pbuf* p = s->rx_head;
  uint32_t offset = s->rx_offset;
  while (p != nullptr && out->remaining() != 0) {
    uint64_t n = p->len - offset;
    uint64_t moved = out->copy_out(static_cast<uint8_t*>(p->payload) + offset, n);
    copied += moved;
    if (moved < n) {
      offset += static_cast<uint32_t>(moved);
      break;
    }
    p = p->next;
    offset = 0;
    if (!peek) {
      pbuf* done = s->rx_head;
      s->rx_head = p;
      done->next = nullptr;
      pbuf_free(done);
    }
  }
  if (!peek) {
    if (s->rx_head == nullptr) s->rx_tail = nullptr;
    s->rx_offset = s->rx_head != nullptr ? offset : 0;
    s->rx_bytes -= copied;
    if (s->tcp != nullptr) recved(s->tcp, copied);
  }
  return copied;
}

err_t on_recv(void* arg, tcp_pcb* pcb, pbuf* p, err_t) {
  Socket* s = socket_of(arg);
  if (s == nullptr) {  // not reached: a detached PCB has no callbacks
    if (p != nullptr) {
      tcp_recved(pcb, p->tot_len);
      pbuf_free(p);
    }
    return ERR_OK;
  }
  if (p == nullptr) {  // the peer's FIN
    s->peer_fin = true;
    err_t r = s->shut_wr ? finish(s) : ERR_OK;
    event::notify(s->file, kReadable | kPollRdHup);
    return r;
  }
  if (s->shut_rd) {  // shutdown(SHUT_RD): acknowledged and dropped
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
  }
  append(s, p);
  event::notify(s->file, kReadable);
  return ERR_OK;
}

err_t on_sent(void* arg, tcp_pcb* pcb, u16_t) {
  Socket* s = socket_of(arg);
  if (s != nullptr && writable(pcb)) event::notify(s->file, kWritable);
  return ERR_OK;
}

// The PCB is already freed (a reset, a timeout, or the end of a close).
void on_err(void* arg, err_t err) {
  Socket* s = socket_of(arg);
  if (s == nullptr) return;
  bool connecting = s->state == TcpState::kConnecting;
  s->tcp = nullptr;
  s->state = TcpState::kDone;
  s->closed = true;
  int e;
  switch (err) {
    case ERR_RST:
      // Linux's tcp_reset: after the peer's FIN (CLOSE-WAIT) a reset is EPIPE.
      e = connecting ? err::kConnrefused : s->peer_fin ? err::kPipe : err::kConnreset;
      break;
    case ERR_ABRT:  // retransmissions or keepalive probes ran out
      e = err::kTimedout;
      break;
    case ERR_CLSD:  // closed both ways (our FIN after theirs was acknowledged)
      e = connecting ? err::kConnrefused : 0;
      break;
    default:
      e = err::kConnaborted;
      break;
  }
  if (e != 0) s->error = e;
  event::notify(s->file, kReadable | kWritable | kPollErr | kPollHup | kPollRdHup);
}

err_t on_connected(void* arg, tcp_pcb*, err_t) {
  Socket* s = socket_of(arg);
  if (s == nullptr) return ERR_OK;
  s->state = TcpState::kConnected;
  refresh_names(s);
  event::notify(s->file, kWritable);
  return ERR_OK;
}

err_t on_accept(void* arg, tcp_pcb* pcb, err_t err) {
  Socket* l = socket_of(arg);
  if (err != ERR_OK || pcb == nullptr || l == nullptr || l->state != TcpState::kListening) return ERR_VAL;
  Socket* c = new_socket(kSockStream);
  if (c == nullptr) {
    tcp_arg(pcb, nullptr);  // lwIP aborts it
    return ERR_MEM;
  }
  // What an accepted socket inherits from its listener on Linux.
  c->reuseaddr = l->reuseaddr;
  c->keepalive = l->keepalive;
  c->nodelay = l->nodelay;
  c->linger_on = l->linger_on;
  c->linger_s = l->linger_s;
  c->sndbuf = l->sndbuf;
  c->rcvbuf = l->rcvbuf;
  c->rcvtimeo_ns = l->rcvtimeo_ns;
  c->sndtimeo_ns = l->sndtimeo_ns;
  c->keep_idle_s = l->keep_idle_s;
  c->keep_intvl_s = l->keep_intvl_s;
  c->keep_cnt = l->keep_cnt;
  c->tos = l->tos;
  c->ttl = l->ttl;
  c->state = TcpState::kConnected;
  attach(c, pcb);
  stream_apply_options(c);
  refresh_names(c);
  // It counts against the backlog until accept() takes it (Linux's queue).
  tcp_backlog_delayed(pcb);
  (l->accept_tail != nullptr ? l->accept_tail->accept_next : l->accept_head) = c;
  l->accept_tail = c;
  ++l->accept_count;
  event::notify(l->file, kReadable);
  return ERR_OK;
}

// Closes a listener: the PCB and every connection nobody accepted.
void close_listener(Socket* s) {
  if (s->tcp != nullptr) {
    tcp_arg(s->tcp, nullptr);
    tcp_accept(s->tcp, nullptr);
    tcp_close(s->tcp);  // always succeeds for a listening PCB
    s->tcp = nullptr;
  }
  while (s->accept_head != nullptr) {
    Socket* c = s->accept_head;
    s->accept_head = c->accept_next;
    if (c->tcp != nullptr) {
      detach(c->tcp);
      tcp_abort(c->tcp);
    }
    drop_queue(c);
    free_socket(c);
  }
  s->accept_tail = nullptr;
  s->accept_count = 0;
}

// Waits for the connection to leave SYN-SENT; false on the deadline.
bool wait_connected(Socket* s, uint64_t deadline) {
  while (s->state == TcpState::kConnecting) {
    if (!event::wait_step(deadline)) return false;
  }
  return true;
}

}  // namespace

bool stream_open(Socket* s) {
  tcp_pcb* pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
  if (pcb == nullptr) return false;
  attach(s, pcb);
  stream_apply_options(s);
  return true;
}

void stream_apply_options(Socket* s) {
  tcp_pcb* pcb = s->tcp;
  if (pcb == nullptr) return;
  s->reuseaddr ? ip_set_option(pcb, SOF_REUSEADDR) : ip_reset_option(pcb, SOF_REUSEADDR);
  s->keepalive ? ip_set_option(pcb, SOF_KEEPALIVE) : ip_reset_option(pcb, SOF_KEEPALIVE);
  pcb->tos = s->tos;
  pcb->ttl = s->ttl;
  if (s->state == TcpState::kListening) return;  // the rest lives in full PCBs only
  if (s->nodelay) {
    tcp_nagle_disable(pcb);
  } else {
    tcp_nagle_enable(pcb);
  }
  pcb->keep_idle = s->keep_idle_s * 1000u;
  pcb->keep_intvl = s->keep_intvl_s * 1000u;
  pcb->keep_cnt = s->keep_cnt;
}

int64_t stream_bind(Socket* s, const SockAddrIn& a) {
  if (s->tcp == nullptr || s->state != TcpState::kIdle) return -err::kInval;
  ip_addr_t ip = to_ip(a.addr);
  if (int64_t r = from_err(tcp_bind(s->tcp, &ip, lwip_ntohs(a.port))); r != 0) return r;
  refresh_names(s);
  s->bound = true;
  return 0;
}

int64_t stream_listen(Socket* s, int backlog) {
  // Linux allows backlog + 1 queued connections (sk_acceptq_is_full).
  int limit = backlog < 0 ? 1 : backlog >= kMaxBacklog ? kMaxBacklog : backlog + 1;
  if (s->state == TcpState::kListening) {
    if (s->tcp == nullptr) return -err::kInval;  // shut down
    tcp_backlog_set(s->tcp, static_cast<u8_t>(limit));
    return 0;
  }
  if (s->state != TcpState::kIdle || s->tcp == nullptr) return -err::kInval;
  if (!s->bound) {
    ip_addr_t any = to_ip(0);
    if (int64_t r = from_err(tcp_bind(s->tcp, &any, 0)); r != 0) return r;
  }
  err_t e = ERR_OK;
  tcp_pcb* listener = tcp_listen_with_backlog_and_err(s->tcp, static_cast<u8_t>(limit), &e);
  if (listener == nullptr) return e == ERR_MEM ? -err::kNomem : from_err(e);
  // lwIP freed the old PCB; the listener keeps its callback argument.
  s->tcp = listener;
  s->state = TcpState::kListening;
  tcp_arg(listener, s);
  tcp_accept(listener, on_accept);
  refresh_names(s);
  return 0;
}

int64_t stream_accept(Socket* s, bool nonblock, fs::File** out, SockAddrIn* peer) {
  if (s->state != TcpState::kListening || s->tcp == nullptr) return -err::kInval;
  if (s->accept_head == nullptr) {
    if (nonblocking(s, 0)) {
      event::poll_now();
    } else {
      uint64_t deadline = deadline_for(s->rcvtimeo_ns);
      while (s->accept_head == nullptr && s->tcp != nullptr) {
        if (!event::wait_step(deadline)) break;
      }
    }
    if (s->accept_head == nullptr) return s->tcp == nullptr ? -err::kInval : -err::kAgain;
  }
  Socket* c = s->accept_head;
  fs::File* file = wrap(c, nonblock);
  if (file == nullptr) return -err::kNomem;  // it stays queued
  s->accept_head = c->accept_next;
  if (s->accept_head == nullptr) s->accept_tail = nullptr;
  c->accept_next = nullptr;
  --s->accept_count;
  if (c->tcp != nullptr) tcp_backlog_accepted(c->tcp);
  *peer = SockAddrIn{};
  peer->family = kAfInet;
  peer->addr = c->remote_addr;
  peer->port = lwip_htons(c->remote_port);
  *out = file;
  return 0;
}

int64_t stream_connect(Socket* s, const SockAddrIn& a, bool nonblock) {
  if (s->in_progress && s->state != TcpState::kConnecting) {
    // Linux's SS_CONNECTING: the first connect() after a non-blocking one
    // finished reports how it ended (0, or its error) and resets the state.
    s->in_progress = false;
    if (s->state == TcpState::kConnected) return 0;
    int64_t e = take_error(s);
    return e != 0 ? e : -err::kConnaborted;
  }
  switch (s->state) {
    case TcpState::kListening:
    case TcpState::kConnected:
      return -err::kIsconn;
    case TcpState::kConnecting:
      if (nonblock) return -err::kAlready;
      if (!wait_connected(s, deadline_for(s->sndtimeo_ns))) return -err::kInprogress;
      s->in_progress = false;
      return s->state == TcpState::kConnected ? 0 : take_error(s);
    case TcpState::kDone:
      if (!s->closed) return -err::kIsconn;  // still closing
      [[fallthrough]];
    case TcpState::kIdle:
      break;
  }
  if (s->tcp == nullptr) {  // a failed attempt or a reset before: a fresh PCB (Linux allows retrying)
    if (!stream_open(s)) return -err::kNobufs;
    s->state = TcpState::kIdle;
    s->bound = false;
    drop_queue(s);
  }
  s->error = 0;
  s->peer_fin = s->shut_rd = s->shut_wr = s->closed = s->in_progress = false;
  // Linux connects INADDR_ANY to the loopback address.
  ip_addr_t ip = to_ip(a.addr != 0 ? a.addr : lwip_htonl(0x7f000001));
  if (int64_t r = from_err(tcp_connect(s->tcp, &ip, lwip_ntohs(a.port), on_connected)); r != 0) return r;
  s->state = TcpState::kConnecting;
  refresh_names(s);
  if (!nonblock && wait_connected(s, deadline_for(s->sndtimeo_ns))) {
    return s->state == TcpState::kConnected ? 0 : take_error(s);
  }
  s->in_progress = true;
  return -err::kInprogress;
}

int64_t stream_send(Socket* s, const fs::IoVec* iov, uint64_t count, int flags) {
  syscalls::UserIov in(iov, count, false);
  bool nonblock = nonblocking(s, flags);
  if (s->state == TcpState::kConnecting) {
    if (nonblock) return -err::kAgain;
    if (!wait_connected(s, deadline_for(s->sndtimeo_ns))) return -err::kAgain;
  }
  uint64_t deadline = 0;  // computed when first needed
  bool polled = false;
  for (;;) {
    // An error or a shutdown after some bytes went: those bytes are the
    // result and the error waits for the next call (as Linux).
    if (s->error != 0) return syscalls::partial_result(in.done(), take_error(s));
    if (s->shut_wr || s->tcp == nullptr || s->state != TcpState::kConnected) {
      return syscalls::partial_result(in.done(), broken_pipe(flags));  // never connected too (Linux)
    }
    if (in.remaining() == 0) break;
    tcp_pcb* pcb = s->tcp;
    uint64_t room = tcp_sndbuf(pcb);  // at most 0xffff: tcp_write takes a u16_t
    uint8_t* data;
    uint64_t len;
    if (room != 0 && tcp_sndqueuelen(pcb) < TCP_SND_QUEUELEN - 1 && in.peek(room, &data, &len)) {
      u8_t write_flags = TCP_WRITE_FLAG_COPY;
      if (len < in.remaining() || (flags & kMsgMore) != 0 || s->cork) write_flags |= TCP_WRITE_FLAG_MORE;
      err_t e = tcp_write(pcb, data, static_cast<u16_t>(len), write_flags);
      if (e == ERR_OK) {
        in.advance(len);
        continue;
      }
      if (e != ERR_MEM) return syscalls::partial_result(in.done(), from_err(e));
    } else if (in.faulted()) {
      break;
    }
    // The send buffer is full: push what is queued and wait for ACKs.
    tcp_output(pcb);
    if (nonblock) {
      if (polled || in.done() != 0) break;
      polled = true;
      event::poll_now();
      continue;
    }
    if (deadline == 0) deadline = deadline_for(s->sndtimeo_ns);
    if (!event::wait_step(deadline)) break;
  }
  if (s->tcp != nullptr && (flags & kMsgMore) == 0 && !s->cork) tcp_output(s->tcp);
  if (in.done() != 0 || in.remaining() == 0) return static_cast<int64_t>(in.done());
  return in.faulted() ? -err::kFault : -err::kAgain;
}

int64_t stream_recv(Socket* s, const fs::IoVec* iov, uint64_t count, int flags) {
  if (s->state == TcpState::kListening || s->state == TcpState::kIdle) return -err::kNotconn;
  syscalls::UserIov out(iov, count, true);
  bool peek = (flags & kMsgPeek) != 0;
  bool waitall = (flags & kMsgWaitall) != 0 && !peek;
  bool nonblock = nonblocking(s, flags);
  uint64_t deadline = 0;
  bool polled = false;
  uint64_t copied = 0;
  for (;;) {
    if (s->rx_bytes != 0 && out.remaining() != 0) {
      syscalls::UserIov* o = &out;
      if (peek) {  // a peek copies from the start of the queue every time
        copied = take(s, o, true);
        return copied != 0 ? static_cast<int64_t>(copied) : -err::kFault;
      }
      uint64_t moved = take(s, o, false);
      copied += moved;
      if (out.faulted()) return syscalls::partial_result(copied, -err::kFault);
      if (!waitall || out.remaining() == 0) return static_cast<int64_t>(copied);
    }
    if (out.remaining() == 0) return static_cast<int64_t>(copied);
    // Linux's order: the end of the stream (a FIN came) before an error.
    if (s->peer_fin || s->shut_rd) return static_cast<int64_t>(copied);
    if (s->error != 0) return syscalls::partial_result(copied, take_error(s));
    if (s->state == TcpState::kDone) return static_cast<int64_t>(copied);
    if (nonblock) {
      if (polled) return syscalls::partial_result(copied, -err::kAgain);
      polled = true;
      event::poll_now();
      continue;
    }
    if (deadline == 0) deadline = deadline_for(s->rcvtimeo_ns);
    if (!event::wait_step(deadline)) return syscalls::partial_result(copied, -err::kAgain);
  }
}

int64_t stream_shutdown(Socket* s, int how) {
  if (s->state == TcpState::kListening) {
    if (how != kShutWr) {  // Linux stops listening; accept() then fails
      close_listener(s);
      event::notify(s->file, kReadable | kPollHup);
    }
    return 0;
  }
  if (s->state == TcpState::kIdle || s->state == TcpState::kConnecting || s->closed) return -err::kNotconn;
  if (how != kShutWr && !s->shut_rd) {
    s->shut_rd = true;
    event::notify(s->file, kReadable | kPollRdHup);
  }
  if (how != kShutRd && !s->shut_wr) {
    s->shut_wr = true;
    if (s->tcp != nullptr) {
      if (s->peer_fin) {
        finish(s);
      } else if (tcp_shutdown(s->tcp, 0, 1) != ERR_OK) {
        // No memory for the FIN: give the connection to lwIP, which retries.
        finish(s);
      }
    }
    event::notify(s->file, kWritable | kPollHup);
  }
  return 0;
}

uint32_t stream_poll(Socket* s) {
  if (s->state == TcpState::kListening) {
    uint32_t mask = s->accept_head != nullptr ? kReadable : 0;
    return s->tcp == nullptr ? mask | kReadable | kPollHup : mask;
  }
  // Modelled on Linux's tcp_poll.
  bool done = s->state == TcpState::kDone;
  bool rd_shut = s->shut_rd || s->peer_fin || done;
  bool wr_shut = s->shut_wr || done;
  uint32_t mask = 0;
  if ((rd_shut && wr_shut) || s->state == TcpState::kIdle) mask |= kPollHup;
  if (rd_shut) mask |= kReadable | kPollRdHup;
  if (s->rx_bytes != 0) mask |= kReadable;
  if (s->state != TcpState::kConnecting) {
    if (wr_shut || s->tcp == nullptr || s->state == TcpState::kIdle || writable(s->tcp)) mask |= kWritable;
  }
  if (s->error != 0) mask |= kPollErr;
  return mask;
}

uint64_t stream_unsent(Socket* s) {
  if (s->tcp == nullptr || s->state == TcpState::kListening) return 0;
  return TCP_SND_BUF - s->tcp->snd_buf;
}

void stream_release(Socket* s) {
  if (s->state == TcpState::kListening) {
    close_listener(s);
  } else if (s->tcp != nullptr) {
    tcp_pcb* pcb = s->tcp;
    s->tcp = nullptr;
    detach(pcb);
    if (s->state == TcpState::kIdle || s->state == TcpState::kConnecting) {
      tcp_close(pcb);  // CLOSED or SYN-SENT: freed at once
    } else if (s->linger_on && s->linger_s == 0) {
      tcp_abort(pcb);  // SO_LINGER {1, 0}: reset
    } else if (tcp_close(pcb) != ERR_OK) {
      // Unread data makes tcp_close send a RST (as Linux); a missing FIN
      // segment (out of memory) makes it fail: abort then.
      tcp_abort(pcb);
    }
  }
  drop_queue(s);
}

}  // namespace silk::kernel::net::socket
