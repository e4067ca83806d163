// silk run's app options on silk vm and silk image (commands.h).
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace silk::cli {

void add_app_options(CLI::App* cmd, RunCommand& run, std::vector<std::string>& app_and_args, const char* where) {
  std::string dir_help = std::string("As silk run: pre-open HOST as GUEST (copied into the ") + where + "); repeatable";
  cmd->add_option("--dir", run.dirs, dir_help)->type_name("HOST[::GUEST]");
  cmd->add_option("--env", run.env, "As silk run: set guest environment variable K to V")->type_name("K=V");
  cmd->add_flag("--inherit-env", run.inherit_env, "As silk run: pass silk's own environment to the guest");
  cmd->add_option("--invoke", run.invoke, "As silk run: call export NAME with VALUES")->type_name("NAME");
  cmd->add_option("-c,--config", run.config, "As silk run: run a slight app with this slightfile")->type_name("FILE");
  cmd->add_flag("-l,--link-all-capabilities", run.link_all_capabilities,
                "As silk run: link every capability interface the app imports");
  for (CLI::Option* opt : cmd->get_options())
    if (opt->get_name() != "--help") opt->allow_extra_args(false);  // one value per --dir/--env
  // The app and everything after it is left to us, as in silk run.
  cmd->prefix_command();
  cmd->allow_extras();
  cmd->callback([cmd, &app_and_args] { app_and_args = cmd->remaining(); });
}

vmm::AppSpec app_spec(const RunCommand& run, const std::vector<std::string>& app_and_args) {
  vmm::AppSpec spec;
  spec.app = app_and_args.front();
  spec.args.assign(app_and_args.begin() + 1, app_and_args.end());
  spec.dirs = run.dirs;
  spec.env = run.env;
  spec.inherit_env = run.inherit_env;
  spec.invoke = run.invoke;
  spec.slightfile = run.config;
  spec.link_all_capabilities = run.link_all_capabilities;
  return spec;
}

}  // namespace silk::cli
