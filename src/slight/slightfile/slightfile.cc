// Loading and validating slightfile.toml (ABI.md §4). slight deserialises with
// serde (the `capability` entries as an untagged enum tried as the 0.1 form
// {name: Resource} first, then the 0.2 form {resource, name, configs?}; unknown
// keys ignored) and then checks versions and namespaces; this file does the
// same steps in the same order, so the same files pass and fail.
#include "slight/slightfile/slightfile.h"

#include <toml++/toml.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "slight/slightfile/config.h"

namespace silk::slight {
namespace {

using G = CapabilityGroup;
using B = Backend;
using S = Support;

// ABI.md §4.2, plus silk's extensions. Aliases follow their canonical entry.
struct ResourceName {
  std::string_view text;
  ResourceInfo info;
};
constexpr std::array kResources = {
    ResourceName{"keyvalue.filesystem", {"keyvalue.filesystem", B::KeyValueFilesystem, G::KeyValue, S::Supported, ""}},
    ResourceName{"kv.filesystem", {"keyvalue.filesystem", B::KeyValueFilesystem, G::KeyValue, S::Supported, ""}},
    ResourceName{"keyvalue.redis", {"keyvalue.redis", B::KeyValueRedis, G::KeyValue, S::Supported, ""}},
    ResourceName{"kv.redis", {"keyvalue.redis", B::KeyValueRedis, G::KeyValue, S::Supported, ""}},
    ResourceName{"keyvalue.memory", {"keyvalue.memory", B::KeyValueMemory, G::KeyValue, S::Supported, ""}},
    ResourceName{"kv.memory", {"keyvalue.memory", B::KeyValueMemory, G::KeyValue, S::Supported, ""}},
    ResourceName{"keyvalue.azblob",
                 {"keyvalue.azblob", B::KeyValueAzblob, G::KeyValue, S::Cloud, "Azure Blob Storage"}},
    ResourceName{"kv.azblob", {"keyvalue.azblob", B::KeyValueAzblob, G::KeyValue, S::Cloud, "Azure Blob Storage"}},
    ResourceName{"keyvalue.awsdynamodb",
                 {"keyvalue.awsdynamodb", B::KeyValueAwsDynamoDb, G::KeyValue, S::Cloud, "AWS DynamoDB"}},
    ResourceName{"kv.awsdynamodb",
                 {"keyvalue.awsdynamodb", B::KeyValueAwsDynamoDb, G::KeyValue, S::Cloud, "AWS DynamoDB"}},
    ResourceName{"keyvalue.dapr", {"keyvalue.dapr", B::KeyValueDapr, G::KeyValue, S::NotInSlight, ""}},
    ResourceName{"messaging.filesystem",
                 {"messaging.filesystem", B::MessagingFilesystem, G::Messaging, S::NotYet, ""}},
    ResourceName{"mq.filesystem", {"messaging.filesystem", B::MessagingFilesystem, G::Messaging, S::NotYet, ""}},
    ResourceName{"messaging.mosquitto",
                 {"messaging.mosquitto", B::MessagingMosquitto, G::Messaging, S::NotYet, ""}},
    ResourceName{"messaging.azsbus",
                 {"messaging.azsbus", B::MessagingAzsbus, G::Messaging, S::Cloud, "Azure Service Bus"}},
    ResourceName{"mq.azsbus", {"messaging.azsbus", B::MessagingAzsbus, G::Messaging, S::Cloud, "Azure Service Bus"}},
    ResourceName{"messaging.nats", {"messaging.nats", B::MessagingNats, G::Messaging, S::NotYet, ""}},
    ResourceName{"messaging.confluent_apache_kafka",
                 {"messaging.confluent_apache_kafka", B::MessagingKafka, G::Messaging, S::NotInSlight, ""}},
    ResourceName{"configs.envvars", {"configs.envvars", B::ConfigsEnvVars, G::Configs, S::Supported, ""}},
    ResourceName{"configs.usersecrets",
                 {"configs.usersecrets", B::ConfigsUserSecrets, G::Configs, S::Supported, ""}},
    ResourceName{"configs.local", {"configs.local", B::ConfigsLocal, G::Configs, S::Supported, ""}},
    ResourceName{"configs.azapp",
                 {"configs.azapp", B::ConfigsAzApp, G::Configs, S::Cloud, "Azure App Configuration"}},
    ResourceName{"distributed_locking.etcd",
                 {"distributed_locking.etcd", B::DistributedLockingEtcd, G::DistributedLocking, S::NotYet, ""}},
    ResourceName{"lockd.etcd",
                 {"distributed_locking.etcd", B::DistributedLockingEtcd, G::DistributedLocking, S::NotYet, ""}},
    ResourceName{"sql.postgres", {"sql.postgres", B::SqlPostgres, G::Sql, S::NotYet, ""}},
    ResourceName{"blobstore.aws_s3", {"blobstore.aws_s3", B::BlobAwsS3, G::Blob, S::Cloud, "AWS S3"}},
    ResourceName{"blobstore.azblob", {"blobstore.azblob", B::BlobAzblob, G::Blob, S::NotInSlight, ""}},
    ResourceName{"http", {"http", B::Http, G::Http, S::Supported, ""}},
    ResourceName{"http-client", {"http-client", B::HttpClient, G::HttpClient, S::Supported, ""}},
};

std::string place(const std::string& path, const toml::source_region& src) {
  if (src.begin.line == 0) return path;
  return path + ":" + std::to_string(src.begin.line) + ":" + std::to_string(src.begin.column);
}

Error error_at(const std::string& path, const toml::node& node, const std::string& message) {
  return make_error(place(path, node.source()) + ": " + message);
}

// An optional string field: absent, a string, or an error.
Result<std::optional<std::string>> optional_string(const std::string& path, const toml::table& table,
                                                   std::string_view key, std::string_view what) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return std::optional<std::string>{};
  if (const auto* s = node->as_string()) return std::optional<std::string>{s->get()};
  return error_at(path, *node, std::string(what) + ": `" + std::string(key) + "` must be a string");
}

Result<std::vector<SecretSetting>> parse_secret_settings(const std::string& path, const toml::node& node) {
  std::vector<SecretSetting> out;
  const toml::array* array = node.as_array();
  if (array == nullptr) return error_at(path, node, "`secret_settings` must be an array of tables ([[secret_settings]])");
  for (const toml::node& element : *array) {
    const toml::table* table = element.as_table();
    if (table == nullptr) return error_at(path, element, "a `secret_settings` entry must be a table with `name` and `value`");
    SecretSetting setting;
    setting.line = element.source().begin.line;
    for (const char* field : {"name", "value"}) {
      auto value = optional_string(path, *table, field, "secret_settings");
      if (!value) return value.take_error();
      if (!value->has_value())
        return error_at(path, element, std::string("a `secret_settings` entry has no `") + field + "`");
      (field[0] == 'n' ? setting.name : setting.value) = std::move(**value);
    }
    out.push_back(std::move(setting));
  }
  return out;
}

// One [[capability]] entry: the 0.1 form if `name` is a resource string,
// otherwise the 0.2 form (serde's untagged-enum order).
Result<Capability> parse_capability(const std::string& path, const toml::node& element) {
  const toml::table* table = element.as_table();
  if (table == nullptr) return error_at(path, element, "a `capability` entry must be a table ([[capability]])");
  Capability cap;
  cap.line = element.source().begin.line;

  auto name = optional_string(path, *table, "name", "capability");
  if (!name) return name.take_error();
  if (name->has_value()) {
    if (const ResourceInfo* info = find_resource(**name)) {
      cap.v1_form = true;
      cap.resource = **name;
      cap.name = **name;
      cap.info = info;
      return cap;
    }
  }

  auto resource = optional_string(path, *table, "resource", "capability");
  if (!resource) return resource.take_error();
  if (!resource->has_value()) {
    if (!name->has_value())
      return error_at(path, element, "capability has neither `resource` nor `name`");
    return error_at(path, element,
                    "capability has no `resource` (and its `name` '" + **name +
                        "' is not a resource string of the 0.1 form)");
  }
  cap.info = find_resource(**resource);
  if (cap.info == nullptr)
    return error_at(path, *table->get("resource"), "unknown resource '" + **resource + "'");
  if (!name->has_value())
    return error_at(path, element, "capability '" + **resource + "' has no `name` (the namespace the app opens)");
  cap.resource = std::move(**resource);
  cap.name = std::move(**name);

  if (const toml::node* configs = table->get("configs")) {
    const toml::table* map = configs->as_table();
    if (map == nullptr) return error_at(path, *configs, "`configs` must be a table of strings ([capability.configs])");
    std::map<std::string, std::string> values;
    for (const auto& [key, value] : *map) {
      const auto* s = value.as_string();
      if (s == nullptr)
        return error_at(path, value, "config '" + std::string(key.str()) + "' of capability '" + cap.name +
                                         "' must be a string");
      values.emplace(std::string(key.str()), s->get());
    }
    cap.configs = std::move(values);
  }
  return cap;
}

// Within one group a name appears once, and "*" is the group's only entry.
Result<void> check_namespaces(const Slightfile& file) {
  for (size_t i = 0; i < file.capabilities.size(); ++i) {
    const Capability& cap = file.capabilities[i];
    for (size_t j = 0; j < i; ++j) {
      const Capability& earlier = file.capabilities[j];
      if (earlier.info->group != cap.info->group) continue;
      if (earlier.name != cap.name && earlier.name != "*" && cap.name != "*") continue;
      std::string why;
      if (earlier.name != cap.name)
        why = " (\"*\" must be the only " + std::string(to_string(cap.info->group)) + " capability; '" +
              earlier.name + "' is at line " + std::to_string(earlier.line) + ")";
      else
        why = " (first at line " + std::to_string(earlier.line) + ")";
      return make_error(file.where(cap.line) + ": the namespace " + cap.name +
                        " is already defined in the slightfile" + why);
    }
  }
  return {};
}

Result<Slightfile> parse_document(const toml::table& root, const std::string& path) {
  Slightfile file;
  file.path = path;

  const toml::node* spec = root.get("specversion");
  if (spec == nullptr) return make_error(path + ": missing field `specversion` (\"0.1\" or \"0.2\")");
  const auto* spec_string = spec->as_string();
  if (spec_string == nullptr)
    return error_at(path, *spec, "`specversion` must be a string, \"0.1\" or \"0.2\"");
  if (spec_string->get() == "0.1") {
    file.version = SpecVersion::V0_1;
  } else if (spec_string->get() == "0.2") {
    file.version = SpecVersion::V0_2;
  } else {
    return error_at(path, *spec,
                    "unknown variant `" + spec_string->get() + "` for `specversion`, expected `0.1` or `0.2`");
  }

  auto store = optional_string(path, root, "secret_store", "slightfile");
  if (!store) return store.take_error();
  file.secret_store = std::move(*store);
  // slight only uses secret_store in 0.1, and would panic at the first config
  // read on a store it does not know: refuse it now instead.
  if (file.version == SpecVersion::V0_1 && file.secret_store &&
      !config_store_from_name(*file.secret_store)) {
    return error_at(path, *root.get("secret_store"),
                    "unknown secret_store '" + *file.secret_store +
                        "', expected configs.envvars, configs.usersecrets, configs.local or configs.azapp");
  }

  if (const toml::node* settings = root.get("secret_settings")) {
    auto parsed = parse_secret_settings(path, *settings);
    if (!parsed) return parsed.take_error();
    file.secret_settings = std::move(*parsed);
  }

  if (const toml::node* caps = root.get("capability")) {
    const toml::array* array = caps->as_array();
    if (array == nullptr) return error_at(path, *caps, "`capability` must be an array of tables ([[capability]])");
    for (const toml::node& element : *array) {
      auto cap = parse_capability(path, element);
      if (!cap) return cap.take_error();
      file.capabilities.push_back(std::move(*cap));
    }
  }

  for (const Capability& cap : file.capabilities) {
    if (file.version == SpecVersion::V0_1 && !cap.v1_form)
      return make_error(file.where(cap.line) +
                        ": you are using a 0.1 specversion, but you are using a 0.2 capability format");
    if (file.version == SpecVersion::V0_2 && cap.v1_form)
      return make_error(file.where(cap.line) +
                        ": you are using a 0.2 specversion, but you are using a 0.1 capability format"
                        " (a capability whose `name` is a resource string is read as the 0.1 form)");
  }

  auto namespaces = check_namespaces(file);
  if (!namespaces) return namespaces.take_error();
  return file;
}

Result<void> check_config_reference(const Slightfile& file, const Capability& cap, const std::string& key,
                                    const std::string& raw) {
  auto ref = parse_config_reference(raw);
  if (!ref) {
    return make_error(file.where(cap.line) + ": config '" + key + "' of capability '" + cap.name +
                      "': " + ref.error().message);
  }
  if (ref->store == ConfigStore::AzApp) {
    return make_error(file.where(cap.line) + ": config '" + key + "' of capability '" + cap.name + "' reads " +
                      raw + ": not supported: cloud store (Azure App Configuration)");
  }
  return {};
}

}  // namespace

