#include "vmm/net/net_config.h"

#include <net/if.h>

#include <charconv>

namespace silk::vmm {
namespace {

// A decimal port 1..65535, or 0 when {text} is not one.
uint16_t parse_port(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) return 0;
  return static_cast<uint16_t>(value);
}

}  // namespace

Result<NetConfig> parse_net_option(std::string_view spec) {
  NetConfig config;
  if (spec == "user") {
    config.kind = NetConfig::Kind::kUser;
    return config;
  }
  if (spec.starts_with("tap:")) {
    std::string_view name = spec.substr(4);
    if (name.empty() || name.size() >= IFNAMSIZ || name.find('/') != std::string_view::npos)
      return make_error("--net " + std::string(spec) + ": the interface name must have 1 to " +
                        std::to_string(IFNAMSIZ - 1) + " characters");
    config.kind = NetConfig::Kind::kTap;
    config.tap_name = std::string(name);
    return config;
  }
  return make_error("--net " + std::string(spec) + ": expected tap:IFNAME or user");
}

Result<PortForward> parse_port_forward(std::string_view spec) {
  PortForward forward;
  std::string_view rest = spec;
  if (rest.starts_with("udp:")) {
    forward.udp = true;
    rest.remove_prefix(4);
  } else if (rest.starts_with("tcp:")) {
    rest.remove_prefix(4);
  }
  size_t colon = rest.find(':');
  if (colon != std::string_view::npos) {
    forward.host_port = parse_port(rest.substr(0, colon));
    forward.guest_port = parse_port(rest.substr(colon + 1));
  }
  if (forward.host_port == 0 || forward.guest_port == 0)
    return make_error("-p " + std::string(spec) + ": expected [tcp:|udp:]HOSTPORT:GUESTPORT with ports 1 to 65535");
  return forward;
}

Result<void> check_net_config(const NetConfig& config) {
  if (!config.forwards.empty() && config.kind != NetConfig::Kind::kUser)
    return make_error("-p forwards host ports through user-mode networking: it needs --net user");
  return {};
}

std::string format_ipv4(const Ipv4& ip) {
  return std::to_string(ip[0]) + "." + std::to_string(ip[1]) + "." + std::to_string(ip[2]) + "." +
         std::to_string(ip[3]);
}

}  // namespace silk::vmm
