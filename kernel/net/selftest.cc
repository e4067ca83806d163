// selftest=net: the network end to end, driven by kernel/tests/net_test.sh.
// After net::init has configured the interface (DHCP under QEMU's user
// network): (b) ARP and ping the gateway, (a) serve one HTTP request on
// port 80 (the test connects through QEMU's hostfwd with curl), then halt.

#include "lib/clock.h"
#include "lib/cmdline.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lwip/etharp.h"
#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip4.h"
#include "lwip/netif.h"
#include "lwip/prot/ip4.h"
#include "lwip/raw.h"
#include "lwip/tcp.h"
#include "net/net.h"
#include "platform/platform.h"

namespace silk::kernel::net {
namespace {

constexpr uint16_t kHttpPort = 80;
constexpr uint64_t kPingWaitNs = 5'000'000'000ull;
constexpr uint64_t kHttpWaitNs = 100'000'000'000ull;
constexpr uint16_t kPingId = 0x5117;
constexpr char kBody[] = "hello from the silk kernel over lwIP\n";

[[noreturn]] void fail(const char* what) {
  kprintf("selftest net: FAILED: %s\n", what);
  platform::halt(platform::kExitSelfCheckFailed);
}

// ---- ping ---------------------------------------------------------------

struct Ping {
  bool replied = false;
  uint64_t sent_ns = 0;
  uint64_t rtt_ns = 0;
};

u8_t ping_received(void* arg, struct raw_pcb*, struct pbuf* p, const ip_addr_t*) {
  auto* ping = static_cast<Ping*>(arg);
  // Raw IPv4 PCBs see the packet from its IP header on.
  auto* ip = static_cast<const struct ip_hdr*>(p->payload);
  u16_t ip_len = static_cast<u16_t>(IPH_HL_BYTES(ip));
  struct icmp_echo_hdr echo;
  if (p->tot_len < ip_len + sizeof echo || pbuf_copy_partial(p, &echo, sizeof echo, ip_len) != sizeof echo) return 0;
  if (echo.type != ICMP_ER || echo.id != lwip_htons(kPingId)) return 0;
  ping->replied = true;
  ping->rtt_ns = monotonic_ns() - ping->sent_ns;
  pbuf_free(p);
  return 1;  // eaten
}

bool send_echo(struct raw_pcb* pcb, const ip_addr_t* to, uint16_t seq) {
  constexpr u16_t kPayload = 32;
  struct pbuf* p = pbuf_alloc(PBUF_IP, sizeof(struct icmp_echo_hdr) + kPayload, PBUF_RAM);
  if (p == nullptr) return false;
  auto* echo = static_cast<struct icmp_echo_hdr*>(p->payload);
  echo->type = ICMP_ECHO;
  echo->code = 0;
  echo->chksum = 0;
  echo->id = lwip_htons(kPingId);
  echo->seqno = lwip_htons(seq);
  auto* data = reinterpret_cast<uint8_t*>(echo + 1);
  for (u16_t i = 0; i < kPayload; ++i) data[i] = static_cast<uint8_t>('a' + i % 26);
  echo->chksum = inet_chksum(echo, p->len);
  err_t err = raw_sendto(pcb, p, to);
  pbuf_free(p);
  return err == ERR_OK;
}

void ping_gateway(struct netif* netif) {
  ip_addr_t gw;
  ip_addr_copy_from_ip4(gw, *netif_ip4_gw(netif));
  char gw_text[16];
  ip4addr_ntoa_r(ip_2_ip4(&gw), gw_text, sizeof gw_text);
  if (ip4_addr_isany_val(*ip_2_ip4(&gw))) fail("no gateway to ping");

  Ping ping;
  struct raw_pcb* pcb = raw_new(IP_PROTO_ICMP);
  if (pcb == nullptr) fail("raw_new");
  raw_recv(pcb, ping_received, &ping);
  uint64_t start = monotonic_ns();
  uint16_t seq = 0;
  // The first echo waits in etharp's queue for the ARP reply; send again
  // every second until a reply or the deadline.
  while (!ping.replied && monotonic_ns() - start < kPingWaitNs) {
    ping.sent_ns = monotonic_ns();
    if (!send_echo(pcb, &gw, ++seq)) fail("raw_sendto");
    while (!ping.replied && monotonic_ns() - ping.sent_ns < 1'000'000'000ull) poll(100'000'000);
  }
  raw_remove(pcb);
  if (!ping.replied) fail("no ping reply from the gateway");

  struct eth_addr* mac = nullptr;
  const ip4_addr_t* entry = nullptr;
  if (etharp_find_addr(netif, ip_2_ip4(&gw), &mac, &entry) < 0) fail("the gateway is not in the ARP table");
  const uint8_t* m = mac->addr;
  kprintf("net: arp %s is %02x:%02x:%02x:%02x:%02x:%02x, ping %s: reply (seq %u) in %lu us\n", gw_text, m[0], m[1],
          m[2], m[3], m[4], m[5], gw_text, seq, ping.rtt_ns / 1000);
}

// ---- HTTP ----------------------------------------------------------------
// A small server for the test's requests, one state per connection:
//   GET /       the fixed body kBody
//   GET /big    kBigBytes of "0123456789abcdef" repeated (many segments out)
//   POST /sum   reads Content-Length bytes, answers "N bytes, sum S" (many in)
// Every response closes its connection once acknowledged. The server stops
// after `net-requests=N` responses (default 1).

constexpr size_t kBigBytes = 1u << 20;
constexpr char kPattern[] = "0123456789abcdef";

struct Server {
  int want = 1;
  int served = 0;
  int open = 0;
  bool failed = false;
  char first[96] = {};  // "GET / HTTP/1.1" to 10.0.2.2:PORT, for the log
};

struct Conn {
  Server* server;
  char head[1024];
  size_t head_len = 0;
  bool head_done = false;
  bool post = false;
  size_t content_length = 0;
  size_t body_seen = 0;
  uint32_t body_sum = 0;
  size_t big_left = 0;  // /big bytes not yet queued
  size_t big_offset = 0;
  size_t unacked = 0;   // response bytes queued, not yet acknowledged
  bool responded = false;
};

void conn_free(Conn* c, struct tcp_pcb* pcb) {
  if (pcb != nullptr) {
    tcp_arg(pcb, nullptr);
    tcp_recv(pcb, nullptr);
    tcp_sent(pcb, nullptr);
    tcp_err(pcb, nullptr);
  }
  --c->server->open;
  delete c;
}

// Queues as much of /big as the send buffer takes.
void queue_big(Conn* c, struct tcp_pcb* pcb) {
  static char s_chunk[4096 + 16];
  if (s_chunk[0] == '\0') {
    for (size_t i = 0; i < sizeof s_chunk; ++i) s_chunk[i] = kPattern[i % 16];
  }
  while (c->big_left != 0) {
    size_t n = tcp_sndbuf(pcb);
    if (n > 4096) n = 4096;
    if (n > c->big_left) n = c->big_left;
    if (n == 0) break;
    u8_t flags = TCP_WRITE_FLAG_COPY | (n < c->big_left ? TCP_WRITE_FLAG_MORE : 0);
    if (tcp_write(pcb, s_chunk + c->big_offset % 16, static_cast<u16_t>(n), flags) != ERR_OK) break;
    c->big_left -= n;
    c->big_offset += n;
    c->unacked += n;
  }
}

void respond(Conn* c, struct tcp_pcb* pcb) {
  char body[64];
  const char* data = kBody;
  size_t data_len = sizeof kBody - 1, content_length = data_len;
  if (c->post) {
    data_len = content_length = format(body, sizeof body, "%zu bytes, sum %u\n", c->body_seen, c->body_sum);
    data = body;
  } else if (strncmp(c->head, "GET /big ", 9) == 0) {
    data_len = 0;
    content_length = kBigBytes;
    c->big_left = kBigBytes;
  }
  char head[160];
  size_t n = format(head, sizeof head,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                    content_length);
  c->responded = true;
  c->unacked = n + data_len;
  if (tcp_write(pcb, head, static_cast<u16_t>(n), TCP_WRITE_FLAG_COPY | TCP_WRITE_FLAG_MORE) != ERR_OK ||
      (data_len != 0 && tcp_write(pcb, data, static_cast<u16_t>(data_len), TCP_WRITE_FLAG_COPY) != ERR_OK)) {
    c->server->failed = true;
    return;
  }
  queue_big(c, pcb);
  tcp_output(pcb);
}

err_t http_sent(void* arg, struct tcp_pcb* pcb, u16_t len) {
  auto* c = static_cast<Conn*>(arg);
  c->unacked -= len < c->unacked ? len : c->unacked;
  if (c->big_left != 0) {
    queue_big(c, pcb);
    tcp_output(pcb);
  }
  if (c->unacked != 0 || c->big_left != 0) return ERR_OK;
  ++c->server->served;
  conn_free(c, pcb);
  if (tcp_close(pcb) != ERR_OK) {
    tcp_abort(pcb);
    return ERR_ABRT;  // lwIP's rule after tcp_abort inside a callback
  }
  return ERR_OK;
}

// The request head is in; picks out the first line and Content-Length.
void parse_head(Conn* c, struct tcp_pcb* pcb) {
  c->post = strncmp(c->head, "POST ", 5) == 0;
  for (char* line = c->head; *line != '\0';) {
    char* end = line;
    while (*end != '\0' && *end != '\n') ++end;
    if (strncmp(line, "Content-Length:", 15) == 0 || strncmp(line, "content-length:", 15) == 0) {
      size_t v = 0;
      for (const char* d = line + 15; d < end; ++d) {
        if (*d >= '0' && *d <= '9') v = v * 10 + static_cast<size_t>(*d - '0');
      }
      c->content_length = v;
    }
    line = *end == '\n' ? end + 1 : end;
  }
  Server* s = c->server;
  if (s->first[0] == '\0') {
    char* eol = c->head;
    while (*eol != '\0' && *eol != '\r' && *eol != '\n') ++eol;
    char saved = *eol;
    *eol = '\0';
    format(s->first, sizeof s->first, "\"%s\" to %s:%u", c->head, ip4addr_ntoa(ip_2_ip4(&pcb->remote_ip)),
           pcb->remote_port);
    *eol = saved;
  }
}

// The sum of {n} bytes at {b}, 8 at a time (SWAR: every instruction counts
// where ring 0 is emulated).
uint32_t byte_sum(const uint8_t* b, size_t n) {
  uint64_t sum = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    memcpy(&x, b + i, 8);
    x = (x & 0x00ff00ff00ff00ffull) + ((x >> 8) & 0x00ff00ff00ff00ffull);
    x = (x & 0x0000ffff0000ffffull) + ((x >> 16) & 0x0000ffff0000ffffull);
    sum += (x & 0xffffffffull) + (x >> 32);
  }
  for (; i < n; ++i) sum += b[i];
  return static_cast<uint32_t>(sum);
}

// Consumes {p}'s bytes: the head first, then (POST) the body.
void take(Conn* c, struct tcp_pcb* pcb, struct pbuf* p) {
  for (struct pbuf* q = p; q != nullptr; q = q->next) {
    const auto* bytes = static_cast<const uint8_t*>(q->payload);
    u16_t i = 0;
    for (; i < q->len && !c->head_done; ++i) {
      if (c->head_len + 1 < sizeof c->head) c->head[c->head_len++] = static_cast<char>(bytes[i]);
      c->head[c->head_len] = '\0';
      if (c->head_len >= 4 && memcmp(c->head + c->head_len - 4, "\r\n\r\n", 4) == 0) {
        c->head_done = true;
        parse_head(c, pcb);
      }
    }
    c->body_seen += q->len - i;
    c->body_sum += byte_sum(bytes + i, q->len - i);
  }
}

err_t http_received(void* arg, struct tcp_pcb* pcb, struct pbuf* p, err_t err) {
  auto* c = static_cast<Conn*>(arg);
  if (p == nullptr) {  // the client closed its side
    if (!c->responded) c->server->failed = true;
    return ERR_OK;
  }
  take(c, pcb, p);
  tcp_recved(pcb, p->tot_len);
  pbuf_free(p);
  if (c->head_done && !c->responded && (!c->post || c->body_seen >= c->content_length)) respond(c, pcb);
  return ERR_OK;
}

void http_error(void* arg, err_t err) {
  auto* c = static_cast<Conn*>(arg);
  if (c == nullptr) return;
  kprintf("net: an HTTP connection failed (lwIP error %d)\n", err);
  c->server->failed = true;
  conn_free(c, nullptr);  // lwIP has freed the PCB
}

err_t http_accepted(void* arg, struct tcp_pcb* pcb, err_t err) {
  auto* server = static_cast<Server*>(arg);
  if (err != ERR_OK || pcb == nullptr) return ERR_VAL;
  auto* c = new Conn{server};
  ++server->open;
  tcp_arg(pcb, c);
  tcp_recv(pcb, http_received);
  tcp_sent(pcb, http_sent);
  tcp_err(pcb, http_error);
  return ERR_OK;
}

void serve_http(int requests) {
  Server server;
  server.want = requests;
  struct tcp_pcb* listener = tcp_new();
  if (listener == nullptr || tcp_bind(listener, IP_ANY_TYPE, kHttpPort) != ERR_OK) fail("tcp_bind port 80");
  listener = tcp_listen_with_backlog(listener, 64);
  if (listener == nullptr) fail("tcp_listen");
  tcp_arg(listener, &server);
  tcp_accept(listener, http_accepted);
  kprintf("net: http server listening on port %u\n", kHttpPort);

  uint64_t start = monotonic_ns();
  while (server.served < server.want && !server.failed && monotonic_ns() - start < kHttpWaitNs) poll(100'000'000);
  tcp_close(listener);
  if (server.failed) fail("an HTTP exchange broke off");
  if (server.served < server.want) fail("too few HTTP requests within the time limit");
  kprintf("net: served %s (%d request%s)\n", server.first, server.served, server.served == 1 ? "" : "s");
  // Let the FIN exchanges finish (TIME_WAIT may remain; the VM halts anyway).
  for (int i = 0; i < 5 && server.open != 0; ++i) poll(20'000'000);
}

}  // namespace

void run_selftest() {
  if (!has_interface()) fail("no network device (QEMU: -device virtio-net-device,netdev=...)");
  struct netif* netif = netif_default;
  if (netif == nullptr || ip4_addr_isany_val(*netif_ip4_addr(netif))) fail("no address (DHCP did not answer)");
  ping_gateway(netif);
  char word[16];
  int requests = 1;
  if (cmdline_value(platform::cmdline(), "net-requests", word, sizeof word)) {
    requests = 0;
    for (const char* d = word; *d >= '0' && *d <= '9'; ++d) requests = requests * 10 + (*d - '0');
    if (requests < 1) requests = 1;
  }
  serve_http(requests);
  kprintf("selftest net: passed\n");
  platform::halt(platform::kExitOk);
}

}  // namespace silk::kernel::net
