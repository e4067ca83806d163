// The keyvalue-error names and open_keyvalue: capability -> backend.
#include "slight/keyvalue/keyvalue_backend.h"

#include "slight/slightfile/config.h"

namespace silk::slight {

const char* to_string(KeyValueErrorKind kind) {
  switch (kind) {
    case KeyValueErrorKind::KeyNotFound: return "key-not-found";
    case KeyValueErrorKind::InvalidKey: return "invalid-key";
    case KeyValueErrorKind::InvalidValue: return "invalid-value";
    case KeyValueErrorKind::ConnectionError: return "connection-error";
    case KeyValueErrorKind::AuthenticationError: return "authentication-error";
    case KeyValueErrorKind::TimeoutError: return "timeout-error";
    case KeyValueErrorKind::IoError: return "io-error";
    case KeyValueErrorKind::UnexpectedError: return "unexpected-error";
  }
  return "unexpected-error";
}

KvResult<std::unique_ptr<KeyValueBackend>> open_keyvalue(const Slightfile& file, const Capability& cap,
                                                         std::string_view name,
                                                         const KeyValueEnvironment& env) {
  auto unexpected = [](std::string message) {
    return KeyValueError{KeyValueErrorKind::UnexpectedError, std::move(message)};
  };
  if (cap.info == nullptr || cap.info->group != CapabilityGroup::KeyValue) {
    return unexpected(file.where(cap.line) + ": capability '" + cap.resource + "' is not a keyvalue store");
  }
  switch (cap.info->backend) {
    case Backend::KeyValueFilesystem: return open_filesystem_store(name, env);
    case Backend::KeyValueMemory: return open_memory_store(name, env);
    case Backend::KeyValueRedis: {
      Result<std::string> address = resolve_config(file, cap, "REDIS_ADDRESS");
      if (!address) return unexpected(address.error().message);
      KvResult<std::unique_ptr<KeyValueBackend>> store = open_redis_store(*address, name, env);
      if (!store) {
        return unexpected(file.where(cap.line) + ": REDIS_ADDRESS: " + store.error().message);
      }
      return store;
    }
    default:
      return unexpected(file.where(cap.line) + ": keyvalue backend '" + cap.resource +
                        "' is not supported by silk");
  }
}

}  // namespace silk::slight
