// net::init and net::poll: lwIP's Ethernet interface over a net::NetDevice
// and the loop that drives the stack (see net.h).

#include "net/net.h"

#include "lib/clock.h"
#include "lib/cmdline.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/timeouts.h"
#include "net/device.h"
#include "netif/ethernet.h"
#include "platform/platform.h"

namespace silk::kernel::net {
namespace {

constexpr uint64_t kDhcpWaitNs = 10'000'000'000ull;
constexpr uint64_t kMaxSleepNs = 1'000'000'000ull;
constexpr size_t kPumpBatch = 64;  // frames per pump before the timers get a turn

struct netif g_netif;
NetDevice* g_device = nullptr;
bool g_dhcp = false;
bool g_started = false;  // lwip_init has run
struct pbuf* g_spare = nullptr;  // a receive pbuf kept when the device had nothing

// netif->linkoutput: one frame out, copied once into the device's buffer.
err_t link_output(struct netif* netif, struct pbuf* p) {
  uint8_t* frame = g_device->send_buffer(p->tot_len);
  if (frame == nullptr) return ERR_MEM;  // the transmit queue is full: TCP retries
  pbuf_copy_partial(p, frame, p->tot_len, 0);
  return g_device->send(p->tot_len) ? ERR_OK : ERR_IF;
}

err_t netif_setup(struct netif* netif) {
  netif->name[0] = 'e';
  netif->name[1] = 'n';
  netif->output = etharp_output;
  netif->linkoutput = link_output;
  netif->mtu = static_cast<u16_t>(g_device->mtu());
  netif->hwaddr_len = ETH_HWADDR_LEN;
  g_device->mac(netif->hwaddr);
  netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
  netif_set_hostname(netif, "silk");
  return ERR_OK;
}

// Every waiting frame (up to kPumpBatch) into lwIP; returns how many.
size_t pump() {
  size_t frames = 0;
  if (g_device != nullptr) {
    const uint16_t frame_max = static_cast<uint16_t>(g_device->mtu() + kEthernetHeader);
    while (frames < kPumpBatch) {
      if (g_spare == nullptr) g_spare = pbuf_alloc(PBUF_RAW, frame_max, PBUF_RAM);
      if (g_spare == nullptr) break;  // out of memory: leave the frames queued
      size_t len = g_device->receive(static_cast<uint8_t*>(g_spare->payload), frame_max);
      if (len == 0) break;
      struct pbuf* p = g_spare;
      g_spare = nullptr;
      pbuf_realloc(p, static_cast<u16_t>(len));
      if (g_netif.input(p, &g_netif) != ERR_OK) pbuf_free(p);
      ++frames;
    }
  }
  netif_poll_all();  // loopback (LWIP_NETIF_LOOPBACK under NO_SYS)
  return frames;
}

// "ip=10.0.2.15/24" → address and netmask; false when malformed.
bool parse_cidr(const char* text, ip4_addr_t* address, ip4_addr_t* netmask) {
  char buf[24];
  copy_string(buf, sizeof buf, text);
  char* slash = buf;
  while (*slash != '\0' && *slash != '/') ++slash;
  unsigned prefix = 24;
  if (*slash == '/') {
    *slash = '\0';
    prefix = 0;
    for (const char* d = slash + 1; *d >= '0' && *d <= '9'; ++d) prefix = prefix * 10 + static_cast<unsigned>(*d - '0');
    if (prefix > 32 || slash[1] == '\0') return false;
  }
  if (ip4addr_aton(buf, address) == 0) return false;
  uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  ip4_addr_set_u32(netmask, lwip_htonl(mask));
  return true;
}

unsigned prefix_length(const ip4_addr_t* netmask) {
  return static_cast<unsigned>(__builtin_popcount(ip4_addr_get_u32(netmask)));
}

uint64_t elapsed_us(uint64_t since_ns) { return (monotonic_ns() - since_ns) / 1000; }

}  // namespace

void start() {
  if (g_started) return;
  g_started = true;
  lwip_init();
}

void init(bool quiet, bool trace) {
  uint64_t t0 = monotonic_ns();
  g_device = platform::network_device();
  uint64_t device_us = elapsed_us(t0);
  if (g_device == nullptr) {
    // lwIP waits for the first socket (start()): boots without a network
    // device do not pay for it.
    if (trace) kprintf("net: no network device (probe %lu us)\n", device_us);
    return;
  }
  uint64_t t1 = monotonic_ns();
  start();
  uint64_t lwip_us = elapsed_us(t1);

  const char* cmdline = platform::cmdline();
  char word[64];
  ip4_addr_t address{}, netmask{}, gateway{};
  bool fixed = cmdline_value(cmdline, "ip", word, sizeof word);
  if (fixed && !parse_cidr(word, &address, &netmask)) {
    kprintf("net: ignoring ip=%s (want ip=ADDR/PREFIX); using DHCP\n", word);
    fixed = false;
  }
  if (fixed && cmdline_value(cmdline, "gw", word, sizeof word) && ip4addr_aton(word, &gateway) == 0) {
    kprintf("net: ignoring gw=%s\n", word);
  }
  if (cmdline_value(cmdline, "dns", word, sizeof word)) {
    ip_addr_t dns{};
    if (ip4addr_aton(word, ip_2_ip4(&dns)) != 0) {
      dns_setserver(0, &dns);
    } else {
      kprintf("net: ignoring dns=%s\n", word);
    }
  }
  netif_add(&g_netif, &address, &netmask, &gateway, nullptr, netif_setup, ethernet_input);
  netif_set_default(&g_netif);
  netif_set_up(&g_netif);
  netif_set_link_up(&g_netif);

  uint64_t t2 = monotonic_ns();
  g_dhcp = !fixed;
  if (g_dhcp) {
    dhcp_start(&g_netif);
    while (!dhcp_supplied_address(&g_netif) && monotonic_ns() - t2 < kDhcpWaitNs) poll(100'000'000);
  }
  uint64_t config_us = elapsed_us(t2);

  if (!quiet) {
    uint8_t mac[6];
    g_device->mac(mac);
    if (ip4_addr_isany_val(*netif_ip4_addr(&g_netif))) {
      kprintf("net: %s %02x:%02x:%02x:%02x:%02x:%02x: no DHCP answer within 10 s (still asking)\n",
              g_device->name(), mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    } else {
      char ip[16], gw[16];
      ip4addr_ntoa_r(netif_ip4_addr(&g_netif), ip, sizeof ip);
      ip4addr_ntoa_r(netif_ip4_gw(&g_netif), gw, sizeof gw);
      kprintf("net: %s/%u gw %s (%s)\n", ip, prefix_length(netif_ip4_netmask(&g_netif)), gw,
              g_dhcp ? "dhcp" : "static");
    }
  }
  if (trace) {
    kprintf("net: lwip_init %lu us, %s probe %lu us, %s %lu us\n", lwip_us, g_device->name(), device_us,
            g_dhcp ? "dhcp" : "static config", config_us);
  }
}

bool has_interface() { return g_device != nullptr; }

uint64_t next_timer_ns() {
  if (!g_started) return kMaxSleepNs;
  u32_t ms = sys_timeouts_sleeptime();
  uint64_t ns = ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE ? kMaxSleepNs : uint64_t{ms} * 1'000'000u;
  return ns < kMaxSleepNs ? ns : kMaxSleepNs;
}

size_t poll(uint64_t timeout_ns) {
  start();
  uint64_t begin = monotonic_ns();
  size_t frames = pump();
  for (;;) {
    sys_check_timeouts();
    uint64_t spent = monotonic_ns() - begin;
    // The host's stop signal ends the wait too (event::take_host_signal).
    if (frames != 0 || spent >= timeout_ns || platform::host_signal_pending()) return frames;
    uint64_t wait = timeout_ns - spent;
    uint64_t timer = next_timer_ns();
    if (timer < wait) wait = timer;
    if (g_device == nullptr) {
      // Only loopback: nothing arrives from outside, and no other thread
      // runs meanwhile, so sleep until the next timer.
      platform::idle(wait);
      frames = pump();
      continue;
    }
    if (wait != 0 && g_device->wait(wait)) frames = pump();
  }
}

Config config() {
  Config c{};
  if (g_device == nullptr) return c;
  c.address = ip4_addr_get_u32(netif_ip4_addr(&g_netif));
  c.netmask = ip4_addr_get_u32(netif_ip4_netmask(&g_netif));
  c.gateway = ip4_addr_get_u32(netif_ip4_gw(&g_netif));
  const ip_addr_t* dns = dns_getserver(0);
  c.dns = ip4_addr_get_u32(ip_2_ip4(dns));
  memcpy(c.mac, g_netif.hwaddr, 6);
  c.mtu = g_netif.mtu;
  c.dhcp = g_dhcp;
  return c;
}

}  // namespace silk::kernel::net
