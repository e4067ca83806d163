// UDP sockets over lwIP's raw API (net/socket.h has the rules): received
// datagrams wait in a queue (at most SO_RCVBUF bytes, as Linux counts them:
// the rest is dropped), each with its source address.

#include "event/poll_bits.h"
#include "event/wait.h"
#include "lib/errno.h"
#include "lwip/ip.h"
#include "lwip/udp.h"
#include "mm/heap.h"
#include "net/socket_impl.h"
#include "syscalls/user_iov.h"

namespace silk::kernel::net::socket {
namespace {

using event::kPollErr, event::kPollHup, event::kPollIn, event::kPollOut, event::kPollRdHup, event::kPollRdNorm,
    event::kPollWrNorm;

void on_recv(void* arg, udp_pcb*, pbuf* p, const ip_addr_t* addr, u16_t port) {
  auto* s = static_cast<Socket*>(arg);
  if (s == nullptr || s->shut_rd || s->dg_bytes + p->tot_len > s->rcvbuf) {
    pbuf_free(p);  // no room: dropped, as a full Linux socket does
    return;
  }
  auto* d = static_cast<Datagram*>(mm::heap::allocate(sizeof(Datagram)));
  if (d == nullptr) {
    pbuf_free(p);
    return;
  }
  *d = Datagram{nullptr, p, ip4_addr_get_u32(ip_2_ip4(addr)), port};
  (s->dg_tail != nullptr ? s->dg_tail->next : s->dg_head) = d;
  s->dg_tail = d;
  s->dg_bytes += p->tot_len;
  event::notify(s->file, kPollIn | kPollRdNorm);
}

void drop_head(Socket* s) {
  Datagram* d = s->dg_head;
  s->dg_head = d->next;
  if (s->dg_head == nullptr) s->dg_tail = nullptr;
  s->dg_bytes -= d->p->tot_len;
  pbuf_free(d->p);
  mm::heap::release(d);
}

// Linux's rule for sending to the broadcast address without SO_BROADCAST.
bool broadcast_denied(const Socket* s, uint32_t addr) { return addr == 0xffffffffu && !s->broadcast; }

}  // namespace

bool dgram_open(Socket* s) {
  udp_pcb* pcb = udp_new_ip_type(IPADDR_TYPE_V4);
  if (pcb == nullptr) return false;
  s->udp = pcb;
  udp_recv(pcb, on_recv, s);
  pcb->ttl = s->ttl;
  return true;
}

int64_t dgram_bind(Socket* s, const SockAddrIn& a) {
  s->reuseaddr ? ip_set_option(s->udp, SOF_REUSEADDR) : ip_reset_option(s->udp, SOF_REUSEADDR);
  ip_addr_t ip = to_ip(a.addr);
  if (int64_t r = from_err(udp_bind(s->udp, &ip, lwip_ntohs(a.port))); r != 0) return r;
  refresh_names(s);
  s->bound = true;
  return 0;
}

int64_t dgram_connect(Socket* s, const SockAddrIn& a) {
  if (a.family == kAfUnspec) {  // dissolve the association
    udp_disconnect(s->udp);
    s->udp_connected = false;
    s->remote_addr = 0;
    s->remote_port = 0;
    return 0;
  }
  if (a.family != kAfInet) return -err::kAfnosupport;
  if (broadcast_denied(s, a.addr)) return -err::kAcces;
  ip_addr_t ip = to_ip(a.addr != 0 ? a.addr : lwip_htonl(0x7f000001));
  if (int64_t r = from_err(udp_connect(s->udp, &ip, lwip_ntohs(a.port))); r != 0) return r;
  s->udp_connected = true;
  refresh_names(s);
  return 0;
}

int64_t dgram_send(Socket* s, const fs::IoVec* iov, uint64_t count, int flags, const SockAddrIn* to) {
  if (s->shut_wr) return broken_pipe(flags);
  if (to != nullptr && to->family == kAfUnspec) to = nullptr;  // Linux treats it as "no address"
  if (to != nullptr && to->family != kAfInet) return -err::kAfnosupport;
  if (to == nullptr && !s->udp_connected) return -err::kDestaddrreq;
  if (s->error != 0) return take_error(s);
  syscalls::UserIov in(iov, count, false);
  uint64_t len = in.remaining();
  if (len > kMaxDatagram) return -err::kMsgsize;
  if (to != nullptr && broadcast_denied(s, to->addr)) return -err::kAcces;
  pbuf* p = pbuf_alloc(PBUF_TRANSPORT, static_cast<u16_t>(len), PBUF_RAM);
  if (p == nullptr) return -err::kNobufs;
  if (in.copy_in(p->payload, len) != len) {
    pbuf_free(p);
    return -err::kFault;
  }
  err_t e;
  if (to != nullptr) {
    ip_addr_t ip = to_ip(to->addr != 0 ? to->addr : lwip_htonl(0x7f000001));
    e = udp_sendto(s->udp, p, &ip, lwip_ntohs(to->port));
  } else {
    e = udp_send(s->udp, p);
  }
  pbuf_free(p);
  refresh_names(s);  // an unbound socket got a port
  if (e == ERR_MEM) return -err::kNobufs;
  if (int64_t r = from_err(e); r != 0) return r;
  return static_cast<int64_t>(len);
}

int64_t dgram_recv(Socket* s, const fs::IoVec* iov, uint64_t count, int flags, SockAddrIn* from, int* msg_flags) {
  bool nonblock = nonblocking(s, flags);
  uint64_t deadline = 0;
  bool polled = false;
  while (s->dg_head == nullptr) {
    if (s->error != 0) return take_error(s);
    if (s->shut_rd) return 0;
    if (nonblock) {
      if (polled) return -err::kAgain;
      polled = true;
      event::poll_now();
      continue;
    }
    if (deadline == 0) deadline = deadline_for(s->rcvtimeo_ns);
    if (!event::wait_step(deadline)) return -err::kAgain;
  }
  Datagram* d = s->dg_head;
  syscalls::UserIov out(iov, count, true);
  uint64_t size = d->p->tot_len;
  uint64_t copied = 0;
  for (pbuf* q = d->p; q != nullptr && out.remaining() != 0; q = q->next) {
    uint64_t moved = out.copy_out(q->payload, q->len);
    copied += moved;
    if (moved < q->len) break;
  }
  if (out.faulted()) return -err::kFault;
  if (from != nullptr) {
    *from = SockAddrIn{};
    from->family = kAfInet;
    from->addr = d->addr;
    from->port = lwip_htons(d->port);
  }
  if (copied < size && msg_flags != nullptr) *msg_flags |= kMsgTrunc;
  if ((flags & kMsgPeek) == 0) drop_head(s);
  return static_cast<int64_t>((flags & kMsgTrunc) != 0 ? size : copied);
}

int64_t dgram_shutdown(Socket* s, int how) {
  if (!s->udp_connected) return -err::kNotconn;
  if (how != kShutWr) s->shut_rd = true;
  if (how != kShutRd) s->shut_wr = true;
  event::notify(s->file, kPollIn | kPollRdHup | kPollHup);
  return 0;
}

uint32_t dgram_poll(Socket* s) {
  // Linux's datagram_poll.
  uint32_t mask = kPollOut | kPollWrNorm;
  if (s->dg_head != nullptr) mask |= kPollIn | kPollRdNorm;
  if (s->shut_rd) mask |= kPollIn | kPollRdNorm | kPollRdHup;
  if (s->shut_rd && s->shut_wr) mask |= kPollHup;
  if (s->error != 0) mask |= kPollErr;
  return mask;
}

uint64_t dgram_next_size(Socket* s) { return s->dg_head != nullptr ? s->dg_head->p->tot_len : 0; }

void dgram_release(Socket* s) {
  if (s->udp != nullptr) {
    udp_recv(s->udp, nullptr, nullptr);
    udp_remove(s->udp);
    s->udp = nullptr;
  }
  while (s->dg_head != nullptr) drop_head(s);
}

}  // namespace silk::kernel::net::socket
