// The `keyvalue` capability: keyvalue.wit over src/slight/keyvalue's backends
// (filesystem, redis, memory; ABI.md §6.1). open(name) binds the slightfile's
// keyvalue capability for that name (§4.5) and opens its backend with the
// open name as namespace; every backend failure is the WIT error case.
#include <string>
#include <vector>

#include "slight/host/capabilities.h"

#ifdef SILK_HAVE_KEYVALUE
#include "slight/keyvalue/keyvalue_backend.h"
#endif

namespace silk::slight {
namespace {

using keyvalue::KeyvalueError;
using Bytes = std::vector<uint8_t>;

#ifdef SILK_HAVE_KEYVALUE
KeyvalueError to_wit(const KeyValueError& e) {
  switch (e.kind) {
    case KeyValueErrorKind::KeyNotFound: return KeyvalueError::key_not_found(e.message);
    case KeyValueErrorKind::InvalidKey: return KeyvalueError::invalid_key(e.message);
    case KeyValueErrorKind::InvalidValue: return KeyvalueError::invalid_value(e.message);
    case KeyValueErrorKind::ConnectionError: return KeyvalueError::connection_error(e.message);
    case KeyValueErrorKind::AuthenticationError: return KeyvalueError::authentication_error(e.message);
    case KeyValueErrorKind::TimeoutError: return KeyvalueError::timeout_error(e.message);
    case KeyValueErrorKind::IoError: return KeyvalueError::io_error(e.message);
    case KeyValueErrorKind::UnexpectedError: break;
  }
  return KeyvalueError::unexpected_error(e.message);
}

class KeyvalueResource : public keyvalue::Keyvalue {
 public:
  explicit KeyvalueResource(std::unique_ptr<KeyValueBackend> backend) : backend_(std::move(backend)) {}

  abi::Expected<Bytes, KeyvalueError> get(const std::string& key) override {
    auto r = backend_->get(key);
    if (!r) return abi::unexpected(to_wit(r.error()));
    return std::move(r).value();
  }
  abi::Expected<abi::Unit, KeyvalueError> set(const std::string& key, const Bytes& value) override {
    auto r = backend_->set(key, value);
    if (!r) return abi::unexpected(to_wit(r.error()));
    return abi::Unit{};
  }
  abi::Expected<std::vector<std::string>, KeyvalueError> keys() override {
    auto r = backend_->keys();
    if (!r) return abi::unexpected(to_wit(r.error()));
    return std::move(r).value();
  }
  abi::Expected<abi::Unit, KeyvalueError> delete_(const std::string& key) override {
    auto r = backend_->remove(key);
    if (!r) return abi::unexpected(to_wit(r.error()));
    return abi::Unit{};
  }

 private:
  std::unique_ptr<KeyValueBackend> backend_;
};
#endif

class KeyvalueAdapter : public keyvalue::KeyvalueHost {
 public:
  KeyvalueAdapter(const Slightfile& file, std::string temp_dir) : file_(file), temp_dir_(std::move(temp_dir)) {}

  abi::Expected<std::shared_ptr<keyvalue::Keyvalue>, KeyvalueError> keyvalue_open(const std::string& name) override {
    const Capability* cap = file_.find(CapabilityGroup::KeyValue, name);
    if (!cap)
      return abi::unexpected(KeyvalueError::unexpected_error(no_capability_message(file_, CapabilityGroup::KeyValue, name)));
#ifdef SILK_HAVE_KEYVALUE
    KeyValueEnvironment env;
    env.temp_dir = temp_dir_;
    auto backend = open_keyvalue(file_, *cap, name, env);
    if (!backend) return abi::unexpected(to_wit(backend.error()));
    return std::shared_ptr<keyvalue::Keyvalue>(std::make_shared<KeyvalueResource>(std::move(backend).value()));
#else
    return abi::unexpected(KeyvalueError::unexpected_error("this silk was built without keyvalue backends"));
#endif
  }

 private:
  const Slightfile& file_;
  std::string temp_dir_;
};

}  // namespace

std::shared_ptr<keyvalue::KeyvalueHost> make_keyvalue_host(const Slightfile& file, std::string temp_dir) {
  return std::make_shared<KeyvalueAdapter>(file, std::move(temp_dir));
}

bool keyvalue_available() {
#ifdef SILK_HAVE_KEYVALUE
  return true;
#else
  return false;
#endif
}

}  // namespace silk::slight
