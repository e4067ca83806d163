#include "cli/wast_runner.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "cli/json_value.h"
#include "cli/wast2json.h"
#include "wasm/module.h"

namespace silk::cli {

namespace fs = std::filesystem;
using wasm::ErrorKind;
using wasm::ValType;
using Json = nlohmann::json;

WastTally& WastTally::operator+=(const WastTally& other) {
  passed += other.passed;
  failed += other.failed;
  skipped += other.skipped;
  message_mismatches += other.message_mismatches;
  return *this;
}

namespace {

wasm::Error error(ErrorKind kind, std::string message) { return wasm::make_error(kind, std::move(message)); }

bool has_v128(const wasm::FuncType& type) {
  auto is_v128 = [](ValType t) { return t == ValType::V128; };
  return std::ranges::any_of(type.params, is_v128) || std::ranges::any_of(type.results, is_v128);
}

// SIMD is not supported yet: a module that mentions v128 anywhere a type is
// written is skipped rather than run half-way.
bool module_uses_v128(const wasm::Module& m) {
  if (std::ranges::any_of(m.types, has_v128)) return true;
  for (const wasm::GlobalType& g : m.global_types)
    if (g.type == ValType::V128) return true;
  for (const wasm::FunctionBody& body : m.bodies)
    if (std::ranges::find(body.locals, ValType::V128) != body.locals.end()) return true;
  return false;
}

std::string format_values(const std::vector<wasm::Value>& values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + format_value(values[i]);
  return s + "]";
}

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

// Keeps only whether {r} failed, and how.
template <typename T>
wasm::Result<void> discard(const wasm::Result<T>& r) {
  if (r.ok()) return {};
  return r.error();
}

Json read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  return Json::parse(in);
}

}  // namespace

// Files ------------------------------------------------------------------------

WastTally run_wast_file(const fs::path& path, const WastOptions& options) {
  const std::string name = path.string();
  WastTally broken;
  broken.failed = 1;

  TempDir temp;
  fs::path json_path = path;
  if (path.extension() != ".json") {
    std::string why;
    if (!temp.create(&why) || !run_wast2json(path, temp.path() / "script.json", &why)) {
      std::printf("%s:0: wast2json: expected a converted script, got %s\n", name.c_str(), why.c_str());
      return broken;
    }
    json_path = temp.path() / "script.json";
  }

  Json script;
  try {
    script = read_json(json_path);
  } catch (const std::exception& e) {
    std::printf("%s:0: script: expected JSON commands, got %s\n", name.c_str(), e.what());
    return broken;
  }

  WastRunner runner(name, json_path.parent_path(), options);
  if (path.filename().string().starts_with("simd_")) return runner.skip_all(script);
  return runner.run(script);
}

// The runner -------------------------------------------------------------------

WastRunner::WastRunner(std::string display_name, fs::path module_dir, WastOptions options)
    : display_name_(std::move(display_name)),
      module_dir_(std::move(module_dir)),
      options_(options),
      store_(std::make_unique<wasm::Store>(wasm::StoreOptions{.bounds_checks = options.bounds_checks})) {}

WastRunner::~WastRunner() = default;

WastTally WastRunner::skip_all(const Json& script) {
  tally_ = {};
  if (script.contains("commands")) tally_.skipped = script.at("commands").size();
  return tally_;
}

WastTally WastRunner::run(const Json& script) {
  tally_ = {};
  auto spectest = SpectestHost::create(*store_, options_.verbose);
  if (!spectest.ok()) {
    std::printf("%s:0: spectest: expected the host module, got %s\n", display_name_.c_str(),
                spectest.error().describe().c_str());
    tally_.failed = 1;
    return tally_;
  }
  spectest_.emplace(std::move(spectest.value()));

  for (const Json& command : script.value("commands", Json::array())) {
    if (options_.trace)
      std::printf("%s:%d: %s\n", display_name_.c_str(), command.value("line", 0),
                  command.value("type", "?").c_str());
    Outcome outcome;
    try {
      outcome = run_command(command);
    } catch (const std::exception& e) {
      outcome = fail(command, "a well-formed command", std::string("JSON error: ") + e.what());
    }
    switch (outcome) {
      case Outcome::Pass: ++tally_.passed; break;
      case Outcome::Fail: ++tally_.failed; break;
      case Outcome::Skip: ++tally_.skipped; break;
    }
  }
  return tally_;
}

