// silk vm's network test guest (--net user, or --net tap:IFNAME). The command
// line is a list of words, done in order; the guest prints what it finds and
// halts with 0 ("net: ok"), or prints "FAIL: ..." and halts with 1. All the
// while it answers ARP requests for its own address.
//   ip=A.B.C.D gw=A.B.C.D ns=A.B.C.D   its address, the peer/gateway and the
//              DNS server (default: the boot info's net_ipv4_*, which user-mode
//              networking fills in); a /24 network
//   info       print the boot info's network fields
//   arp        ARP request for gw; expects the reply
//   ping       ICMP echo to gw; expects the reply
//   unreach=A.B.C.D  ICMP echo to an address with no route; expects an ICMP
//              "destination unreachable" back
//   udp=PORT   a UDP datagram "silk-udp" to gw:PORT; expects it back (an echo)
//   dns        a DNS query (A silk.test) to ns:53; prints the A record
//   tcp=PORT   prints "tcp: listening on PORT", then serves one TCP
//              connection: reads a line, answers "pong: LINE\n" and closes
//   connect=PORT  opens a TCP connection to gw:PORT, sends "ping\n" and
//              closes its side, prints the answer up to the peer's close
//   refused=PORT  the same to a port nobody listens on: expects a reset
//   none       no network device: NetRead/NetWrite return -1, Poll sleeps
// Calls the monitor must refuse (it stops the VM with status 123):
//   short      a 10-byte frame      long  a 1515-byte frame
//   smallbuf   NetRead into 100 bytes      oob  a frame past guest RAM
// Freestanding, for ring 0 under KVM's emulator: small, byte-wise, no SSE.
#include "guest.h"

using namespace guest;

