// silk::vmm — what `silk vm --net` and `-p` ask for, and the fixed numbers of
// the guest's network: its MAC and MTU, and the addresses of user-mode
// networking (QEMU's `-netdev user` plan: guest 10.0.2.15/24, gateway and host
// 10.0.2.2, DNS 10.0.2.3).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace silk::vmm {

using Ipv4 = std::array<uint8_t, 4>;  // network byte order: {10, 0, 2, 15}
using Mac = std::array<uint8_t, 6>;

inline constexpr Mac kGuestMac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
inline constexpr uint64_t kNetMtu = 1500;
inline constexpr uint64_t kEthHeader = 14;
inline constexpr uint64_t kMaxFrame = kEthHeader + kNetMtu;

// User-mode networking (libslirp).
inline constexpr Ipv4 kUserNetwork = {10, 0, 2, 0};
inline constexpr uint8_t kUserPrefix = 24;
inline constexpr Ipv4 kUserGuest = {10, 0, 2, 15};
inline constexpr Ipv4 kUserHost = {10, 0, 2, 2};  // the gateway; its ports are the host's 127.0.0.1
inline constexpr Ipv4 kUserDns = {10, 0, 2, 3};

// -p [tcp:|udp:]HOSTPORT:GUESTPORT — 127.0.0.1:HOSTPORT on the host reaches
// 10.0.2.15:GUESTPORT in the guest.
struct PortForward {
  bool udp = false;
  uint16_t host_port = 0;
  uint16_t guest_port = 0;
};

struct NetConfig {
  enum class Kind { kNone, kTap, kUser };
  Kind kind = Kind::kNone;
  std::string tap_name;               // kTap: an existing tap interface
  std::vector<PortForward> forwards;  // kUser only
};

// "tap:IFNAME" or "user"; the error names the spec and what is wrong.
Result<NetConfig> parse_net_option(std::string_view spec);
// "[tcp:|udp:]HOSTPORT:GUESTPORT", ports 1..65535.
Result<PortForward> parse_port_forward(std::string_view spec);
// Checks the combination (-p needs --net user).
Result<void> check_net_config(const NetConfig& config);

// "10.0.2.15"
std::string format_ipv4(const Ipv4& ip);

}  // namespace silk::vmm
