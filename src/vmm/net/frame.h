// silk::vmm — reading and writing the few Ethernet/IPv4/UDP header fields the
// monitor's user-mode network looks at (dns_relay.cc, slirp.cc). Byte-wise,
// big-endian, bounds left to the caller (each function says what it needs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "vmm/net/net_config.h"

namespace silk::vmm::frame {

inline constexpr uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr size_t kIpv4Header = 20;  // without options
inline constexpr size_t kUdpHeader = 8;
inline constexpr uint8_t kProtoIcmp = 1, kProtoUdp = 17;

inline uint16_t get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

// The Internet checksum (RFC 1071) of {data}, starting from {sum} (a partial
// sum, e.g. of a pseudo-header); returns the folded one's complement.
uint16_t internet_checksum(std::span<const uint8_t> data, uint32_t sum = 0);

// An IPv4 packet inside an Ethernet frame, located by parse_ipv4().
struct Ipv4Packet {
  const uint8_t* ip = nullptr;  // the IPv4 header
  size_t header_len = 0;        // IHL * 4
  size_t total_len = 0;         // the IPv4 total length (<= what the frame holds)
  uint8_t protocol = 0;
  bool fragment = false;        // MF set or a non-zero fragment offset
  Ipv4 src{}, dst{};
};

// {frame} as an IPv4 packet, or false (not IPv4, or truncated/malformed).
bool parse_ipv4(std::span<const uint8_t> frame, Ipv4Packet& out);

// Writes Ethernet + IPv4 (no options, DF, TTL 64) + UDP headers and {payload}
// into {out} (at least kEthHeader + 28 + payload.size() bytes), with both
// checksums; returns the frame's length.
size_t build_udp(std::span<uint8_t> out, const Mac& dst_mac, const Mac& src_mac, const Ipv4& src, uint16_t src_port,
                 const Ipv4& dst, uint16_t dst_port, std::span<const uint8_t> payload, uint16_t ip_id);

}  // namespace silk::vmm::frame