namespace {

constexpr uint64_t kSecond = 1000000000ull;
constexpr size_t kEth = 14, kIp = 20;
constexpr uint16_t kArp = 0x0806, kIpv4 = 0x0800;
constexpr uint8_t kIcmp = 1, kTcp = 6, kUdp = 17;
constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;

uint8_t g_rx[1536];
uint8_t g_tx[1536];
uint8_t g_mac[6];
uint8_t g_ip[4], g_gw[4], g_ns[4];
int g_failures = 0;
uint16_t g_ip_id = 1;

struct Neighbor {
  bool valid;
  uint8_t ip[4];
  uint8_t mac[6];
};
Neighbor g_neighbors[4];

void fail(const char* what) {
  print("FAIL: ");
  print(what);
  print("\n");
  ++g_failures;
}

uint16_t get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t get32(const uint8_t* p) { return static_cast<uint32_t>(get16(p)) << 16 | get16(p + 2); }
void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void put32(uint8_t* p, uint32_t v) {
  put16(p, static_cast<uint16_t>(v >> 16));
  put16(p + 2, static_cast<uint16_t>(v));
}
bool equal(const uint8_t* a, const uint8_t* b, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}
void copy(uint8_t* dst, const void* src, size_t n) {
  for (size_t i = 0; i < n; ++i) dst[i] = static_cast<const uint8_t*>(src)[i];
}

void print_ip(const uint8_t* ip) {
  for (int i = 0; i < 4; ++i) {
    if (i != 0) print(".");
    print_u64(ip[i]);
  }
}
void print_mac(const uint8_t* mac) {
  for (int i = 0; i < 6; ++i) {
    char b[3] = {"0123456789abcdef"[mac[i] >> 4], "0123456789abcdef"[mac[i] & 15], 0};
    if (i != 0) print(":");
    print(b);
  }
}

// "10.0.2.15" up to a space or the end; false if malformed.
bool parse_ip(const char* s, uint8_t* out) {
  for (int i = 0; i < 4; ++i) {
    unsigned v = 0, digits = 0;
    while (*s >= '0' && *s <= '9' && digits < 4) v = v * 10 + static_cast<unsigned>(*s++ - '0'), ++digits;
    if (digits == 0 || v > 255 || (i < 3 && *s++ != '.')) return false;
    out[i] = static_cast<uint8_t>(v);
  }
  return *s == 0 || *s == ' ';
}
unsigned parse_uint(const char* s) {
  unsigned v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + static_cast<unsigned>(*s++ - '0');
  return v;
}

// The Internet checksum of {n} bytes at {p}, continuing {sum}.
uint32_t sum16(const uint8_t* p, size_t n, uint32_t sum) {
  for (size_t i = 0; i + 1 < n; i += 2) sum += get16(p + i);
  if (n & 1) sum += static_cast<uint32_t>(p[n - 1]) << 8;
  return sum;
}
uint16_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

void send_frame(size_t len) {
  HvtNetWrite call{reinterpret_cast<GuestPhys>(g_tx), len, 0, 0};
  hypercall(Hypercall::NetWrite, &call);
  if (call.ret != 0) fail("NetWrite returned an error");
}

void eth_header(const uint8_t* dst_mac, uint16_t type) {
  copy(g_tx, dst_mac, 6);
  copy(g_tx + 6, g_mac, 6);
  put16(g_tx + 12, type);
}

// An ARP packet of {op} (1 request, 2 reply) to {dst_mac} about {target_ip}.
void send_arp(uint16_t op, const uint8_t* dst_mac, const uint8_t* target_mac, const uint8_t* target_ip) {
  eth_header(dst_mac, kArp);
  uint8_t* a = g_tx + kEth;
  put16(a, 1);  // Ethernet
  put16(a + 2, kIpv4);
  a[4] = 6;
  a[5] = 4;
  put16(a + 6, op);
  copy(a + 8, g_mac, 6);
  copy(a + 14, g_ip, 4);
  copy(a + 18, target_mac, 6);
  copy(a + 24, target_ip, 4);
  send_frame(kEth + 28);
}

void learn(const uint8_t* ip, const uint8_t* mac) {
  Neighbor* slot = &g_neighbors[0];
  for (Neighbor& n : g_neighbors) {
    if (n.valid && equal(n.ip, ip, 4)) {
      slot = &n;
      break;
    }
    if (!n.valid) slot = &n;
  }
  slot->valid = true;
  copy(slot->ip, ip, 4);
  copy(slot->mac, mac, 6);
}

const uint8_t* neighbor(const uint8_t* ip) {
  for (Neighbor& n : g_neighbors)
    if (n.valid && equal(n.ip, ip, 4)) return n.mac;
  return nullptr;
}

// ARP frames: learn the sender, answer requests for our address.
void handle_arp(size_t len) {
  if (len < kEth + 28 || get16(g_rx + 12) != kArp) return;
  const uint8_t* a = g_rx + kEth;
  learn(a + 14, a + 8);
  if (get16(a + 6) == 1 && equal(a + 24, g_ip, 4)) {
    uint8_t sender_mac[6], sender_ip[4];
    copy(sender_mac, a + 8, 6);
    copy(sender_ip, a + 14, 4);
    send_arp(2, sender_mac, sender_mac, sender_ip);
  }
}

// The next frame (ARP handled on the way), or 0 at {deadline} (walltime ns).
size_t receive(uint64_t deadline) {
  for (;;) {
    HvtNetRead call{reinterpret_cast<GuestPhys>(g_rx), sizeof g_rx, 0, 0};
    hypercall(Hypercall::NetRead, &call);
    if (call.ret == 0) {
      handle_arp(call.len);
      return call.len;
    }
    if (call.ret != 1) {
      fail("NetRead returned an error");
      return 0;
    }
    uint64_t now = walltime();
    if (now >= deadline) return 0;
    HvtPoll poll{deadline - now < kSecond ? deadline - now : kSecond, 0, 0, 0};
    hypercall(Hypercall::Poll, &poll);
    if (poll.ret < 0) fail("Poll returned an error");
  }
}

// The MAC of {ip}'s next hop (itself on our /24, else the gateway), asking by
// ARP up to 5 times; nullptr if nobody answers.
const uint8_t* resolve(const uint8_t* ip) {
  const uint8_t* hop = equal(ip, g_ip, 3) ? ip : g_gw;
  static const uint8_t kBroadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  static const uint8_t kZero[6] = {};
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (const uint8_t* mac = neighbor(hop)) return mac;
    send_arp(1, kBroadcast, kZero, hop);
    uint64_t deadline = walltime() + kSecond;
    while (neighbor(hop) == nullptr && receive(deadline) != 0) {
    }
  }
  return neighbor(hop);
}

