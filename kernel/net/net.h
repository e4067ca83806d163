// The kernel's TCP/IP: lwIP 2.1.3 (raw API, NO_SYS=1, IPv4) over the
// platform's network device (platform::network_device(): virtio-net under
// QEMU microvm and Firecracker, the hvt net device under silk vm), plus the
// loopback interface 127.0.0.1. This is the contract for the socket layer.
//
// Threading: lwIP is not thread-safe and NO_SYS has no locks. Everything
// below and every lwIP call run on the kernel's one CPU, never from an
// interrupt (there are none yet) and never re-entered: lwIP callbacks must
// not call net::poll().
//
// How the socket layer drives it:
//   * Use lwIP's raw API directly (lwip/tcp.h, lwip/udp.h, lwip/raw.h,
//     lwip/dns.h): tcp_new, tcp_bind, tcp_listen_with_backlog, tcp_accept,
//     tcp_connect, tcp_recv, tcp_sent, tcp_err, tcp_write + tcp_output,
//     tcp_recved, tcp_shutdown, tcp_close, tcp_abort; udp_new/bind/sendto/recv.
//   * lwIP calls the registered callbacks (accept, connected, recv, sent,
//     err, udp recv, dns found) synchronously from inside net::poll(); tcp_abort
//     calls the err callback (ERR_ABRT) from inside itself. A callback records
//     the event in the socket (queue the pbuf, set a flag, count bytes) and
//     returns; the socket call that is waiting re-checks its condition after
//     net::poll() returns. Errors found at once come back as err_t from the
//     call itself (tcp_connect without a route: ERR_RTE).
//   * Names: dns_gethostbyname (lwip/dns.h); its server comes from DHCP or
//     the `dns=` word.
//   * Nothing moves between poll() calls: frames wait in the device (virtio
//     ring, the monitor's queue) and timers (retransmits, DHCP renewal) are
//     late. Every blocking socket call must therefore wait in poll().
//   * A blocking socket call is: `while (!ready(sock) && !expired) net::poll(remaining_ns);`
//     A non-blocking one, and epoll/ppoll with timeout 0: `net::poll(0)` once,
//     then look at the flags.
//   * Ownership (lwIP's rules): a pbuf handed to a recv callback belongs to
//     the callee (pbuf_free it after copying; call tcp_recved(pcb, len) once
//     the application has consumed len bytes, which reopens the window). A
//     PCB whose err callback ran is already freed by lwIP. tcp_write copies
//     with TCP_WRITE_FLAG_COPY; tcp_sndbuf(pcb) bytes fit at most.
//   * Limits (lwipopts.h): TCP_WND = TCP_SND_BUF = 128 KiB with window
//     scaling, MSS 1460, PCBs and buffers from the kernel heap (no fixed
//     pools: ~100 concurrent connections are fine), listen backlogs honoured.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace silk::kernel::net {

// Brings up networking once the heap is ready (kmain): the platform's
// network device, lwIP, the device as the default interface, its address
// from the command line words `ip=ADDR/PREFIX gw=ADDR dns=ADDR` or else by
// DHCP (waited for up to 10 s; DHCP keeps trying in net::poll() afterwards).
// Prints `net: 10.0.2.15/24 gw 10.0.2.2 (dhcp)` unless {quiet}, and the
// phase times with {trace}. Without a device lwIP is left for start().
void init(bool quiet, bool trace);

// Initialises lwIP and the loopback interface (127.0.0.1) if init() did not
// (it skips lwIP when there is no network device, to keep such boots short).
// Call before the first lwIP call; free afterwards. poll() calls it too.
void start();

// True when an Ethernet interface exists (a device was found); false before
// init() and on a machine without a network device.
bool has_interface();

// Pumps the device (every waiting frame into lwIP, transmit buffers
// reclaimed), delivers loopback traffic and runs lwIP's timers
// (sys_check_timeouts). When that found nothing to do, blocks for up to
// {timeout_ns} (0: never) until a frame arrives or a timer is due, then pumps
// again. Returns the number of frames received (0 on a timeout).
//
// Blocking: under silk vm the vCPU sleeps in the monitor (the Poll
// hypercall). Under QEMU/Firecracker the kernel has no interrupts yet, so it
// spins on the virtio used ring with `pause` until the deadline: callers
// should pass the time they really can wait, not "forever".
size_t poll(uint64_t timeout_ns);

// Nanoseconds until lwIP's next timer is due (capped at 1 s): the longest a
// caller should sleep elsewhere without calling poll().
uint64_t next_timer_ns();

// The interface's IPv4 configuration; all zero when there is no interface or
// no address yet. Addresses in network byte order (lwIP's ip4_addr_t.addr).
struct Config {
  uint32_t address;
  uint32_t netmask;
  uint32_t gateway;
  uint32_t dns;
  uint8_t mac[6];
  uint16_t mtu;
  bool dhcp;  // the address came from DHCP (else from ip=)
};
Config config();

// selftest=net (kernel/tests/net_test.sh): pings the gateway, then serves one
// HTTP request on port 80 and halts with status 0 (1 on a failure).
[[noreturn]] void run_selftest();

}  // namespace silk::kernel::net
