// silk compile: decodes, validates and translates every function of a module,
// and reports how long that took.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "wasm/engine.h"
#include "wasm/module.h"

namespace silk::cli {

CLI::App* add_compile_command(CLI::App& app, CompileCommand& options) {
  CLI::App* cmd = app.add_subcommand(
      "compile", "Load a module and translate all its functions; print size, count and speed");
  cmd->add_option("file", options.file, "The .wasm module")->required();
  return cmd;
}

namespace {

wasm::Result<std::vector<uint8_t>> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return wasm::make_error(wasm::ErrorKind::Io, "cannot read " + path);
  return std::vector<uint8_t>{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

wasm::Result<std::shared_ptr<const wasm::Module>> compile(std::span<const uint8_t> bytes) {
  auto module = SILK_TRY(wasm::load_module(bytes));
  SILK_TRY(wasm::translate_all(*module));
  return module;
}

}  // namespace

int run_compile_command(const CompileCommand& options) {
  auto bytes = read_file(options.file);
  if (!bytes.ok()) {
    std::fprintf(stderr, "silk compile: %s\n", bytes.error().describe().c_str());
    return 1;
  }
  auto start = std::chrono::steady_clock::now();
  auto module = compile(bytes.value());
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  if (!module.ok()) {
    std::fprintf(stderr, "silk compile: %s: %s\n", options.file.c_str(),
                 module.error().describe().c_str());
    return 1;
  }

  const wasm::Module& m = *module.value();
  const double ms = elapsed.count() * 1e3;
  const double mb = double(bytes.value().size()) / 1e6;
  std::printf("%s\n", options.file.c_str());
  std::printf("  size:       %zu bytes\n", bytes.value().size());
  std::printf("  functions:  %zu defined, %u imported\n", m.bodies.size(), m.num_imported_funcs);
  std::printf("  time:       %.3f ms (decode + validate + translate)\n", ms);
  std::printf("  throughput: %.1f MB/s\n", elapsed.count() > 0 ? mb / elapsed.count() : 0.0);
  return 0;
}

}  // namespace silk::cli