// Writes Ethernet + IPv4 headers for {payload_len} bytes of {proto} to {dst}.
uint8_t* ip_header(const uint8_t* dst_mac, const uint8_t* dst, uint8_t proto, size_t payload_len) {
  eth_header(dst_mac, kIpv4);
  uint8_t* ip = g_tx + kEth;
  ip[0] = 0x45;
  ip[1] = 0;
  put16(ip + 2, static_cast<uint16_t>(kIp + payload_len));
  put16(ip + 4, g_ip_id++);
  put16(ip + 6, 0x4000);  // DF
  ip[8] = 64;
  ip[9] = proto;
  put16(ip + 10, 0);
  copy(ip + 12, g_ip, 4);
  copy(ip + 16, dst, 4);
  put16(ip + 10, fold(sum16(ip, kIp, 0)));
  return ip + kIp;
}

// The pseudo-header sum (RFC 768/793) for {len} bytes of {proto} to {dst}.
uint32_t pseudo_sum(const uint8_t* dst, uint8_t proto, size_t len) {
  return sum16(g_ip, 4, sum16(dst, 4, 0)) + proto + static_cast<uint32_t>(len);
}

// The received frame as IPv4 of {proto} from {src} (any when null) to us:
// its payload and length, or nullptr.
const uint8_t* ip_payload(size_t len, uint8_t proto, const uint8_t* src, size_t& payload_len) {
  if (len < kEth + kIp || get16(g_rx + 12) != kIpv4) return nullptr;
  const uint8_t* ip = g_rx + kEth;
  size_t hl = static_cast<size_t>(ip[0] & 15) * 4, total = get16(ip + 2);
  if ((ip[0] >> 4) != 4 || hl < kIp || total < hl || total > len - kEth || ip[9] != proto) return nullptr;
  if (!equal(ip + 16, g_ip, 4) || (src != nullptr && !equal(ip + 12, src, 4))) return nullptr;
  payload_len = total - hl;
  return ip + hl;
}

void do_arp() {
  const uint8_t* mac = resolve(g_gw);
  if (mac == nullptr) return fail("arp: no reply");
  print("arp: ");
  print_ip(g_gw);
  print(" is at ");
  print_mac(mac);
  print("\n");
}

// ICMP echo to {target} (through the gateway when off our /24). Expects the
// echo reply, or with {unreachable} a "destination unreachable" about it.
void do_ping(const uint8_t* target, bool unreachable) {
  const uint8_t* mac = resolve(target);
  if (mac == nullptr) return fail("ping: the next hop does not answer ARP");
  static const char kData[] = "silk-ping!";
  constexpr size_t kLen = 8 + sizeof kData - 1;
  for (int attempt = 0; attempt < 3; ++attempt) {
    uint8_t* icmp = ip_header(mac, target, kIcmp, kLen);
    icmp[0] = 8;  // echo request
    icmp[1] = 0;
    put16(icmp + 2, 0);
    put16(icmp + 4, 0x5349);  // id
    put16(icmp + 6, static_cast<uint16_t>(attempt + 1));
    copy(icmp + 8, kData, sizeof kData - 1);
    put16(icmp + 2, fold(sum16(icmp, kLen, 0)));
    send_frame(kEth + kIp + kLen);
    uint64_t deadline = walltime() + 2 * kSecond;
    while (size_t n = receive(deadline)) {
      size_t len = 0;
      const uint8_t* r = ip_payload(n, kIcmp, unreachable ? nullptr : target, len);
      if (r == nullptr) continue;
      if (unreachable) {
        // Type 3, then the offending IPv4 header: its destination is {target}.
        if (len < 8 + kIp || r[0] != 3 || !equal(r + 8 + 16, target, 4)) continue;
        print("unreach: ");
        print_ip(target);
        print(" unreachable (code ");
        print_u64(r[1]);
        print(")\n");
        return;
      }
      if (len != kLen || r[0] != 0 || get16(r + 4) != 0x5349) continue;
      if (!equal(r + 8, reinterpret_cast<const uint8_t*>(kData), sizeof kData - 1)) return fail("ping: payload");
      if (fold(sum16(r, len, 0)) != 0) return fail("ping: checksum of the reply");
      print("ping: reply from ");
      print_ip(target);
      print(" seq ");
      print_u64(get16(r + 6));
      print("\n");
      return;
    }
  }
  fail(unreachable ? "unreach: no ICMP error" : "ping: no reply");
}

