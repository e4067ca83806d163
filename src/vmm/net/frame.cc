#include "vmm/net/frame.h"

#include <cstring>

namespace silk::vmm::frame {

uint16_t internet_checksum(std::span<const uint8_t> data, uint32_t sum) {
  uint64_t acc = sum;
  size_t i = 0;
  for (; i + 1 < data.size(); i += 2) acc += get16(&data[i]);
  if (i < data.size()) acc += static_cast<uint32_t>(data[i]) << 8;
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<uint16_t>(~acc);
}

bool parse_ipv4(std::span<const uint8_t> frame, Ipv4Packet& out) {
  if (frame.size() < kEthHeader + kIpv4Header || get16(&frame[12]) != kEtherTypeIpv4) return false;
  const uint8_t* ip = &frame[kEthHeader];
  size_t available = frame.size() - kEthHeader;
  size_t header_len = static_cast<size_t>(ip[0] & 0x0f) * 4;
  size_t total_len = get16(ip + 2);
  if ((ip[0] >> 4) != 4 || header_len < kIpv4Header || total_len < header_len || total_len > available)
    return false;
  out.ip = ip;
  out.header_len = header_len;
  out.total_len = total_len;
  out.protocol = ip[9];
  out.fragment = (get16(ip + 6) & 0x3fff) != 0;  // MF or an offset
  std::memcpy(out.src.data(), ip + 12, 4);
  std::memcpy(out.dst.data(), ip + 16, 4);
  return true;
}

size_t build_udp(std::span<uint8_t> out, const Mac& dst_mac, const Mac& src_mac, const Ipv4& src, uint16_t src_port,
                 const Ipv4& dst, uint16_t dst_port, std::span<const uint8_t> payload, uint16_t ip_id) {
  uint8_t* eth = out.data();
  std::memcpy(eth, dst_mac.data(), 6);
  std::memcpy(eth + 6, src_mac.data(), 6);
  put16(eth + 12, kEtherTypeIpv4);

  uint8_t* ip = eth + kEthHeader;
  size_t udp_len = kUdpHeader + payload.size();
  ip[0] = 0x45;
  ip[1] = 0;
  put16(ip + 2, static_cast<uint16_t>(kIpv4Header + udp_len));
  put16(ip + 4, ip_id);
  put16(ip + 6, 0x4000);  // DF
  ip[8] = 64;
  ip[9] = kProtoUdp;
  put16(ip + 10, 0);
  std::memcpy(ip + 12, src.data(), 4);
  std::memcpy(ip + 16, dst.data(), 4);
  put16(ip + 10, internet_checksum({ip, kIpv4Header}));

  uint8_t* udp = ip + kIpv4Header;
  put16(udp, src_port);
  put16(udp + 2, dst_port);
  put16(udp + 4, static_cast<uint16_t>(udp_len));
  put16(udp + 6, 0);
  std::memcpy(udp + kUdpHeader, payload.data(), payload.size());
  // Pseudo-header (RFC 768): source, destination, protocol, UDP length.
  uint32_t pseudo = get16(src.data()) + get16(src.data() + 2) + get16(dst.data()) + get16(dst.data() + 2) + kProtoUdp +
                    static_cast<uint32_t>(udp_len);
  uint16_t sum = internet_checksum({udp, udp_len}, pseudo);
  put16(udp + 6, sum == 0 ? 0xffff : sum);
  return kEthHeader + kIpv4Header + udp_len;
}

}  // namespace silk::vmm::frame