const char* to_string(SpecVersion version) { return version == SpecVersion::V0_1 ? "0.1" : "0.2"; }

const char* to_string(CapabilityGroup group) {
  switch (group) {
    case G::KeyValue: return "keyvalue";
    case G::Messaging: return "messaging";
    case G::Configs: return "configs";
    case G::DistributedLocking: return "distributed_locking";
    case G::Sql: return "sql";
    case G::Blob: return "blob";
    case G::Http: return "http";
    case G::HttpClient: return "http-client";
  }
  return "?";
}

const char* import_module(CapabilityGroup group) {
  switch (group) {
    case G::KeyValue: return "keyvalue";
    case G::Messaging: return "messaging";
    case G::Configs: return "configs";
    case G::DistributedLocking: return "distributed-locking";
    case G::Sql: return "sql";
    case G::Blob: return "blob-store";
    case G::Http: return "http-server";
    case G::HttpClient: return "http-client";
  }
  return "?";
}

const ResourceInfo* find_resource(std::string_view resource) {
  for (const ResourceName& entry : kResources)
    if (entry.text == resource) return &entry.info;
  return nullptr;
}

const ResourceInfo& resource_info(Backend backend) {
  for (const ResourceName& entry : kResources)
    if (entry.info.backend == backend) return entry.info;
  return kResources[0].info;  // unreachable: every Backend has an entry
}