// Sends {data} from our {sport} to {dst}:{dport}; waits for a datagram back
// from there to {sport}: its payload (in g_rx) and length, or nullptr.
const uint8_t* udp_exchange(const uint8_t* dst, uint16_t sport, uint16_t dport, const uint8_t* data, size_t len,
                            size_t& reply_len) {
  const uint8_t* mac = resolve(dst);
  if (mac == nullptr) return nullptr;
  for (int attempt = 0; attempt < 3; ++attempt) {
    uint8_t* udp = ip_header(mac, dst, kUdp, 8 + len);
    put16(udp, sport);
    put16(udp + 2, dport);
    put16(udp + 4, static_cast<uint16_t>(8 + len));
    put16(udp + 6, 0);
    copy(udp + 8, data, len);
    uint16_t sum = fold(sum16(udp, 8 + len, pseudo_sum(dst, kUdp, 8 + len)));
    put16(udp + 6, sum == 0 ? 0xffff : sum);
    send_frame(kEth + kIp + 8 + len);
    uint64_t deadline = walltime() + 2 * kSecond;
    while (size_t n = receive(deadline)) {
      size_t ip_len = 0;
      const uint8_t* r = ip_payload(n, kUdp, dst, ip_len);
      if (r == nullptr || ip_len < 8 || get16(r) != dport || get16(r + 2) != sport) continue;
      size_t ulen = get16(r + 4);
      if (ulen < 8 || ulen > ip_len) continue;
      reply_len = ulen - 8;
      return r + 8;
    }
  }
  return nullptr;
}

void do_udp(unsigned port) {
  static const char kData[] = "silk-udp";
  size_t len = 0;
  const uint8_t* r =
      udp_exchange(g_gw, 40000, static_cast<uint16_t>(port), reinterpret_cast<const uint8_t*>(kData), 8, len);
  if (r == nullptr) return fail("udp: no reply");
  if (len != 8 || !equal(r, reinterpret_cast<const uint8_t*>(kData), 8)) return fail("udp: the reply is not an echo");
  print("udp: echo from ");
  print_ip(g_gw);
  print(":");
  print_u64(port);
  print("\n");
}

void do_dns() {
  // ID 0x5157, RD, one question: silk.test IN A.
  static const uint8_t kQuery[] = {0x51, 0x57, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
                                   4, 's', 'i', 'l', 'k', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1};
  size_t len = 0;
  const uint8_t* r = udp_exchange(g_ns, 40001, 53, kQuery, sizeof kQuery, len);
  if (r == nullptr) return fail("dns: no answer");
  if (len < sizeof kQuery + 16 || get16(r) != 0x5157 || (r[2] & 0x80) == 0 || get16(r + 6) == 0)
    return fail("dns: not an answer to the query");
  // The answer record ends the message: ... TYPE A, CLASS IN, TTL, RDLENGTH 4, address.
  const uint8_t* rr = r + len - 14;
  if (get16(rr) != 1 || get16(rr + 8) != 4) return fail("dns: the last record is not an A record");
  print("dns: silk.test is ");
  print_ip(rr + 10);
  print("\n");
}

// One TCP connection to {port}, end to end; a toy: in-order segments only,
// retransmits what is unacknowledged after a quiet second.
struct Tcp {
  uint16_t port = 0, peer_port = 0;
  uint8_t peer_ip[4] = {}, peer_mac[6] = {};
  uint32_t snd_una = 0, snd_nxt = 0, rcv_nxt = 0;
  char line[64] = {};
  size_t line_len = 0;

  void segment(uint8_t flags, uint32_t seq, const char* data, size_t len) {
    uint8_t* tcp = ip_header(peer_mac, peer_ip, kTcp, 20 + len);
    put16(tcp, port);
    put16(tcp + 2, peer_port);
    put32(tcp + 4, seq);
    put32(tcp + 8, rcv_nxt);
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    put16(tcp + 14, 8192);  // window
    put16(tcp + 16, 0);
    put16(tcp + 18, 0);
    copy(tcp + 20, data, len);
    put16(tcp + 16, fold(sum16(tcp, 20 + len, pseudo_sum(peer_ip, kTcp, 20 + len))));
    send_frame(kEth + kIp + 20 + len);
  }
};

bool seq_after(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) > 0; }

