#include "vmm/net/dns_relay.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "vmm/net/frame.h"

namespace silk::vmm {
namespace {

constexpr uint16_t kDnsPort = 53;
constexpr size_t kDnsHeader = 12;
// slirp answers ARP for its addresses with MAC 52:55 followed by the IPv4
// address; answers from 10.0.2.3 carry the same source MAC.
constexpr Mac kDnsMac = {0x52, 0x55, kUserDns[0], kUserDns[1], kUserDns[2], kUserDns[3]};

// The first IPv4 `nameserver` line of {path}, or false.
bool first_ipv4_nameserver(const char* path, Ipv4& out) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key, value;
    if (!(words >> key >> value) || key != "nameserver") continue;
    in_addr addr{};
    if (::inet_pton(AF_INET, value.c_str(), &addr) != 1) continue;  // IPv6: not relayed
    std::memcpy(out.data(), &addr.s_addr, 4);
    return true;
  }
  return false;
}

}  // namespace

Result<DnsRelay> DnsRelay::create(const char* resolv_conf) {
  DnsRelay relay;
  if (!first_ipv4_nameserver(resolv_conf, relay.server_)) return relay;
  // Not connected: the host's network may come up after the VM starts; each
  // query is a sendto(), and answers are taken only from the server.
  Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return make_error(std::string("user-mode networking: DNS relay socket: ") + std::strerror(errno));
  relay.socket_ = std::move(fd);
  return relay;
}

namespace {

sockaddr_in server_address(const Ipv4& server) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(kDnsPort);
  std::memcpy(&to.sin_addr.s_addr, server.data(), 4);
  return to;
}

}  // namespace

std::string DnsRelay::upstream() const {
  if (!socket_.valid()) return "none";
  return format_ipv4(server_) + ":" + std::to_string(kDnsPort);
}

bool DnsRelay::take_query(std::span<const uint8_t> frame) {
  frame::Ipv4Packet ip;
  if (!frame::parse_ipv4(frame, ip) || ip.dst != kUserDns || ip.protocol != frame::kProtoUdp) return false;
  const uint8_t* udp = ip.ip + ip.header_len;
  size_t udp_room = ip.total_len - ip.header_len;
  if (ip.fragment || udp_room < frame::kUdpHeader || frame::get16(udp + 2) != kDnsPort) return false;
  size_t udp_len = frame::get16(udp + 4);
  if (udp_len < frame::kUdpHeader + kDnsHeader || udp_len > udp_room) return true;  // not a query: dropped
  ++queries_;
  if (!socket_.valid()) return true;

  // Give the query an ID of the relay's own, so answers map back to the guest
  // port that asked even when two guest resolvers pick the same ID.
  std::vector<uint8_t> query(udp + frame::kUdpHeader, udp + udp_len);
  uint16_t relay_id = next_id_++;
  Pending& slot = pending_[relay_id % kPendingSlots];
  slot = Pending{true, relay_id, frame::get16(query.data()), frame::get16(udp), ip.src, {}};
  std::memcpy(slot.guest_mac.data(), frame.data() + 6, 6);  // the frame's source MAC
  frame::put16(query.data(), relay_id);
  // A full socket buffer or an unreachable server loses the query, as the
  // network would: the guest's resolver retries.
  sockaddr_in to = server_address(server_);
  (void)::sendto(socket_.get(), query.data(), query.size(), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to),
                 sizeof to);
  return true;
}

void DnsRelay::read_answers(std::deque<std::vector<uint8_t>>& out, size_t max_queued) {
  if (!socket_.valid()) return;
  uint8_t answer[kMaxFrame];
  constexpr size_t kMaxPayload = kMaxFrame - kEthHeader - frame::kIpv4Header - frame::kUdpHeader;
  for (int i = 0; i < 64; ++i) {  // bounded: the rest waits for the next poll
    sockaddr_in from{};
    socklen_t from_len = sizeof from;
    ssize_t n = ::recvfrom(socket_.get(), answer, sizeof answer, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from),
                           &from_len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;  // EAGAIN: nothing more
    sockaddr_in server = server_address(server_);
    if (from.sin_addr.s_addr != server.sin_addr.s_addr || from.sin_port != server.sin_port) continue;
    // Larger than one unfragmented frame (EDNS answers): dropped; the guest's
    // resolver asks again without EDNS or gives up.
    if (static_cast<size_t>(n) < kDnsHeader || static_cast<size_t>(n) > kMaxPayload) continue;
    uint16_t relay_id = frame::get16(answer);
    Pending& slot = pending_[relay_id % kPendingSlots];
    if (!slot.used || slot.relay_id != relay_id || out.size() >= max_queued) continue;
    slot.used = false;
    frame::put16(answer, slot.guest_id);
    std::vector<uint8_t> reply(kEthHeader + frame::kIpv4Header + frame::kUdpHeader + static_cast<size_t>(n));
    frame::build_udp(reply, slot.guest_mac, kDnsMac, kUserDns, kDnsPort, slot.guest_ip, slot.guest_port,
                     {answer, static_cast<size_t>(n)}, ip_id_++);
    out.push_back(std::move(reply));
    ++answers_;
  }
}

}  // namespace silk::vmm
