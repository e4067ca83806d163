// silk::cli — the spec test runner: executes a .wast script, as wast2json
// writes it (JSON commands + .wasm files), against a fresh Store.
//
// Every command kind runs: module, register, action, assert_return,
// assert_trap, assert_exhaustion, assert_invalid, assert_malformed,
// assert_unlinkable, assert_uninstantiable. A command is skipped, never
// passed, when it needs what silk does not support yet: v128 values or
// modules (SIMD), and modules given as text (the text-format assertions).
// Each failure prints one line, "FILE:LINE: COMMAND: expected X, got Y".
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/spectest_host.h"
#include "wasm/engine.h"

namespace silk::cli {

struct WastOptions {
  bool verbose = false;  // print message mismatches and spectest.print output
  bool trace = false;    // print each command before running it (to find a crash)
  wasm::BoundsChecks bounds_checks = wasm::BoundsChecks::Guard;
};

struct WastTally {
  uint64_t passed = 0;
  uint64_t failed = 0;
  uint64_t skipped = 0;
  // Invalid/malformed/unlinkable/exhaustion assertions that failed in the
  // expected way but with different wording: passed, and counted here.
  uint64_t message_mismatches = 0;

  WastTally& operator+=(const WastTally& other);
};

// Runs the script at {path}: a .wast (converted with wast2json into a
// temporary directory) or a .json that wast2json wrote. Scripts named
// simd_*.wast have every command skipped.
WastTally run_wast_file(const std::filesystem::path& path, const WastOptions& options);

class WastRunner {
 public:
  // {display_name} prefixes failure lines; {module_dir} holds the .wasm files
  // the script names.
  WastRunner(std::string display_name, std::filesystem::path module_dir, WastOptions options);
  ~WastRunner();

  WastTally run(const nlohmann::json& script);
  WastTally skip_all(const nlohmann::json& script);

 private:
  using Json = nlohmann::json;
  using Values = std::vector<wasm::Value>;
  enum class Outcome { Pass, Fail, Skip };

  Outcome run_command(const Json& command);

  // One method per command kind.
  Outcome on_module(const Json& command);
  Outcome on_register(const Json& command);
  Outcome on_action(const Json& command);
  Outcome on_assert_return(const Json& command);
  Outcome on_assert_trap(const Json& command);
  Outcome on_assert_exhaustion(const Json& command);
  Outcome on_assert_invalid(const Json& command);
  Outcome on_assert_malformed(const Json& command);
  Outcome on_assert_unlinkable(const Json& command);
  Outcome on_assert_uninstantiable(const Json& command);

  // Loading and linking.
  wasm::Result<std::shared_ptr<const wasm::Module>> load(const Json& command);
  wasm::Result<std::vector<wasm::Extern>> resolve_imports(const wasm::Module& module);
  wasm::Result<wasm::Instance*> instantiate(std::shared_ptr<const wasm::Module> module);
  wasm::Result<wasm::Instance*> find_instance(const Json& action_or_register, const char* key);

  // Runs an action; nothing if it involves v128 (the command is skipped).
  std::optional<wasm::Result<Values>> run_action(const Json& action);

  // Shared by assert_invalid / assert_malformed / assert_unlinkable /
  // assert_exhaustion: {error} must be of {kind}; wording differences only count.
  Outcome expect_error_kind(const Json& command, const wasm::Result<void>& outcome,
                            wasm::ErrorKind kind);
  // assert_trap / assert_uninstantiable: a Trap whose message contains the text.
  Outcome expect_trap(const Json& command, const wasm::Result<void>& outcome);

  Outcome fail(const Json& command, const std::string& expected, const std::string& got);

  std::string display_name_;
  std::filesystem::path module_dir_;
  WastOptions options_;
  WastTally tally_;

  std::unique_ptr<wasm::Store> store_;
  std::optional<SpectestHost> spectest_;
  wasm::Instance* current_ = nullptr;
  std::map<std::string, wasm::Instance*> named_;       // "$M" -> instance (null: failed)
  std::map<std::string, wasm::Instance*> registered_;  // import module name -> instance
};

}  // namespace silk::cli