void do_tcp(unsigned port) {
  print("tcp: listening on ");
  print_u64(port);
  print("\n");
  Tcp c;
  c.port = static_cast<uint16_t>(port);
  constexpr uint32_t kIss = 0x1000;
  enum { kListen, kSynReceived, kEstablished } state = kListen;
  bool peer_fin = false, sent_fin = false;
  char reply[80];
  size_t reply_len = 0;
  uint64_t deadline = walltime() + 30 * kSecond;
  for (int rounds = 0; rounds < 200; ++rounds) {
    uint64_t now = walltime();
    if (now >= deadline) break;
    size_t n = receive(now + kSecond < deadline ? now + kSecond : deadline);
    if (n == 0) {  // a quiet second: send again what is not acknowledged
      if (state == kSynReceived) c.segment(kSyn | kAck, kIss, nullptr, 0);
      if (sent_fin && c.snd_una != c.snd_nxt)
        c.segment(kAck | kPsh | kFin, c.snd_nxt - reply_len - 1, reply, reply_len);
      continue;
    }
    size_t len = 0;
    const uint8_t* t = ip_payload(n, kTcp, state == kListen ? nullptr : c.peer_ip, len);
    if (t == nullptr || len < 20 || get16(t + 2) != c.port) continue;
    size_t hl = static_cast<size_t>(t[12] >> 4) * 4;
    if (hl < 20 || hl > len) continue;
    uint8_t flags = t[13];
    uint32_t seq = get32(t + 4), ack = get32(t + 8);
    if (state != kListen && get16(t) != c.peer_port) continue;
    if (flags & kRst) return fail("tcp: the peer reset the connection");
    if (state == kListen || (flags & kSyn)) {
      if (!(flags & kSyn) || (flags & kAck)) continue;
      c.peer_port = get16(t);
      copy(c.peer_ip, g_rx + kEth + 12, 4);
      copy(c.peer_mac, g_rx + 6, 6);
      c.rcv_nxt = seq + 1;
      c.snd_una = kIss;
      c.snd_nxt = kIss + 1;
      state = kSynReceived;
      c.segment(kSyn | kAck, kIss, nullptr, 0);
      continue;
    }
    if ((flags & kAck) && seq_after(ack, c.snd_una) && !seq_after(ack, c.snd_nxt)) c.snd_una = ack;
    if (state == kSynReceived && c.snd_una == kIss + 1) state = kEstablished;
    if (sent_fin && peer_fin && c.snd_una == c.snd_nxt) break;  // both FINs acknowledged
    size_t data_len = len - hl;
    if (data_len == 0 && !(flags & kFin)) continue;
    if (seq != c.rcv_nxt) {  // a duplicate (or out of order): acknowledge what we have
      c.segment(kAck, c.snd_nxt, nullptr, 0);
      continue;
    }
    for (size_t i = 0; i < data_len && c.line_len < sizeof c.line - 1; ++i)
      c.line[c.line_len++] = static_cast<char>(t[hl + i]);
    c.rcv_nxt += static_cast<uint32_t>(data_len);
    if (flags & kFin) {
      c.rcv_nxt += 1;
      peer_fin = true;
    }
    bool have_line = c.line_len != 0 && c.line[c.line_len - 1] == '\n';
    if (!sent_fin && (have_line || peer_fin)) {
      copy(reinterpret_cast<uint8_t*>(reply), "pong: ", 6);
      copy(reinterpret_cast<uint8_t*>(reply) + 6, c.line, c.line_len);
      reply_len = 6 + c.line_len;
      c.segment(kAck | kPsh | kFin, c.snd_nxt, reply, reply_len);
      c.snd_nxt += static_cast<uint32_t>(reply_len) + 1;
      sent_fin = true;
    } else {
      c.segment(kAck, c.snd_nxt, nullptr, 0);
    }
    if (sent_fin && peer_fin && c.snd_una == c.snd_nxt) break;
  }
  // Our FIN may still be in flight: wait briefly for its acknowledgement.
  for (int rounds = 0; rounds < 20 && !(sent_fin && peer_fin && c.snd_una == c.snd_nxt); ++rounds) {
    size_t n = receive(walltime() + kSecond / 2);
    size_t len = 0;
    const uint8_t* t = n == 0 ? nullptr : ip_payload(n, kTcp, c.peer_ip, len);
    if (t == nullptr || len < 20 || get16(t + 2) != c.port || get16(t) != c.peer_port) continue;
    uint32_t seq = get32(t + 4), ack = get32(t + 8);
    if ((t[13] & kAck) && seq_after(ack, c.snd_una) && !seq_after(ack, c.snd_nxt)) c.snd_una = ack;
    if ((t[13] & kFin) && !peer_fin && seq + (len - static_cast<size_t>(t[12] >> 4) * 4) == c.rcv_nxt) {
      c.rcv_nxt += 1;
      peer_fin = true;
      c.segment(kAck, c.snd_nxt, nullptr, 0);
    }
  }
  if (!sent_fin) return fail("tcp: no request line");
  print("tcp: received [");
  if (c.line_len != 0) write(c.line, c.line[c.line_len - 1] == '\n' ? c.line_len - 1 : c.line_len);
  print("]\n");
  if (!(peer_fin && c.snd_una == c.snd_nxt)) return fail("tcp: the connection did not close cleanly");
  print("tcp: closed\n");
}

