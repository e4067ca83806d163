// Sockets (net/socket.h): creation, the file operations, options, names and
// the dispatch to TCP (tcp_socket.cc) and UDP (udp_socket.cc).

#include "net/socket.h"

#include "event/poll_bits.h"
#include "event/wait.h"
#include "fs/node.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "lwip/err.h"
#include "lwip/ip.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "mm/heap.h"
#include "net/net.h"
#include "net/socket_impl.h"
#include "proc/signal.h"
#include "syscalls/args.h"

namespace silk::kernel::net::socket {
namespace {

// SOL_SOCKET options (asm-generic/socket.h).
constexpr int kSoDebug = 1, kSoReuseaddr = 2, kSoType = 3, kSoError = 4, kSoDontroute = 5, kSoBroadcast = 6,
              kSoSndbuf = 7, kSoRcvbuf = 8, kSoKeepalive = 9, kSoOobinline = 10, kSoNoCheck = 11,
              kSoPriority = 12, kSoLinger = 13, kSoReuseport = 15, kSoPasscred = 16, kSoRcvlowat = 18,
              kSoSndlowat = 19, kSoRcvtimeoOld = 20, kSoSndtimeoOld = 21, kSoBindtodevice = 25,
              kSoTimestamp = 29, kSoAcceptconn = 30, kSoSndbufforce = 32, kSoRcvbufforce = 33, kSoProtocol = 38,
              kSoDomain = 39, kSoRcvtimeoNew = 66, kSoSndtimeoNew = 67;
// IPPROTO_TCP options (uapi/linux/tcp.h).
constexpr int kTcpNodelay = 1, kTcpMaxseg = 2, kTcpCork = 3, kTcpKeepidle = 4, kTcpKeepintvl = 5,
              kTcpKeepcnt = 6, kTcpSyncnt = 7, kTcpLinger2 = 8, kTcpDeferAccept = 9, kTcpWindowClamp = 10,
              kTcpQuickack = 12, kTcpCongestion = 13, kTcpUserTimeout = 18, kTcpFastopen = 23,
              kTcpNotsentLowat = 25;
// IPPROTO_IP options (uapi/linux/in.h).
constexpr int kIpTos = 1, kIpTtl = 2, kIpHdrincl = 3, kIpOptions = 4, kIpPktinfo = 8, kIpMtuDiscover = 10,
              kIpRecverr = 11, kIpRecvttl = 12, kIpRecvtos = 13, kIpMtu = 14, kIpFreebind = 15,
              kIpMulticastIf = 32, kIpMulticastTtl = 33, kIpMulticastLoop = 34, kIpBindAddressNoPort = 24;
constexpr int64_t kEdom = 33;
constexpr uint32_t kMinSndbuf = 4608, kMinRcvbuf = 2304, kMaxBuf = 212992;  // SOCK_MIN_*, [rw]mem_max
constexpr uint32_t kFionread = 0x541b, kSiocoutq = 0x5411, kSiocatmark = 0x8905;

Socket* of(fs::File* file) { return static_cast<Socket*>(file->object); }
bool is_tcp(const Socket* s) { return s->type == kSockStream; }

// ---- the file operations ------------------------------------------------------

int64_t file_read(fs::File* file, const fs::IoVec* iov, uint64_t count) {
  return recv(file, iov, count, 0, nullptr, nullptr);
}
int64_t file_write(fs::File* file, const fs::IoVec* iov, uint64_t count) {
  return send(file, iov, count, 0, nullptr);
}
uint32_t file_poll(fs::File* file) { return is_tcp(of(file)) ? stream_poll(of(file)) : dgram_poll(of(file)); }

int64_t file_ioctl(fs::File* file, uint32_t request, uint64_t arg) {
  Socket* s = of(file);
  int32_t value;
  switch (request) {
    case kFionread:
      if (is_tcp(s) && s->state == TcpState::kListening) return -err::kInval;
      value = static_cast<int32_t>(is_tcp(s) ? s->rx_bytes : dgram_next_size(s));
      break;
    case kSiocoutq:
      value = static_cast<int32_t>(is_tcp(s) ? stream_unsent(s) : 0);
      break;
    case kSiocatmark:
      value = 0;  // no urgent data, ever
      break;
    default:
      return -err::kNotty;
  }
  return syscalls::copy_to_user(arg, &value, sizeof value) ? 0 : -err::kFault;
}

void file_release(fs::File* file) {
  Socket* s = of(file);
  s->file = nullptr;
  if (is_tcp(s)) {
    stream_release(s);
  } else {
    dgram_release(s);
  }
  free_socket(s);
}

const fs::FileOps kOps = {file_read, file_write, file_poll, file_ioctl, file_release};

// ---- options -------------------------------------------------------------------

bool get_int(const uint8_t* value, uint32_t len, int32_t* out) {
  if (len < 4) return false;
  memcpy(out, value, 4);
  return true;
}

// Writes an int option: Linux copies min(len, 4) bytes.
int64_t put_int(uint8_t* value, uint32_t* len, int32_t v) {
  if (*len > 4) *len = 4;
  memcpy(value, &v, *len);
  return 0;
}

struct Timeval {
  int64_t sec, usec;
};

int64_t set_timeout(const uint8_t* value, uint32_t len, uint64_t* out) {
  Timeval tv;
  if (len < sizeof tv) return -err::kInval;
  memcpy(&tv, value, sizeof tv);
  if (tv.usec < 0 || tv.usec >= 1000000) return -kEdom;
  if (tv.sec < 0) {
    *out = 1;  // Linux: a negative timeout means "do not wait" (0 would be "forever")
    return 0;
  }
  uint64_t sec = static_cast<uint64_t>(tv.sec);
  *out = sec > 100ull * 365 * 86400 ? 0 : sec * 1'000'000'000ull + static_cast<uint64_t>(tv.usec) * 1000u;
  return 0;
}

int64_t get_timeout(uint8_t* value, uint32_t* len, uint64_t ns) {
  Timeval tv{static_cast<int64_t>(ns / 1'000'000'000ull), static_cast<int64_t>(ns % 1'000'000'000ull / 1000u)};
  if (*len > sizeof tv) *len = sizeof tv;
  memcpy(value, &tv, *len);
  return 0;
}

uint32_t buffer_size(int32_t v, uint32_t minimum) {
  uint64_t n = v < 0 ? 0 : static_cast<uint64_t>(v);
  if (n > kMaxBuf) n = kMaxBuf;
  n *= 2;
  return n < minimum ? minimum : static_cast<uint32_t>(n);
}

int64_t set_socket_option(Socket* s, int name, const uint8_t* value, uint32_t len) {
  int32_t v = 0;
  switch (name) {
    case kSoLinger: {
      if (len < 8) return -err::kInval;
      int32_t linger[2];
      memcpy(linger, value, 8);
      s->linger_on = linger[0] != 0;
      s->linger_s = linger[1] < 0 ? 0 : linger[1];
      return 0;
    }
    case kSoRcvtimeoOld:
    case kSoRcvtimeoNew:
      return set_timeout(value, len, &s->rcvtimeo_ns);
    case kSoSndtimeoOld:
    case kSoSndtimeoNew:
      return set_timeout(value, len, &s->sndtimeo_ns);
    case kSoBindtodevice:
      return 0;  // one interface
    default:
      break;
  }
  if (!get_int(value, len, &v)) return -err::kInval;
  bool on = v != 0;
  switch (name) {
    case kSoReuseaddr:
      s->reuseaddr = on;
      break;
    case kSoReuseport:
      s->reuseport = on;  // accepted; lwIP has no port sharing
      return 0;
    case kSoKeepalive:
      s->keepalive = on;
      break;
    case kSoBroadcast:
      s->broadcast = on;
      break;
    case kSoSndbuf:
    case kSoSndbufforce:
      s->sndbuf = buffer_size(v, kMinSndbuf);  // reported; lwIP's buffers are fixed (net.h)
      return 0;
    case kSoRcvbuf:
    case kSoRcvbufforce:
      s->rcvbuf = buffer_size(v, kMinRcvbuf);
      return 0;
    case kSoDebug:
    case kSoDontroute:
    case kSoOobinline:
    case kSoNoCheck:
    case kSoPriority:
    case kSoPasscred:
    case kSoRcvlowat:
    case kSoSndlowat:
    case kSoTimestamp:
      return 0;  // accepted, no effect
    default:
      return -err::kNoprotoopt;
  }
  if (is_tcp(s)) {
    stream_apply_options(s);
  } else if (s->udp != nullptr) {
    s->reuseaddr ? ip_set_option(s->udp, SOF_REUSEADDR) : ip_reset_option(s->udp, SOF_REUSEADDR);
    s->broadcast ? ip_set_option(s->udp, SOF_BROADCAST) : ip_reset_option(s->udp, SOF_BROADCAST);
  }
  return 0;
}

int64_t get_socket_option(Socket* s, int name, uint8_t* value, uint32_t* len) {
  switch (name) {
    case kSoType:
      return put_int(value, len, s->type);
    case kSoProtocol:
      return put_int(value, len, is_tcp(s) ? kIpprotoTcp : kIpprotoUdp);
    case kSoDomain:
      return put_int(value, len, kAfInet);
    case kSoError:
      return put_int(value, len, static_cast<int32_t>(-take_error(s)));
    case kSoAcceptconn:
      return put_int(value, len, is_tcp(s) && s->state == TcpState::kListening);
    case kSoReuseaddr:
      return put_int(value, len, s->reuseaddr);
    case kSoReuseport:
      return put_int(value, len, s->reuseport);
    case kSoKeepalive:
      return put_int(value, len, s->keepalive);
    case kSoBroadcast:
      return put_int(value, len, s->broadcast);
    case kSoSndbuf:
      return put_int(value, len, static_cast<int32_t>(s->sndbuf));
    case kSoRcvbuf:
      return put_int(value, len, static_cast<int32_t>(s->rcvbuf));
    case kSoRcvlowat:
    case kSoSndlowat:
      return put_int(value, len, 1);
    case kSoDebug:
    case kSoDontroute:
    case kSoOobinline:
    case kSoNoCheck:
    case kSoPriority:
    case kSoPasscred:
    case kSoTimestamp:
      return put_int(value, len, 0);
    case kSoLinger: {
      int32_t linger[2] = {s->linger_on, s->linger_s};
      if (*len > 8) *len = 8;
      memcpy(value, linger, *len);
      return 0;
    }
    case kSoRcvtimeoOld:
    case kSoRcvtimeoNew:
      return get_timeout(value, len, s->rcvtimeo_ns);
    case kSoSndtimeoOld:
    case kSoSndtimeoNew:
      return get_timeout(value, len, s->sndtimeo_ns);
    default:
      return -err::kNoprotoopt;
  }
}

int64_t set_tcp_option(Socket* s, int name, const uint8_t* value, uint32_t len) {
  int32_t v;
  if (name == kTcpCongestion) return 0;  // a name; one algorithm
  if (!get_int(value, len, &v)) return -err::kInval;
  switch (name) {
    case kTcpNodelay:
      s->nodelay = v != 0;
      break;
    case kTcpCork:
      s->cork = v != 0;
      return 0;
    case kTcpKeepidle:
    case kTcpKeepintvl:
      if (v < 1 || v > 32767) return -err::kInval;
      (name == kTcpKeepidle ? s->keep_idle_s : s->keep_intvl_s) = static_cast<uint32_t>(v);
      break;
    case kTcpKeepcnt:
      if (v < 1 || v > 127) return -err::kInval;
      s->keep_cnt = static_cast<uint32_t>(v);
      break;
    case kTcpMaxseg:
    case kTcpSyncnt:
    case kTcpLinger2:
    case kTcpDeferAccept:
    case kTcpWindowClamp:
    case kTcpQuickack:
    case kTcpUserTimeout:
    case kTcpFastopen:
    case kTcpNotsentLowat:
      return 0;  // accepted, no effect
    default:
      return -err::kNoprotoopt;
  }
  stream_apply_options(s);
  return 0;
}

int64_t get_tcp_option(Socket* s, int name, uint8_t* value, uint32_t* len) {
  switch (name) {
    case kTcpNodelay:
      return put_int(value, len, s->nodelay);
    case kTcpCork:
      return put_int(value, len, s->cork);
    case kTcpKeepidle:
      return put_int(value, len, static_cast<int32_t>(s->keep_idle_s));
    case kTcpKeepintvl:
      return put_int(value, len, static_cast<int32_t>(s->keep_intvl_s));
    case kTcpKeepcnt:
      return put_int(value, len, static_cast<int32_t>(s->keep_cnt));
    case kTcpMaxseg:
      return put_int(value, len, TCP_MSS);
    case kTcpSyncnt:
      return put_int(value, len, 6);
    case kTcpDeferAccept:
    case kTcpQuickack:
    case kTcpUserTimeout:
    case kTcpFastopen:
    case kTcpNotsentLowat:
    case kTcpLinger2:
    case kTcpWindowClamp:
      return put_int(value, len, 0);
    default:
      return -err::kNoprotoopt;
  }
}

int64_t set_ip_option(Socket* s, int name, const uint8_t* value, uint32_t len) {
  int32_t v = 0;
  if (len >= 1 && len < 4) {
    v = value[0];  // Linux takes a single byte for the byte-sized options
  } else if (!get_int(value, len, &v)) {
    return -err::kInval;
  }
  switch (name) {
    case kIpTos:
      s->tos = static_cast<uint8_t>(v);
      break;
    case kIpTtl:
      if (v == -1) v = 64;
      if (v < 1 || v > 255) return -err::kInval;
      s->ttl = static_cast<uint8_t>(v);
      break;
    case kIpPktinfo:
    case kIpMtuDiscover:
    case kIpRecverr:
    case kIpRecvttl:
    case kIpRecvtos:
    case kIpFreebind:
    case kIpMulticastIf:
    case kIpMulticastTtl:
    case kIpMulticastLoop:
    case kIpBindAddressNoPort:
    case kIpOptions:
    case kIpHdrincl:
      return 0;  // accepted, no effect
    default:
      return -err::kNoprotoopt;
  }
  if (s->tcp != nullptr) {
    s->tcp->tos = s->tos;
    s->tcp->ttl = s->ttl;
  }
  if (s->udp != nullptr) {
    s->udp->tos = s->tos;
    s->udp->ttl = s->ttl;
  }
  return 0;
}

int64_t get_ip_option(Socket* s, int name, uint8_t* value, uint32_t* len) {
  switch (name) {
    case kIpTos:
      return put_int(value, len, s->tos);
    case kIpTtl:
      return put_int(value, len, s->ttl);
    case kIpMtu:
      if (is_tcp(s) ? s->state != TcpState::kConnected : !s->udp_connected) return -err::kNotconn;
      return put_int(value, len, 1500);
    case kIpPktinfo:
    case kIpRecverr:
    case kIpRecvttl:
    case kIpRecvtos:
    case kIpFreebind:
    case kIpMtuDiscover:
      return put_int(value, len, 0);
    default:
      return -err::kNoprotoopt;
  }
}

}  // namespace

// ---- shared helpers (socket_impl.h) -----------------------------------------------

bool nonblocking(const Socket* s, int flags) {
  return (flags & kMsgDontwait) != 0 || (s->file != nullptr && (s->file->flags & fs::kONonblock) != 0);
}

uint64_t deadline_for(uint64_t timeout_ns) {
  return timeout_ns == 0 ? event::kForever : event::deadline_after_ns(timeout_ns);
}

int64_t take_error(Socket* s) {
  int e = s->error;
  s->error = 0;
  return -static_cast<int64_t>(e);
}

int64_t broken_pipe(int flags) {
  // As Linux's sk_stream_error: SIGPIPE (SI_USER) unless MSG_NOSIGNAL, and
  // -EPIPE; the signal is delivered on the way back to ring 3.
  constexpr int kSigPipe = 13;
  if ((flags & kMsgNosignal) == 0) proc::signal::send(kSigPipe, proc::signal::kSiUser);
  return -err::kPipe;
}

int64_t from_err(int e) {
  switch (e) {
    case ERR_OK:
      return 0;
    case ERR_MEM:
    case ERR_BUF:
      return -err::kNobufs;
    case ERR_TIMEOUT:
      return -err::kTimedout;
    case ERR_RTE:
      return -err::kNetunreach;
    case ERR_INPROGRESS:
      return -err::kInprogress;
    case ERR_VAL:
    case ERR_ARG:
      return -err::kInval;
    case ERR_WOULDBLOCK:
      return -err::kAgain;
    case ERR_USE:
      return -err::kAddrinuse;
    case ERR_ALREADY:
      return -err::kAlready;
    case ERR_ISCONN:
      return -err::kIsconn;
    case ERR_CONN:
      return -err::kNotconn;
    case ERR_IF:
      return -err::kNetdown;
    case ERR_ABRT:
      return -err::kConnaborted;
    case ERR_RST:
      return -err::kConnreset;
    case ERR_CLSD:
      return -err::kNotconn;
    default:
      return -err::kIo;
  }
}

ip_addr_t to_ip(uint32_t addr) {
  ip_addr_t ip;
  ip_addr_set_ip4_u32_val(ip, addr);
  return ip;
}

bool is_local(uint32_t addr) {
  if (addr == 0) return true;                            // INADDR_ANY
  if ((lwip_ntohl(addr) >> 24) == 127) return true;      // 127.0.0.0/8
  Config c = config();
  return c.address != 0 && addr == c.address;
}

void refresh_names(Socket* s) {
  if (s->tcp != nullptr) {
    s->local_addr = ip4_addr_get_u32(ip_2_ip4(&s->tcp->local_ip));
    s->local_port = s->tcp->local_port;
    s->remote_addr = ip4_addr_get_u32(ip_2_ip4(&s->tcp->remote_ip));
    s->remote_port = s->tcp->remote_port;
  } else if (s->udp != nullptr) {
    s->local_addr = ip4_addr_get_u32(ip_2_ip4(&s->udp->local_ip));
    s->local_port = s->udp->local_port;
    s->remote_addr = ip4_addr_get_u32(ip_2_ip4(&s->udp->remote_ip));
    s->remote_port = s->udp->remote_port;
  }
  if (s->local_port != 0) s->bound = true;
}

Socket* new_socket(int type) {
  auto* s = static_cast<Socket*>(mm::heap::allocate(sizeof(Socket)));
  if (s == nullptr) return nullptr;
  memset(s, 0, sizeof(Socket));
  s->type = type;
  s->ttl = 64;
  if (type == kSockStream) {
    s->sndbuf = TCP_SND_BUF;  // lwIP's real sizes (net.h)
    s->rcvbuf = TCP_WND;
  } else {
    s->sndbuf = s->rcvbuf = kUdpBuffer;
  }
  s->keep_idle_s = 7200;  // Linux's tcp_keepalive_time, _intvl, _probes
  s->keep_intvl_s = 75;
  s->keep_cnt = 9;
  return s;
}

void free_socket(Socket* s) { mm::heap::release(s); }

fs::File* wrap(Socket* s, bool nonblock) {
  fs::Node* node = fs::new_node(fs::kIfSock | 0777, fs::now());
  if (node == nullptr) return nullptr;
  fs::File* file = fs::file_new_object(node, fs::kORdwr | (nonblock ? fs::kONonblock : 0), &kOps, s);
  if (file == nullptr) {
    fs::free_if_unused(node);
    return nullptr;
  }
  s->file = file;
  return file;
}

// ---- net/socket.h ------------------------------------------------------------------

int64_t create(int type, int protocol, bool nonblock, fs::File** out) {
  if (type == kSockStream) {
    if (protocol != 0 && protocol != kIpprotoTcp) return -err::kProtonosupport;
  } else if (type == kSockDgram) {
    if (protocol != 0 && protocol != kIpprotoUdp) return -err::kProtonosupport;
  } else if (type == kSockRaw) {
    return -err::kProtonosupport;  // no raw sockets
  } else {
    return -err::kSocktnosupport;
  }
  start();  // lwIP, if the boot did not need it (no network device)
  Socket* s = new_socket(type);
  if (s == nullptr) return -err::kNomem;
  if (!(type == kSockStream ? stream_open(s) : dgram_open(s))) {
    free_socket(s);
    return -err::kNomem;
  }
  fs::File* file = wrap(s, nonblock);
  if (file == nullptr) {
    type == kSockStream ? stream_release(s) : dgram_release(s);
    free_socket(s);
    return -err::kNomem;
  }
  *out = file;
  return 0;
}

bool is_socket(const fs::File* file) { return file->ops == &kOps; }

int64_t bind(fs::File* file, const SockAddrIn& address) {
  Socket* s = of(file);
  // Linux accepts AF_UNSPEC with INADDR_ANY for old programs.
  if (address.family != kAfInet && !(address.family == kAfUnspec && address.addr == 0)) return -err::kAfnosupport;
  if (!is_local(address.addr)) return -err::kAddrnotavail;
  if (s->bound) return -err::kInval;
  return is_tcp(s) ? stream_bind(s, address) : dgram_bind(s, address);
}

int64_t listen(fs::File* file, int backlog) {
  Socket* s = of(file);
  if (!is_tcp(s)) return -err::kOpnotsupp;
  return stream_listen(s, backlog);
}

int64_t accept(fs::File* file, bool nonblock, fs::File** out, SockAddrIn* peer) {
  Socket* s = of(file);
  if (!is_tcp(s)) return -err::kOpnotsupp;
  return stream_accept(s, nonblock, out, peer);
}

int64_t connect(fs::File* file, const SockAddrIn& address) {
  Socket* s = of(file);
  if (!is_tcp(s)) return dgram_connect(s, address);
  if (address.family != kAfInet) return address.family == kAfUnspec ? 0 : -err::kAfnosupport;
  return stream_connect(s, address, nonblocking(s, 0));
}

int64_t send(fs::File* file, const fs::IoVec* iov, uint64_t count, int flags, const SockAddrIn* to) {
  Socket* s = of(file);
  return is_tcp(s) ? stream_send(s, iov, count, flags) : dgram_send(s, iov, count, flags, to);
}

int64_t recv(fs::File* file, const fs::IoVec* iov, uint64_t count, int flags, SockAddrIn* from, int* msg_flags) {
  Socket* s = of(file);
  if (msg_flags != nullptr) *msg_flags = 0;
  if ((flags & kMsgOob) != 0) return -err::kInval;  // no urgent data
  if (is_tcp(s)) {
    int64_t r = stream_recv(s, iov, count, flags);
    // A stream socket's source address is not filled in (Linux leaves
    // msg_namelen 0 for TCP).
    if (from != nullptr) from->family = kAfUnspec;
    return r;
  }
  return dgram_recv(s, iov, count, flags, from, msg_flags);
}

int64_t shutdown(fs::File* file, int how) {
  if (how < kShutRd || how > kShutRdwr) return -err::kInval;
  Socket* s = of(file);
  return is_tcp(s) ? stream_shutdown(s, how) : dgram_shutdown(s, how);
}

int64_t setsockopt(fs::File* file, int level, int name, const uint8_t* value, uint32_t len) {
  Socket* s = of(file);
  switch (level) {
    case kSolSocket:
      return set_socket_option(s, name, value, len);
    case kIpprotoTcp:
      return is_tcp(s) ? set_tcp_option(s, name, value, len) : -err::kNoprotoopt;
    case kIpprotoIp:
      return set_ip_option(s, name, value, len);
    default:
      return -err::kNoprotoopt;  // IPPROTO_IPV6 and the rest
  }
}

int64_t getsockopt(fs::File* file, int level, int name, uint8_t* value, uint32_t* len) {
  Socket* s = of(file);
  switch (level) {
    case kSolSocket:
      return get_socket_option(s, name, value, len);
    case kIpprotoTcp:
      return is_tcp(s) ? get_tcp_option(s, name, value, len) : -err::kOpnotsupp;
    case kIpprotoIp:
      return get_ip_option(s, name, value, len);
    default:
      return -err::kOpnotsupp;  // Linux's ip_getsockopt for a foreign level (IPPROTO_IPV6 too)
  }
}

int64_t name(fs::File* file, bool peer, SockAddrIn* out) {
  Socket* s = of(file);
  refresh_names(s);
  *out = SockAddrIn{};
  out->family = kAfInet;
  if (peer) {
    // A connection in its closing handshake keeps its peer; a closed
    // (reset) one does not.
    bool connected = is_tcp(s) ? (s->state == TcpState::kConnected || (s->state == TcpState::kDone && !s->closed))
                               : s->udp_connected;
    if (!connected || s->remote_port == 0) return -err::kNotconn;
    out->addr = s->remote_addr;
    out->port = lwip_htons(s->remote_port);
  } else {
    out->addr = s->local_addr;
    out->port = lwip_htons(s->local_port);
  }
  return 0;
}

}  // namespace silk::kernel::net::socket
