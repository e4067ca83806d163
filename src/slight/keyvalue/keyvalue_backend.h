// silk::slight — the keyvalue capability's backends (ABI.md §4.5, §6.1;
// keyvalue.wit in Appendix A), behind one small interface that the generated
// keyvalue host class adapts.
//
// Contract:
//  * One KeyValueBackend is one guest `open(name)`: its namespace is the open
//    name. Two backends opened with the same name on the same store see the
//    same data; different names are isolated.
//  * Every failure is a KeyValueError — the WIT keyvalue-error case and a
//    message — never an exception, crash or unbounded wait. Success of set and
//    delete means the change is durable (filesystem: fsync'd file and
//    directory; redis: the server's reply).
//  * A backend object may be used from several threads (each call is
//    serialised or independent); memory stores are shared process-wide.
//
// Error cases (slight v0.5.1 returns unexpected-error for everything; silk
// returns the typed cases, which slight's own guests already match on):
//   key-not-found        get of a missing key; delete of a missing key on
//                        filesystem and memory (redis: delete is ok, as slight)
//   invalid-key          a filesystem key or store name that is not one plain
//                        file name (keyvalue_filesystem.cc lists the rules)
//   connection-error     redis unreachable, connection lost
//   authentication-error redis refused the password (or needs one)
//   timeout-error        redis did not answer within the timeout
//   io-error             the filesystem failed (ENOSPC, EACCES, EISDIR, ...)
//   unexpected-error     anything else (bad configuration, a redis error reply)
// invalid-value is never produced (every byte string is a valid value).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "slight/slightfile/slightfile.h"

namespace silk::slight {

// The cases of keyvalue.wit's keyvalue-error, in WIT order (= discriminant).
enum class KeyValueErrorKind : uint8_t {
  KeyNotFound,
  InvalidKey,
  InvalidValue,
  ConnectionError,
  AuthenticationError,
  TimeoutError,
  IoError,
  UnexpectedError,
};
const char* to_string(KeyValueErrorKind kind);  // the WIT case name: "key-not-found"

struct KeyValueError {
  KeyValueErrorKind kind;
  std::string message;  // the case's string payload
};

// A value or a KeyValueError.
template <typename T>
class [[nodiscard]] KvResult {
 public:
  KvResult(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  KvResult(KeyValueError error) : v_(std::in_place_index<1>, std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const KeyValueError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, KeyValueError> v_;
};
struct KvOk {};
using KvStatus = KvResult<KvOk>;

class KeyValueBackend {
 public:
  virtual ~KeyValueBackend() = default;
  virtual KvResult<std::vector<uint8_t>> get(std::string_view key) = 0;
  virtual KvStatus set(std::string_view key, std::span<const uint8_t> value) = 0;
  // Every key of this namespace, sorted (slight: unordered).
  virtual KvResult<std::vector<std::string>> keys() = 0;
  // WIT `delete`.
  virtual KvStatus remove(std::string_view key) = 0;
};

class MemoryStores;  // keyvalue.memory's process-wide stores

struct RedisTimeouts {
  std::chrono::milliseconds connect{5000};
  std::chrono::milliseconds command{10000};
};

// What a backend needs from its surroundings; the defaults are the runtime's.
struct KeyValueEnvironment {
  // keyvalue.filesystem's base directory; empty: std::env::temp_dir() as
  // slight has it ($TMPDIR if set and not empty, else /tmp), read at open.
  std::string temp_dir;
  MemoryStores* memory = nullptr;  // nullptr: the process-wide stores
  RedisTimeouts redis_timeouts;
};

// The concrete backends. {name} is the guest's open name.
KvResult<std::unique_ptr<KeyValueBackend>> open_filesystem_store(std::string_view name,
                                                                 const KeyValueEnvironment& env = {});
KvResult<std::unique_ptr<KeyValueBackend>> open_memory_store(std::string_view name,
                                                             const KeyValueEnvironment& env = {});
// {address}: a REDIS_ADDRESS value (keyvalue_redis.h). No connection is made
// before the first operation (as slight, which connects per operation).
KvResult<std::unique_ptr<KeyValueBackend>> open_redis_store(std::string_view address, std::string_view name,
                                                            const KeyValueEnvironment& env = {});

// The guest's open({name}) on keyvalue capability {cap} of {file} (found with
// file.find(CapabilityGroup::KeyValue, name), §4.5): resolves the
// capability's configs (REDIS_ADDRESS, §4.3) now, as slight does at open.
// A configuration problem or a backend silk does not run is unexpected-error.
KvResult<std::unique_ptr<KeyValueBackend>> open_keyvalue(const Slightfile& file, const Capability& cap,
                                                         std::string_view name,
                                                         const KeyValueEnvironment& env = {});

}  // namespace silk::slight
