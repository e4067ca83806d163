/* lwIP 2.1.3 options for silk's kernel (lwIP's src/include/lwip/opt.h lists
 * them all). The stack runs NO_SYS: one thread, the raw (callback) API only,
 * driven by net::poll() (kernel/net/net.h), which feeds it frames and runs
 * its timers. Memory comes from the kernel heap (mm/heap, TLSF). */
#ifndef SILK_LWIPOPTS_H
#define SILK_LWIPOPTS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif
void* silk_lwip_malloc(size_t size);
void* silk_lwip_calloc(size_t count, size_t size);
void silk_lwip_free(void* p);
unsigned short silk_lwip_chksum(const void* data, int len);
#ifdef __cplusplus
}
#endif

/* ---- System: no threads, no sockets, no netconn ---------------------- */
#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_TIMERS 1
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_NETIF_API 0
#define LWIP_CALLBACK_API 1

/* ---- Memory: everything from the kernel heap -------------------------
 * MEM_LIBC_MALLOC: mem_malloc() is the kernel heap; MEMP_MEM_MALLOC: the
 * fixed-size pools (PCBs, segments, pbufs) are heap blocks too, so the
 * MEMP_NUM_* values below are not hard limits and the .bss stays small. */
#define MEM_LIBC_MALLOC 1
#define mem_clib_malloc silk_lwip_malloc
#define mem_clib_calloc silk_lwip_calloc
#define mem_clib_free silk_lwip_free
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8
#define MEMP_NUM_TCP_PCB 128 /* 100 concurrent connections and some in TIME_WAIT */
#define MEMP_NUM_TCP_PCB_LISTEN 16
#define MEMP_NUM_UDP_PCB 16
#define MEMP_NUM_RAW_PCB 4
#define MEMP_NUM_TCP_SEG 1024
#define MEMP_NUM_REASSDATA 8
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 8)
#define PBUF_POOL_SIZE 256

/* ---- Protocols --------------------------------------------------------- */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define ARP_TABLE_SIZE 16
#define ARP_QUEUEING 1
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define IP_FORWARD 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define LWIP_ICMP 1
#define LWIP_RAW 1 /* the ping of selftest=net; raw sockets later */
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
#define DHCP_DOES_ARP_CHECK 0 /* the ARP probe of the offered address costs ~1 s of boot */
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 1
#define DNS_MAX_SERVERS 2
#define LWIP_NETIF_HOSTNAME 1 /* DHCP sends "silk" */
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_HAVE_LOOPIF 1 /* 127.0.0.1 */
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_LOOPBACK_MAX_PBUFS 0
#define SO_REUSE 1 /* SO_REUSEADDR for the socket layer */
#define LWIP_STATS 0

/* ---- TCP: 64 KiB+ windows with scaling, MSS for a 1500-byte MTU ------ */
#define TCP_MSS 1460
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 2
#define TCP_WND (128 * 1024)
#define TCP_SND_BUF (128 * 1024)
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)
#define TCP_SNDLOWAT (32 * 1024) /* a u16_t, at least 4 * MSS below its overflow */
#define TCP_OVERSIZE TCP_MSS
#define TCP_QUEUE_OOSEQ 1
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 128
#define LWIP_TCP_KEEPALIVE 1
#define LWIP_TCP_TIMESTAMPS 0
/* SACK blocks in our ACKs: a sender that loses several segments of one
 * window (Linux does SACK) resends just those, without a timeout. */
#define LWIP_TCP_SACK_OUT 1
/* TCP's timers tick every 25 ms (lwIP: 250 ms) and the slow timer every 50
 * ms (500 ms). The retransmission timeout is counted in slow ticks and
 * settles at 3 of them on a fast link, so lwIP's 1.5 s becomes 150 ms,
 * near Linux's 200 ms floor: a lost segment that no duplicate ACKs repair
 * stalls the connection that long. The delayed ACK waits at most 25 ms. */
#define TCP_TMR_INTERVAL 25

/* ---- Checksums: in software (virtio-net's offloads are not negotiated;
 * QEMU's user network does not offer them anyway). */
#define CHECKSUM_GEN_IP 1
#define CHECKSUM_GEN_UDP 1
#define CHECKSUM_GEN_TCP 1
#define CHECKSUM_GEN_ICMP 1
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_UDP 1
#define CHECKSUM_CHECK_TCP 1
#define CHECKSUM_CHECK_ICMP 1
#define LWIP_CHKSUM_ALGORITHM 3
/* A 64-bit add-with-carry loop (port.cc): under kvm-pvm every ring-0
 * instruction is emulated, and lwIP's own loop takes ~1 per byte. */
#define LWIP_CHKSUM silk_lwip_chksum
#define LWIP_CHECKSUM_ON_COPY 1

/* ---- Debugging: off; LWIP_DEBUG=1 and a *_DEBUG = LWIP_DBG_ON turn on
 * messages through silk_lwip_diag (the kernel console). */
#define LWIP_DEBUG 0

#endif