WastRunner::Outcome WastRunner::run_command(const Json& command) {
  const std::string type = command.at("type").get<std::string>();
  // Text modules only appear in assertions about the text format.
  if (command.value("module_type", "binary") == "text") return Outcome::Skip;
  if (type == "module") return on_module(command);
  if (type == "register") return on_register(command);
  if (type == "action") return on_action(command);
  if (type == "assert_return") return on_assert_return(command);
  if (type == "assert_trap") return on_assert_trap(command);
  if (type == "assert_exhaustion") return on_assert_exhaustion(command);
  if (type == "assert_invalid") return on_assert_invalid(command);
  if (type == "assert_malformed") return on_assert_malformed(command);
  if (type == "assert_unlinkable") return on_assert_unlinkable(command);
  if (type == "assert_uninstantiable") return on_assert_uninstantiable(command);
  return fail(command, "a known command", quoted(type));
}

WastRunner::Outcome WastRunner::fail(const Json& command, const std::string& expected,
                                     const std::string& got) {
  std::printf("%s:%d: %s: expected %s, got %s\n", display_name_.c_str(), command.value("line", 0),
              command.value("type", "command").c_str(), expected.c_str(), got.c_str());
  return Outcome::Fail;
}

// Loading and linking ------------------------------------------------------------

wasm::Result<std::shared_ptr<const wasm::Module>> WastRunner::load(const Json& command) {
  const fs::path file = module_dir_ / command.at("filename").get<std::string>();
  std::ifstream in(file, std::ios::binary);
  if (!in) return error(ErrorKind::Io, "cannot read " + file.string());
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return wasm::load_module(bytes);
}

wasm::Result<std::vector<wasm::Extern>> WastRunner::resolve_imports(const wasm::Module& module) {
  std::vector<wasm::Extern> externs;
  for (const wasm::ImportInfo& import : wasm::module_imports(module)) {
    std::optional<wasm::Extern> found;
    if (auto it = registered_.find(import.module); it != registered_.end()) {
      found = it->second->find_export(import.name);
    } else if (import.module == "spectest") {
      found = spectest_->find(import.name);
    }
    const std::string what = quoted(import.module) + " " + quoted(import.name);
    if (!found) return error(ErrorKind::Unlinkable, "unknown import " + what);
    if (found->kind != import.kind)
      return error(ErrorKind::Unlinkable, "incompatible import type for " + what);
    externs.push_back(*found);
  }
  return externs;
}

wasm::Result<wasm::Instance*> WastRunner::instantiate(std::shared_ptr<const wasm::Module> module) {
  std::vector<wasm::Extern> imports = SILK_TRY(resolve_imports(*module));
  return store_->instantiate(std::move(module), imports);
}

wasm::Result<wasm::Instance*> WastRunner::find_instance(const Json& json, const char* key) {
  wasm::Instance* instance = current_;
  std::string name = "the current module";
  if (json.contains(key)) {
    name = json.at(key).get<std::string>();
    auto it = named_.find(name);
    if (it == named_.end()) return error(ErrorKind::Usage, "unknown module " + name);
    instance = it->second;
  }
  if (!instance) return error(ErrorKind::Usage, name + " failed to instantiate");
  return instance;
}

std::optional<wasm::Result<WastRunner::Values>> WastRunner::run_action(const Json& action) {
  const Json& args = action.value("args", Json::array());
  if (any_v128(args)) return std::nullopt;

  auto instance = find_instance(action, "module");
  if (!instance.ok()) return wasm::Result<Values>(instance.error());
  const std::string type = action.at("type").get<std::string>();
  const std::string field = action.at("field").get<std::string>();

  if (type == "get") {
    wasm::Global* global = instance.value()->global(field);
    if (!global) return wasm::Result<Values>(error(ErrorKind::Usage, "no global export " + quoted(field)));
    if (wasm::global_type(global).type == ValType::V128) return std::nullopt;
    return wasm::Result<Values>(Values{wasm::global_get(global)});
  }
  if (type != "invoke") return wasm::Result<Values>(error(ErrorKind::Usage, "unknown action " + quoted(type)));

  wasm::Function* function = instance.value()->function(field);
  if (!function) return wasm::Result<Values>(error(ErrorKind::Usage, "no function export " + quoted(field)));
  if (has_v128(wasm::function_type(function))) return std::nullopt;
  Values values;
  for (const Json& arg : args) values.push_back(parse_value(arg));
  return store_->call(function, values);
}

// Commands -----------------------------------------------------------------------

WastRunner::Outcome WastRunner::on_module(const Json& command) {
  const std::string name = command.value("name", "");
  current_ = nullptr;
  if (!name.empty()) named_[name] = nullptr;

  auto module = load(command);
  if (!module.ok()) return fail(command, "a module", module.error().describe());
  if (module_uses_v128(*module.value())) return Outcome::Skip;
  auto instance = instantiate(module.value());
  if (!instance.ok()) return fail(command, "an instance", instance.error().describe());

  current_ = instance.value();
  if (!name.empty()) named_[name] = current_;
  return Outcome::Pass;
}