std::string Slightfile::where(uint32_t line) const {
  return line == 0 ? path : path + ":" + std::to_string(line);
}

const Capability* Slightfile::find(CapabilityGroup group, std::string_view open_name) const {
  const Capability* wildcard = nullptr;
  const Capability* last = nullptr;
  for (const Capability& cap : capabilities) {
    if (cap.info->group != group) continue;
    if (cap.name == open_name) return &cap;
    if (cap.name == "*") wildcard = &cap;
    last = &cap;
  }
  if (wildcard != nullptr) return wildcard;
  if (last == nullptr) return nullptr;
  // slight keys each capability by its name (the resource string in 0.1) and
  // falls back to the key equal to the last capability's resource string.
  for (const Capability& cap : capabilities)
    if (cap.info->group == group && cap.name == last->resource) return &cap;
  return nullptr;
}

bool Slightfile::has(CapabilityGroup group) const {
  for (const Capability& cap : capabilities)
    if (cap.info->group == group) return true;
  return false;
}

Result<Slightfile> parse_slightfile(std::string_view text, const std::string& path) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return make_error(place(path, e.source()) + ": TOML error: " + std::string(e.description()));
  } catch (const std::exception& e) {
    return make_error(path + ": TOML error: " + e.what());
  }
  return parse_document(root, path);
}

