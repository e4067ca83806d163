// selftest=net: the network end to end, driven by kernel/tests/net_test.sh.
// After net::init has configured the interface (DHCP under QEMU's user
// network): (b) ARP and ping the gateway, (a) serve one HTTP request on
// port 80 (the test connects through QEMU's hostfwd with curl), then halt.

#include "lib/clock.h"
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
constexpr uint64_t kHttpWaitNs = 60'000'000'000ull;
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

// ---- one HTTP request -----------------------------------------------------

struct Http {
  struct tcp_pcb* conn = nullptr;
  char request[512];
  size_t request_len = 0;
  size_t to_ack = 0;  // response bytes not yet acknowledged
  bool responded = false;
  bool done = false;
  bool failed = false;
  char peer[24];
};

err_t http_sent(void* arg, struct tcp_pcb* pcb, u16_t len) {
  auto* http = static_cast<Http*>(arg);
  http->to_ack -= len < http->to_ack ? len : http->to_ack;
  if (http->to_ack == 0) {
    tcp_arg(pcb, nullptr);
    tcp_sent(pcb, nullptr);
    tcp_recv(pcb, nullptr);
    tcp_err(pcb, nullptr);
    err_t result = ERR_OK;
    if (tcp_close(pcb) != ERR_OK) {
      tcp_abort(pcb);
      result = ERR_ABRT;  // lwIP's rule after tcp_abort inside a callback
    }
    http->conn = nullptr;
    http->done = true;
    return result;
  }
  return ERR_OK;
}

void http_respond(Http* http, struct tcp_pcb* pcb) {
  char head[160];
  size_t body_len = sizeof kBody - 1;
  size_t n = format(head, sizeof head,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                    body_len);
  http->to_ack = n + body_len;
  tcp_sent(pcb, http_sent);
  if (tcp_write(pcb, head, static_cast<u16_t>(n), TCP_WRITE_FLAG_COPY | TCP_WRITE_FLAG_MORE) != ERR_OK ||
      tcp_write(pcb, kBody, static_cast<u16_t>(body_len), TCP_WRITE_FLAG_COPY) != ERR_OK) {
    http->failed = true;
    return;
  }
  tcp_output(pcb);
  http->responded = true;
}

err_t http_received(void* arg, struct tcp_pcb* pcb, struct pbuf* p, err_t err) {
  auto* http = static_cast<Http*>(arg);
  if (p == nullptr) {  // the client closed before a whole request
    if (!http->responded) http->failed = true;
    return ERR_OK;
  }
  size_t room = sizeof http->request - 1 - http->request_len;
  size_t take = p->tot_len < room ? p->tot_len : room;
  pbuf_copy_partial(p, http->request + http->request_len, static_cast<u16_t>(take), 0);
  http->request_len += take;
  http->request[http->request_len] = '\0';
  tcp_recved(pcb, p->tot_len);
  pbuf_free(p);
  bool complete = false;
  for (size_t i = 0; i + 3 < http->request_len; ++i) {
    if (memcmp(http->request + i, "\r\n\r\n", 4) == 0) complete = true;
  }
  if (complete && !http->responded) http_respond(http, pcb);
  return ERR_OK;
}

void http_error(void* arg, err_t err) {
  auto* http = static_cast<Http*>(arg);
  http->conn = nullptr;  // lwIP has freed the PCB
  if (!http->done) http->failed = true;
}

err_t http_accepted(void* arg, struct tcp_pcb* pcb, err_t err) {
  auto* http = static_cast<Http*>(arg);
  if (err != ERR_OK || pcb == nullptr) return ERR_VAL;
  if (http->conn != nullptr) {  // one request only
    tcp_abort(pcb);
    return ERR_ABRT;
  }
  http->conn = pcb;
  format(http->peer, sizeof http->peer, "%s:%u", ip4addr_ntoa(ip_2_ip4(&pcb->remote_ip)), pcb->remote_port);
  tcp_arg(pcb, http);
  tcp_recv(pcb, http_received);
  tcp_err(pcb, http_error);
  return ERR_OK;
}

void serve_one_request() {
  Http http;
  struct tcp_pcb* listener = tcp_new();
  if (listener == nullptr || tcp_bind(listener, IP_ANY_TYPE, kHttpPort) != ERR_OK) fail("tcp_bind port 80");
  listener = tcp_listen_with_backlog(listener, 4);
  if (listener == nullptr) fail("tcp_listen");
  tcp_arg(listener, &http);
  tcp_accept(listener, http_accepted);
  kprintf("net: http server listening on port %u\n", kHttpPort);

  uint64_t start = monotonic_ns();
  while (!http.done && !http.failed && monotonic_ns() - start < kHttpWaitNs) poll(100'000'000);
  tcp_close(listener);
  if (http.failed) fail("the HTTP exchange broke off");
  if (!http.done) fail("no HTTP request within 60 s");
  // The first line of the request, for the log.
  char* eol = http.request;
  while (*eol != '\0' && *eol != '\r') ++eol;
  *eol = '\0';
  kprintf("net: served \"%s\" to %s (%zu-byte body)\n", http.request, http.peer, sizeof kBody - 1);
  // Let the FIN exchange finish (TIME_WAIT may remain; the VM halts anyway).
  for (int i = 0; i < 5; ++i) poll(20'000'000);
}

}  // namespace

void run_selftest() {
  if (!has_interface()) fail("no network device (QEMU: -device virtio-net-device,netdev=...)");
  struct netif* netif = netif_default;
  if (netif == nullptr || ip4_addr_isany_val(*netif_ip4_addr(netif))) fail("no address (DHCP did not answer)");
  ping_gateway(netif);
  serve_one_request();
  kprintf("selftest net: passed\n");
  platform::halt(platform::kExitOk);
}

}  // namespace silk::kernel::net