WastRunner::Outcome WastRunner::on_register(const Json& command) {
  auto instance = find_instance(command, "name");
  const std::string as = command.at("as").get<std::string>();
  if (!instance.ok()) return fail(command, "a module to register as " + quoted(as), instance.error().describe());
  registered_[as] = instance.value();
  return Outcome::Pass;
}

WastRunner::Outcome WastRunner::on_action(const Json& command) {
  auto result = run_action(command.at("action"));
  if (!result) return Outcome::Skip;
  if (!result->ok()) return fail(command, "success", result->error().describe());
  return Outcome::Pass;
}

WastRunner::Outcome WastRunner::on_assert_return(const Json& command) {
  const Json& expected_json = command.value("expected", Json::array());
  if (any_v128(expected_json)) return Outcome::Skip;
  std::vector<ExpectedValue> expected;
  for (const Json& e : expected_json) expected.push_back(parse_expected(e));

  std::string want = "[";
  for (size_t i = 0; i < expected.size(); ++i) want += (i ? ", " : "") + format_expected(expected[i]);
  want += "]";

  auto result = run_action(command.at("action"));
  if (!result) return Outcome::Skip;
  if (!result->ok()) return fail(command, want, result->error().describe());
  const Values& got = result->value();
  bool same = got.size() == expected.size();
  for (size_t i = 0; same && i < got.size(); ++i) same = matches(expected[i], got[i]);
  if (!same) return fail(command, want, format_values(got));
  return Outcome::Pass;
}

WastRunner::Outcome WastRunner::expect_trap(const Json& command, const wasm::Result<void>& outcome) {
  const std::string text = command.value("text", "");
  const std::string want = "trap " + quoted(text);
  if (outcome.ok()) return fail(command, want, "success");
  const wasm::Error& e = outcome.error();
  if (e.kind != ErrorKind::Trap || e.message.find(text) == std::string::npos)
    return fail(command, want, e.describe());
  return Outcome::Pass;
}

WastRunner::Outcome WastRunner::expect_error_kind(const Json& command, const wasm::Result<void>& outcome,
                                                  ErrorKind kind) {
  const std::string text = command.value("text", "");
  const std::string want = std::string(wasm::to_string(kind)) + " " + quoted(text);
  if (outcome.ok()) return fail(command, want, "success");
  const wasm::Error& e = outcome.error();
  if (e.kind != kind) return fail(command, want, e.describe());
  if (e.message.find(text) == std::string::npos) {
    ++tally_.message_mismatches;
    if (options_.verbose)
      std::printf("%s:%d: %s: message mismatch: expected %s, got %s\n", display_name_.c_str(),
                  command.value("line", 0), command.value("type", "").c_str(), quoted(text).c_str(),
                  quoted(e.message).c_str());
  }
  return Outcome::Pass;
}

WastRunner::Outcome WastRunner::on_assert_trap(const Json& command) {
  if (any_v128(command.value("expected", Json::array()))) return Outcome::Skip;
  auto result = run_action(command.at("action"));
  if (!result) return Outcome::Skip;
  return expect_trap(command, discard(*result));
}

WastRunner::Outcome WastRunner::on_assert_exhaustion(const Json& command) {
  auto result = run_action(command.at("action"));
  if (!result) return Outcome::Skip;
  return expect_error_kind(command, discard(*result), ErrorKind::Exhaustion);
}

WastRunner::Outcome WastRunner::on_assert_invalid(const Json& command) {
  return expect_error_kind(command, discard(load(command)), ErrorKind::Invalid);
}

WastRunner::Outcome WastRunner::on_assert_malformed(const Json& command) {
  return expect_error_kind(command, discard(load(command)), ErrorKind::Malformed);
}

WastRunner::Outcome WastRunner::on_assert_unlinkable(const Json& command) {
  auto module = load(command);
  if (!module.ok()) return fail(command, "a module", module.error().describe());
  if (module_uses_v128(*module.value())) return Outcome::Skip;
  return expect_error_kind(command, discard(instantiate(module.value())), ErrorKind::Unlinkable);
}

WastRunner::Outcome WastRunner::on_assert_uninstantiable(const Json& command) {
  auto module = load(command);
  if (!module.ok()) return fail(command, "a module", module.error().describe());
  if (module_uses_v128(*module.value())) return Outcome::Skip;
  return expect_trap(command, discard(instantiate(module.value())));
}

}  // namespace silk::cli
