// silk — the command-line entry point: parses the command line and hands off
// to one subcommand (commands.h).
#include <CLI/CLI.hpp>

#include "cli/commands.h"

#ifndef SILK_VERSION
#define SILK_VERSION "unknown"
#endif

int main(int argc, char** argv) {
  CLI::App app{"silk: a WebAssembly engine and runtime for slight apps", "silk"};
  app.set_version_flag("--version", "silk " SILK_VERSION);
  app.require_subcommand(1);
  // slight's -c: a top-level option, before the subcommand.
  std::string slightfile;
  app.add_option("-c,--config", slightfile, "the slightfile (slightfile.toml)");

  silk::cli::WastCommand wast;
  silk::cli::CompileCommand compile;
  silk::cli::RunCommand run;
  silk::cli::SecretCommand secret;
  silk::cli::BindgenCommand bindgen;
  silk::cli::VmCommand vm;
  silk::cli::ImageCommand image;
  CLI::App* wast_cmd = silk::cli::add_wast_command(app, wast);
  CLI::App* compile_cmd = silk::cli::add_compile_command(app, compile);
  CLI::App* run_cmd = silk::cli::add_run_command(app, run);
  CLI::App* secret_cmd = silk::cli::add_secret_command(app, secret);
  CLI::App* bindgen_cmd = silk::cli::add_bindgen_command(app, bindgen);
  CLI::App* vm_cmd = silk::cli::add_vm_command(app, vm);
  CLI::App* image_cmd = silk::cli::add_image_command(app, image);

  CLI11_PARSE(app, argc, argv);

  if (wast_cmd->parsed()) return silk::cli::run_wast_command(wast);
  if (compile_cmd->parsed()) return silk::cli::run_compile_command(compile);
  if (run_cmd->parsed()) {
    run.process_args.assign(argv, argv + argc);
    return silk::cli::run_run_command(run, slightfile);
  }
  if (secret_cmd->parsed()) return silk::cli::run_secret_command(secret, slightfile);
  if (bindgen_cmd->parsed()) return silk::cli::run_bindgen_command(bindgen);
  if (vm_cmd->parsed()) {
    if (vm.run.config.empty()) vm.run.config = slightfile;
    return silk::cli::run_vm_command(vm);
  }
  if (image_cmd->parsed()) {
    if (image.run.config.empty()) image.run.config = slightfile;
    return silk::cli::run_image_command(image);
  }
  return 1;
}
