// silk secret: slight's `secret` subcommand. Encrypts a value with the
// user-secrets key ($TMPDIR/.slightkey, created if absent) and stores it in
// the slightfile's [[secret_settings]], where configs.usersecrets and
// ${usersecrets.NAME} read it (slight/slightfile/usersecrets.h).
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "slight/slightfile/usersecrets.h"

namespace silk::cli {

CLI::App* add_secret_command(CLI::App& app, SecretCommand& options) {
  CLI::App* cmd = app.add_subcommand("secret", "Encrypt a value into the slightfile's [[secret_settings]]");
  cmd->add_option("-k,--key", options.key, "the secret's name")->required();
  cmd->add_option("-v,--value", options.value, "the secret's value")->required();
  cmd->add_option("-c,--config", options.config,
                  "the slightfile (default: silk -c FILE, else ./slightfile.toml)");
  return cmd;
}

int run_secret_command(const SecretCommand& options, const std::string& global_config) {
  std::string path = !options.config.empty() ? options.config
                     : !global_config.empty() ? global_config
                                              : std::string("slightfile.toml");
  auto written = slight::usersecrets::write_secret(path, options.key, options.value);
  if (!written) {
    std::fprintf(stderr, "Error: %s\n", written.error().message.c_str());
    return 1;
  }
  return 0;
}

}  // namespace silk::cli
