// silk::slight — the slightfile (slightfile.toml, spec 0.1 and 0.2): the typed
// model, loading and validation as slight v0.5.1 does them (ABI.md §4.1–4.5),
// and the start-up check of what silk can run.
//
// Contract:
//  * load_slightfile / parse_slightfile accept exactly the files slight's
//    SlightFileBuilder accepts (plus silk's extension resources keyvalue.memory
//    and configs.local), and refuse the others with a message that names the
//    problem and the place: "path:line:column: ...". Unknown keys are ignored,
//    as in slight.
//  * A file that loads may still name a backend silk cannot run (cloud stores,
//    capabilities not implemented yet): check_supported() says so, once, at
//    start-up, so that nothing fails later at the guest's first open().
//  * Configuration values (§4.3) are resolved lazily by config.h; loading
//    never reads the environment or the user-secrets key.
//  * No exceptions leave this component (toml++ runs inside slightfile.cc).
//
// Deliberate differences from slight v0.5.1 (none visible to an app):
//  * errors carry file:line[:column]; what slight would panic on later (an
//    unknown 0.1 secret_store, ${azapp.*}, ${cruel}, cloud or unimplemented
//    resources) is refused at load or by check_supported() instead;
//  * resources keyvalue.memory / kv.memory and configs.local are silk's own;
//  * usersecrets: decryption verifies the CRC-8 check byte (a wrong
//    .slightkey is an error, not garbage); the key file is created 0600; the
//    slightfile is replaced atomically (temp file + fsync + rename);
//  * `silk secret` without -c writes ./slightfile.toml (slight panics).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace silk::slight {

enum class SpecVersion : uint8_t { V0_1, V0_2 };
const char* to_string(SpecVersion version);  // "0.1", "0.2"

// slight's capability groups (`to_cap_name`): namespaces are unique per group,
// and each group is one guest import module.
enum class CapabilityGroup : uint8_t {
  KeyValue,
  Messaging,
  Configs,
  DistributedLocking,
  Sql,
  Blob,
  Http,
  HttpClient,
};
const char* to_string(CapabilityGroup group);      // "keyvalue", "distributed_locking", ...
const char* import_module(CapabilityGroup group);  // "keyvalue", "distributed-locking", "http-server", ...

// One backend per resource kind; aliases ("kv.redis") name the same backend.
enum class Backend : uint8_t {
  KeyValueFilesystem,
  KeyValueRedis,
  KeyValueMemory,  // silk extension
  KeyValueAzblob,
  KeyValueAwsDynamoDb,
  KeyValueDapr,
  MessagingFilesystem,
  MessagingMosquitto,
  MessagingAzsbus,
  MessagingNats,
  MessagingKafka,
  ConfigsEnvVars,
  ConfigsUserSecrets,
  ConfigsAzApp,
  ConfigsLocal,  // silk extension
  DistributedLockingEtcd,
  SqlPostgres,
  BlobAwsS3,
  BlobAzblob,
  Http,
  HttpClient,
};

enum class Support : uint8_t {
  Supported,    // silk runs it
  NotYet,       // slight runs it, silk does not yet (messaging, sql, locking)
  Cloud,        // a cloud service (Azure, AWS): silk runs local/self-hosted backends only
  NotInSlight,  // slight parses the name but its default build cannot run it either
};

struct ResourceInfo {
  std::string_view name;  // the canonical resource string, "keyvalue.redis"
  Backend backend;
  CapabilityGroup group;
  Support support;
  std::string_view service;  // for Cloud: what it is ("Azure Blob Storage")
};

// The resource-string table of ABI.md §4.2; nullptr for an unknown string.
const ResourceInfo* find_resource(std::string_view resource);
const ResourceInfo& resource_info(Backend backend);

struct Capability {
  std::string resource;  // as written (may be an alias: "kv.redis")
  const ResourceInfo* info = nullptr;
  // The namespace the guest opens; "*" matches any name. In the 0.1 form the
  // capability has no name of its own and is stored under its resource string.
  std::string name;
  // [capability.configs], raw (unresolved) values; 0.2 form only.
  std::optional<std::map<std::string, std::string>> configs;
  bool v1_form = false;  // `name = "<resource>"` (0.1) rather than resource + name (0.2)
  uint32_t line = 0;     // of the [[capability]] header, 1-based; 0 if unknown
};

struct SecretSetting {
  std::string name;
  std::string value;  // encrypted, URL-safe (usersecrets.h)
  uint32_t line = 0;
};

struct Slightfile {
  std::string path;  // as given to load_slightfile; used in messages and by usersecrets
  SpecVersion version = SpecVersion::V0_2;
  std::optional<std::string> secret_store;  // as written; only honoured in spec 0.1
  std::vector<SecretSetting> secret_settings;
  std::vector<Capability> capabilities;  // file order

  // "path:line" (or "path" when line is 0), for messages.
  std::string where(uint32_t line) const;

  // The capability a guest's open(name) in {group} binds to (§4.5): the
  // capability named {open_name}, else the group's "*", else the one stored
  // under the resource string of the group's last capability (so in spec 0.1
  // any name reaches the last capability of the group). nullptr: none (slight
  // panics there; the caller returns the guest an error or traps).
  const Capability* find(CapabilityGroup group, std::string_view open_name) const;

  bool has(CapabilityGroup group) const;
};

// Reads and validates {path}.
Result<Slightfile> load_slightfile(const std::string& path);
// Validates {text}; {path} is only used for messages and Slightfile::path.
Result<Slightfile> parse_slightfile(std::string_view text, const std::string& path);

// Start-up check: every capability is one silk runs, the 0.1 secret_store is
// one silk can read, and every ${store.NAME} reference in a capability's
// configs names a store silk can read. The first problem, with its place.
Result<void> check_supported(const Slightfile& file);

}  // namespace silk::slight
