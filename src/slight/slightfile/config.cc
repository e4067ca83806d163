// Configuration values and the configs stores (ABI.md §4.3, §6.2).
#include "slight/slightfile/config.h"

#include <cstdlib>
#include <mutex>

#include "slight/slightfile/usersecrets.h"

namespace silk::slight {
namespace {

// The process environment is shared by every instance: setenv/getenv from
// configs calls go through one lock.
std::mutex& env_mutex() {
  static std::mutex m;
  return m;
}

std::optional<std::string> get_env(std::string_view name) {
  std::lock_guard lock(env_mutex());
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::string describe(const Slightfile& file, const Capability& cap, std::string_view key) {
  return "config '" + std::string(key) + "' of capability '" + cap.name + "' (" + file.where(cap.line) + ")";
}

}  // namespace

std::optional<ConfigStore> config_store_from_name(std::string_view name) {
  if (name.starts_with("configs.")) name.remove_prefix(8);
  if (name == "envvars") return ConfigStore::EnvVars;
  if (name == "usersecrets") return ConfigStore::UserSecrets;
  if (name == "local") return ConfigStore::Local;
  if (name == "azapp") return ConfigStore::AzApp;
  return std::nullopt;
}

Result<ConfigReference> parse_config_reference(std::string_view raw) {
  // slight: ^\$\{(.+)\}$, then (.+)\.(.+) on the inside; the greedy first group
  // puts the split at the last dot that has a character on both sides.
  if (raw.size() < 4 || !raw.starts_with("${") || !raw.ends_with("}"))
    return ConfigReference{ConfigStore::Local, std::string(raw)};
  std::string_view inner = raw.substr(2, raw.size() - 3);
  size_t dot = std::string_view::npos;
  for (size_t i = inner.size() >= 2 ? inner.size() - 2 : 0; i >= 1 && i < inner.size(); --i) {
    if (inner[i] == '.') {
      dot = i;
      break;
    }
  }
  if (dot == std::string_view::npos) {
    return make_error("'" + std::string(raw) +
                      "' names no store: expected ${envvars.NAME}, ${usersecrets.NAME} or ${local.NAME}");
  }
  std::string_view store_name = inner.substr(0, dot);
  auto store = config_store_from_name(store_name);
  if (!store || store_name.starts_with("configs.")) {
    return make_error("unknown configuration type '" + std::string(store_name) + "' in '" + std::string(raw) +
                      "' (expected envvars, usersecrets or local)");
  }
  return ConfigReference{*store, std::string(inner.substr(dot + 1))};
}

Result<std::string> store_get(const Slightfile& file, ConfigStore store, std::string_view key) {
  switch (store) {
    case ConfigStore::EnvVars: {
      auto value = get_env(key);
      if (!value) return make_error("environment variable not found");
      return *value;
    }
    case ConfigStore::UserSecrets:
      return usersecrets::read_secret(file.path, key);
    case ConfigStore::Local:
      return std::string(key);
    case ConfigStore::AzApp:
      return make_error("not supported: cloud store (Azure App Configuration)");
  }
  return make_error("unknown configuration type");
}

Result<std::string> resolve_config(const Slightfile& file, const Capability& cap, std::string_view key) {
  if (file.version == SpecVersion::V0_1 && file.secret_store) {
    auto store = config_store_from_name(*file.secret_store);
    if (!store) return make_error(describe(file, cap, key) + ": unknown secret_store '" + *file.secret_store + "'");
    auto value = store_get(file, *store, key);
    if (!value) {
      return make_error(describe(file, cap, key) + ", read from secret_store " + *file.secret_store + ": " +
                        value.error().message);
    }
    return value;
  }
  if (!cap.configs) {
    return make_error(describe(file, cap, key) +
                      ": this capability needs a [capability.configs] section to provide it");
  }
  auto it = cap.configs->find(std::string(key));
  if (it == cap.configs->end())
    return make_error(describe(file, cap, key) + ": no config named '" + std::string(key) + "' found");
  auto ref = parse_config_reference(it->second);
  if (!ref) return make_error(describe(file, cap, key) + ": " + ref.error().message);
  auto value = store_get(file, ref->store, ref->name);
  if (!value) {
    std::string what = ref->store == ConfigStore::EnvVars      ? "environment variable '" + ref->name + "'"
                       : ref->store == ConfigStore::UserSecrets ? "user secret '" + ref->name + "'"
                                                                : "'" + it->second + "'";
    return make_error(describe(file, cap, key) + ": " + what + ": " + value.error().message);
  }
  return value;
}

Result<std::string> configs_get(const Slightfile& file, const Capability& cap, std::string_view key) {
  switch (cap.info->backend) {
    case Backend::ConfigsEnvVars: return store_get(file, ConfigStore::EnvVars, key);
    case Backend::ConfigsUserSecrets: return usersecrets::read_secret(file.path, key);
    case Backend::ConfigsLocal: return resolve_config(file, cap, key);
    case Backend::ConfigsAzApp: return store_get(file, ConfigStore::AzApp, key);
    default: return make_error("capability '" + cap.name + "' is not a configs capability");
  }
}

Result<void> configs_set(const Slightfile& file, const Capability& cap, std::string_view key,
                         std::string_view value) {
  switch (cap.info->backend) {
    case Backend::ConfigsEnvVars: {
      if (key.empty() || key.find('=') != std::string_view::npos || key.find('\0') != std::string_view::npos)
        return make_error("invalid environment variable name");
      if (value.find('\0') != std::string_view::npos)
        return make_error("invalid environment variable value (contains NUL)");
      std::lock_guard lock(env_mutex());
      if (setenv(std::string(key).c_str(), std::string(value).c_str(), 1) != 0)
        return make_error("cannot set environment variable");
      return {};
    }
    case Backend::ConfigsUserSecrets: return usersecrets::write_secret(file.path, key, value);
    case Backend::ConfigsLocal:
      return make_error("configs.local is read-only (its values come from the slightfile)");
    case Backend::ConfigsAzApp: return make_error("not supported: cloud store (Azure App Configuration)");
    default: return make_error("capability '" + cap.name + "' is not a configs capability");
  }
}

}  // namespace silk::slight