Result<Slightfile> load_slightfile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path + ": cannot open the slightfile: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return make_error(path + ": cannot read the slightfile");
  return parse_slightfile(text.str(), path);
}

Result<void> check_supported(const Slightfile& file) {
  for (const Capability& cap : file.capabilities) {
    const ResourceInfo& info = *cap.info;
    std::string what = file.where(cap.line) + ": resource '" + cap.resource + "'";
    switch (info.support) {
      case S::Supported: break;
      case S::NotYet:
        return make_error(what + " is not supported by silk yet (" + to_string(info.group) +
                          " capabilities come later)");
      case S::Cloud:
        return make_error(what + " is not supported: cloud store (" + std::string(info.service) +
                          "); silk runs local and self-hosted backends");
      case S::NotInSlight:
        return make_error(what + " is not supported (slight v0.5.1's default build cannot run it either)");
    }
    if (file.version == SpecVersion::V0_2 && cap.configs) {
      for (const auto& [key, raw] : *cap.configs) {
        auto checked = check_config_reference(file, cap, key, raw);
        if (!checked) return checked;
      }
    }
  }
  if (file.version == SpecVersion::V0_1 && file.secret_store &&
      config_store_from_name(*file.secret_store) == ConfigStore::AzApp) {
    return make_error(file.path + ": secret_store 'configs.azapp' is not supported: cloud store (Azure App Configuration)");
  }
  return {};
}

}  // namespace silk::slight
