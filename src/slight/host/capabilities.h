// silk::slight — the capability hosts behind the generated glue (private to
// src/slight/host): adapters from the generated <Iface>Host classes to silk's
// implementations (configs: slightfile/config.h; keyvalue: src/slight/keyvalue;
// http-client: src/net; http-server: http_server_host.h).
#pragma once

#include <memory>
#include <string>

#include "slight/bindings/configs.h"
#include "slight/bindings/http_client.h"
#include "slight/bindings/keyvalue.h"
#include "slight/slightfile/slightfile.h"

namespace silk::slight {

// "no keyvalue capability named 'x' in slightfile.toml" — open(name) with no
// binding (§4.5), returned to the guest as unexpected-error.
std::string no_capability_message(const Slightfile& file, CapabilityGroup group, const std::string& name);

// {file} must outlive the host and every resource it opens.
std::shared_ptr<configs::ConfigsHost> make_configs_host(const Slightfile& file);
// {temp_dir}: keyvalue.filesystem's base directory ("" = $TMPDIR or /tmp).
std::shared_ptr<keyvalue::KeyvalueHost> make_keyvalue_host(const Slightfile& file, std::string temp_dir);
// http-client over src/net's client (http_client_host.cc).
std::shared_ptr<http_client::HttpClientHost> make_http_client_host();
// False when silk was built without the keyvalue backends.
bool keyvalue_available();

}  // namespace silk::slight
