// silk::slight — configuration values (ABI.md §4.3) and the configs stores
// behind the `configs` capability (§6.2).
//
// A capability's config value (REDIS_ADDRESS, ...) is resolved when its
// backend is constructed, never at load time:
//   spec 0.1 with secret_store   -> the config key itself, looked up in that store;
//   otherwise, from [capability.configs]:
//     "${envvars.X}"     -> host environment variable X
//     "${usersecrets.X}" -> [[secret_settings]] X of the same slightfile, decrypted
//     "${local.X}"       -> the literal X
//     anything else      -> the literal value
// The store and name split at the last dot, as slight's regex does.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "slight/slightfile/slightfile.h"

namespace silk::slight {

enum class ConfigStore : uint8_t { EnvVars, UserSecrets, Local, AzApp };

// "configs.envvars" -> EnvVars, ...; also the bare "envvars" of a ${...}.
std::optional<ConfigStore> config_store_from_name(std::string_view name);

// A raw config value, split: "${envvars.X}" -> {EnvVars, "X"}; a value that is
// not ${...} -> {Local, value}. Error: ${...} without a dot or with an unknown store.
struct ConfigReference {
  ConfigStore store;
  std::string name;
};
Result<ConfigReference> parse_config_reference(std::string_view raw);

// One key of one store, as slight's configs::get does it: EnvVars reads the
// host environment, UserSecrets decrypts from file.path (re-read, so a value
// set meanwhile is seen), Local returns {key} itself, AzApp is refused.
Result<std::string> store_get(const Slightfile& file, ConfigStore store, std::string_view key);

// The value of config {key} for capability {cap} of {file} (the rules above).
// Errors name the key, the capability and its place.
Result<std::string> resolve_config(const Slightfile& file, const Capability& cap, std::string_view key);

// The guest's configs::get / configs::set on a configs capability {cap}.
//   configs.envvars     get: host env var (missing: "environment variable not found");
//                       set: setenv in the host process.
//   configs.usersecrets get: decrypt from the slightfile; set: encrypt and rewrite it.
//   configs.local       (silk extension) get: the capability's own [capability.configs]
//                       entry, resolved as above; set: refused (read-only).
// The error messages are what the guest receives as unexpected-error.
Result<std::string> configs_get(const Slightfile& file, const Capability& cap, std::string_view key);
Result<void> configs_set(const Slightfile& file, const Capability& cap, std::string_view key,
                         std::string_view value);

}  // namespace silk::slight