// An active open to gw:{port} from port 40002: sends "ping\n" with FIN and
// reads the answer to the peer's FIN (or expects a reset when {refused}).
void do_connect(unsigned port, bool refused) {
  const char* what = refused ? "refused: " : "connect: ";
  const uint8_t* mac = resolve(g_gw);
  if (mac == nullptr) return fail("connect: the gateway does not answer ARP");
  Tcp c;
  c.port = 40002;
  c.peer_port = static_cast<uint16_t>(port);
  copy(c.peer_ip, g_gw, 4);
  copy(c.peer_mac, mac, 6);
  constexpr uint32_t kIss = 0x2000;
  static const char kRequest[] = "ping\n";
  constexpr uint32_t kRequestLen = sizeof kRequest - 1;
  c.snd_una = kIss;
  c.snd_nxt = kIss + 1;
  bool established = false, peer_fin = false;
  c.segment(kSyn, kIss, nullptr, 0);
  uint64_t deadline = walltime() + 20 * kSecond;
  for (int rounds = 0; rounds < 200 && !(peer_fin && c.snd_una == c.snd_nxt); ++rounds) {
    uint64_t now = walltime();
    if (now >= deadline) break;
    size_t n = receive(now + kSecond < deadline ? now + kSecond : deadline);
    if (n == 0) {  // a quiet second: send again what is not acknowledged
      if (!established) c.segment(kSyn, kIss, nullptr, 0);
      else if (c.snd_una != c.snd_nxt) c.segment(kAck | kPsh | kFin, kIss + 1, kRequest, kRequestLen);
      continue;
    }
    size_t len = 0;
    const uint8_t* t = ip_payload(n, kTcp, c.peer_ip, len);
    if (t == nullptr || len < 20 || get16(t) != c.peer_port || get16(t + 2) != c.port) continue;
    size_t hl = static_cast<size_t>(t[12] >> 4) * 4;
    if (hl < 20 || hl > len) continue;
    uint8_t flags = t[13];
    uint32_t seq = get32(t + 4), ack = get32(t + 8);
    if (flags & kRst) {
      if (!refused) return fail("connect: the peer reset the connection");
      print("refused: reset by ");
      print_ip(g_gw);
      print(":");
      print_u64(port);
      print("\n");
      return;
    }
    if (!established) {
      if ((flags & (kSyn | kAck)) != (kSyn | kAck) || ack != kIss + 1) continue;
      established = true;
      c.rcv_nxt = seq + 1;
      c.snd_una = kIss + 1;
      c.segment(kAck | kPsh | kFin, c.snd_una, kRequest, kRequestLen);
      c.snd_nxt = kIss + 1 + kRequestLen + 1;
      continue;
    }
    if ((flags & kAck) && seq_after(ack, c.snd_una) && !seq_after(ack, c.snd_nxt)) c.snd_una = ack;
    size_t data_len = len - hl;
    if (data_len == 0 && !(flags & kFin)) continue;
    if (seq == c.rcv_nxt) {
      for (size_t i = 0; i < data_len && c.line_len < sizeof c.line - 1; ++i)
        c.line[c.line_len++] = static_cast<char>(t[hl + i]);
      c.rcv_nxt += static_cast<uint32_t>(data_len);
      if (flags & kFin) {
        c.rcv_nxt += 1;
        peer_fin = true;
      }
    }
    c.segment(kAck, c.snd_nxt, nullptr, 0);
  }
  if (refused) return fail("refused: no reset");
  if (!peer_fin || c.snd_una != c.snd_nxt) return fail("connect: the connection did not close cleanly");
  print(what);
  print("got [");
  if (c.line_len != 0) write(c.line, c.line[c.line_len - 1] == '\n' ? c.line_len - 1 : c.line_len);
  print("]\n");
}

