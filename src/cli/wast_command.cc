// silk wast: runs spec test scripts and prints "N passed, M failed, K skipped".
#include <cstdio>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/wast_runner.h"

namespace silk::cli {

CLI::App* add_wast_command(CLI::App& app, WastCommand& options) {
  CLI::App* cmd = app.add_subcommand(
      "wast", "Run WebAssembly spec test scripts (.wast, converted with wast2json, or .json)");
  cmd->add_option("files", options.files, "Scripts to run; the totals are summed")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_flag("-v,--verbose", options.verbose,
                "Per-file totals, error-message mismatches and spectest.print output");
  cmd->add_flag("--trace", options.trace, "Print each command before running it");
  cmd->add_option("--bounds-checks", options.bounds_checks,
                  "How memory accesses are bounds-checked: guard (guard pages, the default) or explicit")
      ->check(CLI::IsMember({"guard", "explicit"}));
  return cmd;
}

int run_wast_command(const WastCommand& options) {
  // Line-buffered, so the failures printed so far survive an engine crash.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  WastOptions runner_options{.verbose = options.verbose,
                             .trace = options.trace,
                             .bounds_checks = options.bounds_checks == "explicit" ? wasm::BoundsChecks::Explicit
                                                                                  : wasm::BoundsChecks::Guard};
  WastTally total;
  for (const std::string& file : options.files) {
    WastTally tally = run_wast_file(file, runner_options);
    if (options.verbose)
      std::printf("%s: %llu passed, %llu failed, %llu skipped, %llu message mismatches\n", file.c_str(),
                  (unsigned long long)tally.passed, (unsigned long long)tally.failed,
                  (unsigned long long)tally.skipped, (unsigned long long)tally.message_mismatches);
    std::fflush(stdout);
    total += tally;
  }
  if (options.verbose)
    std::printf("%llu message mismatches\n", (unsigned long long)total.message_mismatches);
  std::printf("%llu passed, %llu failed, %llu skipped\n", (unsigned long long)total.passed,
              (unsigned long long)total.failed, (unsigned long long)total.skipped);
  return total.failed == 0 ? 0 : 1;
}

}  // namespace silk::cli
