// The `configs` capability: configs.wit over slightfile/config.h's stores
// (ABI.md §6.2). open(name) binds the slightfile's configs capability for
// that name (§4.5); get/set go to its store (envvars, usersecrets, local).
#include <string>
#include <vector>

#include "slight/abi/guest.h"
#include "slight/host/capabilities.h"
#include "slight/slightfile/config.h"

namespace silk::slight {
namespace {

using configs::ConfigsError;
using Bytes = std::vector<uint8_t>;

class ConfigsResource : public configs::Configs {
 public:
  ConfigsResource(const Slightfile& file, const Capability& cap) : file_(file), cap_(cap) {}

  abi::Expected<Bytes, ConfigsError> get(const std::string& key) override {
    Result<std::string> value = configs_get(file_, cap_, key);
    if (!value) return abi::unexpected(ConfigsError::unexpected_error(value.error().message));
    return Bytes(value->begin(), value->end());
  }

  abi::Expected<abi::Unit, ConfigsError> set(const std::string& key, const Bytes& value) override {
    std::string_view text(reinterpret_cast<const char*>(value.data()), value.size());
    // slight needs UTF-8 here too (environment variables, encrypted secrets).
    if (!abi::is_valid_utf8(text))
      return abi::unexpected(ConfigsError::invalid_value("the value of config '" + key + "' is not UTF-8"));
    Result<void> done = configs_set(file_, cap_, key, text);
    if (!done) return abi::unexpected(ConfigsError::unexpected_error(done.error().message));
    return abi::Unit{};
  }

 private:
  const Slightfile& file_;
  const Capability& cap_;
};

class ConfigsAdapter : public configs::ConfigsHost {
 public:
  explicit ConfigsAdapter(const Slightfile& file) : file_(file) {}

  abi::Expected<std::shared_ptr<configs::Configs>, ConfigsError> configs_open(const std::string& name) override {
    const Capability* cap = file_.find(CapabilityGroup::Configs, name);
    if (!cap) return abi::unexpected(ConfigsError::unexpected_error(no_capability_message(file_, CapabilityGroup::Configs, name)));
    return std::shared_ptr<configs::Configs>(std::make_shared<ConfigsResource>(file_, *cap));
  }

 private:
  const Slightfile& file_;
};

}  // namespace

std::string no_capability_message(const Slightfile& file, CapabilityGroup group, const std::string& name) {
  return std::string("no ") + import_module(group) + " capability named '" + name + "' in " + file.path;
}

std::shared_ptr<configs::ConfigsHost> make_configs_host(const Slightfile& file) {
  return std::make_shared<ConfigsAdapter>(file);
}

}  // namespace silk::slight
