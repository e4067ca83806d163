#include "vmm/net/net_backend.h"

#include "vmm/net/slirp.h"
#include "vmm/net/tap.h"

namespace silk::vmm {

Result<std::unique_ptr<NetBackend>> open_net_backend(const NetConfig& config) {
  switch (config.kind) {
    case NetConfig::Kind::kTap: {
      auto tap = TapBackend::open(config.tap_name);
      if (!tap) return tap.take_error();
      return std::unique_ptr<NetBackend>(std::move(*tap));
    }
    case NetConfig::Kind::kUser: {
      auto user = SlirpBackend::create(config.forwards);
      if (!user) return user.take_error();
      return std::unique_ptr<NetBackend>(std::move(*user));
    }
    case NetConfig::Kind::kNone: break;
  }
  return make_error("no network backend was asked for");
}

}  // namespace silk::vmm