void do_info(const HvtBootInfo* info) {
  print("net: mtu=");
  print_u64(info->net_mtu);
  print(" mac=");
  print_mac(info->net_mac);
  print(" ip=");
  print_ip(info->net_ipv4_addr);
  print("/");
  print_u64(info->net_ipv4_prefix);
  print(" gw=");
  print_ip(info->net_ipv4_gateway);
  print(" dns=");
  print_ip(info->net_ipv4_dns);
  print("\n");
}

void do_none(const HvtBootInfo* info) {
  if (info->net_mtu != 0) fail("no network: net_mtu 0");
  HvtNetWrite w{reinterpret_cast<GuestPhys>(g_tx), 60, 0, 0};
  hypercall(Hypercall::NetWrite, &w);
  if (w.ret != -1) fail("NetWrite without a network: -1");
  HvtNetRead r{reinterpret_cast<GuestPhys>(g_rx), sizeof g_rx, 0, 0};
  hypercall(Hypercall::NetRead, &r);
  if (r.ret != -1) fail("NetRead without a network: -1");
  HvtPoll p{1000000, 0, 0, 0};
  hypercall(Hypercall::Poll, &p);
  if (p.ret != 0 || p.ready_set != 0) fail("Poll without a network: 0");
}

}  // namespace

extern "C" [[noreturn]] __attribute__((section(".text.start"))) void _start(const HvtBootInfo* info) {
  copy(g_mac, info->net_mac, 6);
  copy(g_ip, info->net_ipv4_addr, 4);
  copy(g_gw, info->net_ipv4_gateway, 4);
  copy(g_ns, info->net_ipv4_dns, 4);
  const char* cmd = reinterpret_cast<const char*>(info->cmdline);
  print("net: ");
  print(cmd);
  print("\n");
  if (info->abi_version != kHvtAbiVersion) fail("abi_version");
  if (info->net_mtu != 0 && info->net_mtu != 1500) fail("net_mtu 1500");
  for (const char* w = cmd; *w != 0 && g_failures == 0;) {
    if (starts_with(w, "ip=")) {
      if (!parse_ip(w + 3, g_ip)) fail("ip=");
    } else if (starts_with(w, "gw=")) {
      if (!parse_ip(w + 3, g_gw)) fail("gw=");
    } else if (starts_with(w, "ns=")) {
      if (!parse_ip(w + 3, g_ns)) fail("ns=");
    } else if (starts_with(w, "info")) {
      do_info(info);
    } else if (starts_with(w, "arp")) {
      do_arp();
    } else if (starts_with(w, "ping")) {
      do_ping(g_gw, false);
    } else if (starts_with(w, "unreach=")) {
      uint8_t target[4];
      if (!parse_ip(w + 8, target)) fail("unreach=");
      else do_ping(target, true);
    } else if (starts_with(w, "udp=")) {
      do_udp(parse_uint(w + 4));
    } else if (starts_with(w, "dns")) {
      do_dns();
    } else if (starts_with(w, "tcp=")) {
      do_tcp(parse_uint(w + 4));
    } else if (starts_with(w, "connect=")) {
      do_connect(parse_uint(w + 8), false);
    } else if (starts_with(w, "refused=")) {
      do_connect(parse_uint(w + 8), true);
    } else if (starts_with(w, "none")) {
      do_none(info);
    } else if (starts_with(w, "short")) {
      send_frame(10);
    } else if (starts_with(w, "long")) {
      send_frame(1515);
    } else if (starts_with(w, "smallbuf")) {
      HvtNetRead r{reinterpret_cast<GuestPhys>(g_rx), 100, 0, 0};
      hypercall(Hypercall::NetRead, &r);
    } else if (starts_with(w, "oob")) {
      HvtNetWrite call{info->mem_size - 20, 60, 0, 0};
      hypercall(Hypercall::NetWrite, &call);
    } else {
      fail("unknown word on the command line");
    }
    while (*w != 0 && *w != ' ') ++w;
    while (*w == ' ') ++w;
  }
  if (g_failures != 0) halt(1);
  print("net: ok\n");
  halt(0);
}
