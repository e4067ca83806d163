// silk run: runs a WASI application — a command (_start) or a reactor
// (_initialize, then --invoke NAME [VALUES]) — with WASI preview1 (src/wasi).
// Exit status: the guest's (proc_exit code; 0 when _start returns), 134 after
// a trap, 1 when the input is bad (file, module, imports, options).
// With a slightfile (-c) it runs a slight app instead: run_slight_command.cc.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/boot_event.h"
#include "cli/commands.h"
#include "slight/host/slight_host.h"
#include "wasi/wasi.h"
#include "wasm/engine.h"

extern char** environ;

namespace silk::cli {

namespace {

constexpr int kTrapStatus = 134;  // as a process killed by SIGABRT would report
constexpr int kBadInputStatus = 1;

constexpr const char* kRunFooter = R"(
A command module's _start runs with ARGS as its argv[1..]; argv[0] is APP.wasm.
A reactor (no _start) runs _initialize if it exports one, then --invoke NAME:
the export is called with VALUES parsed by its parameter types (integers in
decimal or 0x hex, floats as strtod reads them, e.g. 1.5, nan, inf) and its
results are printed one per line. --invoke also works on a command module.
Arguments after APP.wasm all go to the guest, options too; a "--" right
after APP.wasm is dropped, so `silk run app.wasm -- -x` passes "-x".

--dir HOST[::GUEST] pre-opens the host directory HOST for the guest under the
name GUEST (default: HOST as written; `--dir .` lets the guest use relative
paths). The guest can reach nothing outside its pre-opened directories: "..",
absolute symlinks, symlinks leading outside and symlink loops are refused.

Exit status:
  N    the guest's exit code (proc_exit(N), or exit(N) in C); 0 when _start returns
  134  the guest trapped: "silk: trap: MESSAGE" and a backtrace (innermost
       frame first, names from the module's name section) go to stderr
  1    bad input: APP.wasm missing or unreadable, not a WebAssembly module,
       invalid, an import that is not WASI (module.name is named), an unknown
       --invoke export or bad VALUES; one line on stderr

slight apps: `silk -c slightfile.toml run APP.wasm [-l]` (slight's form) or
`silk run -c slightfile.toml [-l] APP.wasm` runs APP.wasm as `slight run`
does, with the capabilities the slightfile declares (keyvalue, configs,
http-server, http-client):
  * WASI as slight gives it: stdio inherited, argv = silk's own command line,
    an empty environment (--env/--inherit-env add to it), the current
    directory pre-opened as "." (--dir adds more);
  * entry point: on-server-init if the slightfile declares `http` (then it
    serves until SIGINT/SIGTERM, lets in-flight requests finish and exits 0),
    else _start, else the POC-style main(0, 0);
  * http-server: a fresh instance per request on worker threads; the matched
    route's handler runs (slight ran the first route matching the path,
    whatever its method); 404 / 204 OPTIONS / CORS / 500 as slight;
  * -l/--link-all-capabilities links every capability interface the app
    imports, declared or not (open() of an undeclared one is a WIT error;
    calling an interface silk does not implement yet traps).
  Exit status (slight v0.5.1's, except where marked):
    0    _start returned, or SIGINT/SIGTERM in server mode
    N    the guest called proc_exit(N) (slight: 1 with "Error: Exited with
         i32 exit status N", even for 0); main(0, 0) returned N
    1    "Error: ..." on stderr: slightfile missing or invalid, a store silk
         does not support (cloud stores, capabilities not implemented yet),
         a capability the app imports but the slightfile does not declare,
         an unknown import, no entry point, on-server-init returned Err, the
         guest trapped (with a backtrace). slight panics (exit 101) on some of
         these (unprovided imports, a slightfile without capabilities, which
         silk runs); silk never does.
  open(name) of a name the slightfile does not bind returns the WIT
  unexpected-error case (slight panics, which traps the guest).
)";

// Reads {path} with one open/fstat/read sequence (no iostreams, one allocation).
bool read_file(const std::string& path, std::vector<uint8_t>& out, std::string& error) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    error = S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file";
    close(fd);
    return false;
  }
  out.resize(size_t(st.st_size));
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = n < 0 ? std::strerror(errno) : "file shrank while reading";
      close(fd);
      return false;
    }
    done += size_t(n);
  }
  close(fd);
  return true;
}

int bad_input(const std::string& file, const std::string& what) {
  std::fprintf(stderr, "silk run: %s: %s\n", file.c_str(), what.c_str());
  return kBadInputStatus;
}

// A failed call: the guest's exit if it called proc_exit, else a trap report.
int finish_with_error(const wasm::Error& e, const wasi::WasiContext& wasi) {
  if (auto code = wasi.exit_code()) return *code;
  std::fprintf(stderr, "silk: trap: %s\n", e.message.c_str());
  for (size_t i = 0; i < e.backtrace.size(); ++i) std::fprintf(stderr, "  %zu: %s\n", i, e.backtrace[i].c_str());
  return kTrapStatus;
}

bool parse_value(wasm::ValType type, const std::string& text, wasm::Value& out) {
  char* end = nullptr;
  errno = 0;
  switch (type) {
    case wasm::ValType::I32:
    case wasm::ValType::I64: {
      const bool negative = !text.empty() && text[0] == '-';
      uint64_t bits = negative ? uint64_t(std::strtoll(text.c_str(), &end, 0)) : std::strtoull(text.c_str(), &end, 0);
      if (type == wasm::ValType::I32) {
        if (negative ? int64_t(bits) < INT32_MIN : bits > UINT32_MAX) return false;
        out = wasm::Value::i32(uint32_t(bits));
      } else {
        out = wasm::Value::i64(bits);
      }
      break;
    }
    case wasm::ValType::F32: out = wasm::Value::f32(std::strtof(text.c_str(), &end)); break;
    case wasm::ValType::F64: out = wasm::Value::f64(std::strtod(text.c_str(), &end)); break;
    default: return false;  // references and v128 cannot be written on a command line
  }
  return !text.empty() && end && *end == '\0' && errno != ERANGE;
}

void print_value(const wasm::Value& v) {
  switch (v.type) {
    case wasm::ValType::I32: std::printf("%" PRId32 "\n", int32_t(v.as_i32())); break;
    case wasm::ValType::I64: std::printf("%" PRId64 "\n", int64_t(v.as_i64())); break;
    case wasm::ValType::F32: std::printf("%.9g\n", double(v.as_f32())); break;
    case wasm::ValType::F64: std::printf("%.17g\n", v.as_f64()); break;
    default: std::printf("%s\n", v.to_string().c_str());
  }
}

std::vector<std::string> guest_environment(const RunCommand& options) {
  std::vector<std::string> env;
  if (options.inherit_env)
    for (char** e = environ; *e; ++e) env.emplace_back(*e);
  for (const std::string& kv : options.env) {
    const std::string key = kv.substr(0, kv.find('=') + 1);
    std::erase_if(env, [&](const std::string& old) { return old.compare(0, key.size(), key) == 0; });
    env.push_back(kv);
  }
  return env;
}

int invoke(wasm::Store& store, wasm::Instance& instance, const RunCommand& options,
           const std::vector<std::string>& values, const std::string& file, const wasi::WasiContext& wasi) {
  wasm::Function* f = instance.function(options.invoke);
  if (!f) return bad_input(file, "no exported function named \"" + options.invoke + "\"");
  const wasm::FuncType& type = wasm::function_type(f);
  if (values.size() != type.params.size()) {
    return bad_input(file, options.invoke + " takes " + std::to_string(type.params.size()) + " argument(s) " +
                               type.to_string() + ", got " + std::to_string(values.size()));
  }
  std::vector<wasm::Value> args(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    if (!parse_value(type.params[i], values[i], args[i]))
      return bad_input(file, "cannot read \"" + values[i] + "\" as " + wasm::to_string(type.params[i]));
  auto results = store.call(f, args);
  if (!results) return finish_with_error(results.error(), wasi);
  for (const wasm::Value& v : results.value()) print_value(v);
  return 0;
}

}  // namespace

CLI::App* add_run_command(CLI::App& app, RunCommand& options) {
  CLI::App* cmd = app.add_subcommand(
      "run", "Run a WASI application (command or reactor) with WASI preview1.\n"
             "Usage: silk run [OPTIONS] APP.wasm [ARGS...]   or   silk run [OPTIONS] --invoke NAME APP.wasm [VALUES...]");
  cmd->add_option("--dir", options.dirs, "Pre-open host directory HOST as GUEST (HOST[::GUEST]); repeatable")
      ->type_name("HOST[::GUEST]");
  cmd->add_option("--env", options.env, "Set guest environment variable K to V; repeatable")->type_name("K=V");
  cmd->add_flag("--inherit-env", options.inherit_env, "Pass silk's own environment to the guest (--env overrides)");
  cmd->add_option("--invoke", options.invoke,
                  "Call export NAME with the VALUES after APP.wasm and print its results (reactors)")
      ->type_name("NAME");
  cmd->add_option("-c,--config", options.config,
                  "Run a slight app with this slightfile (slightfile.toml); also `silk -c FILE run`")
      ->type_name("FILE");
  cmd->add_flag("-l,--link-all-capabilities", options.link_all_capabilities,
                "slight mode: link every capability interface the app imports, declared or not");
  cmd->add_option("--socket-fd", options.socket_fds,
                  "Hand silk's open host socket FD to the guest (sock_accept/recv/send/shutdown); "
                  "guest fds follow the pre-opens; repeatable")
      ->type_name("FD");
  for (CLI::Option* opt : cmd->get_options())
    if (opt->get_name() != "--help") opt->allow_extra_args(false);  // one value per --dir/--env
  // APP.wasm and everything after it belong to the guest, options included:
  // parsing stops at the first positional and the rest is left to us.
  cmd->prefix_command();
  cmd->allow_extras();
  cmd->callback([cmd, &options] { options.app_and_args = cmd->remaining(); });
  cmd->footer(kRunFooter);
  return cmd;
}

int run_run_command(const RunCommand& options, const std::string& global_config) {
  if (!options.config.empty() || !global_config.empty())
    return run_slight_app(options, !options.config.empty() ? options.config : global_config);
  if (options.app_and_args.empty()) {
    std::fprintf(stderr, "silk run: no APP.wasm given (see silk run --help)\n");
    return kBadInputStatus;
  }
  const std::string& file = options.app_and_args.front();
  std::vector<std::string> guest_args(options.app_and_args.begin(), options.app_and_args.end());
  if (guest_args.size() > 1 && guest_args[1] == "--") guest_args.erase(guest_args.begin() + 1);

  std::vector<uint8_t> bytes;
  std::string error;
  if (!read_file(file, bytes, error)) return bad_input(file, "cannot read: " + error);
  static constexpr uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6d};
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kMagic, 4) != 0)
    return bad_input(file, "not a WebAssembly module (no \\0asm header)");
  auto module = wasm::load_module(bytes);
  if (!module) return bad_input(file, "invalid module: " + module.error().describe());
  std::vector<uint8_t>().swap(bytes);  // the module keeps what it needs

  wasi::WasiOptions wasi_options;
  for (const std::string& d : options.dirs) {
    size_t sep = d.find("::");
    wasi_options.preopens.push_back(sep == std::string::npos ? wasi::Preopen{d, d}
                                                             : wasi::Preopen{d.substr(0, sep), d.substr(sep + 2)});
  }
  wasi_options.env = guest_environment(options);
  wasi_options.sockets = options.socket_fds;
  std::vector<std::string> invoke_values;
  if (options.invoke.empty()) {
    wasi_options.args = guest_args;
  } else {
    wasi_options.args = {file};
    invoke_values.assign(guest_args.begin() + 1, guest_args.end());
  }
  auto wasi = wasi::WasiContext::create(std::move(wasi_options));
  if (!wasi) return bad_input(file, wasi.error().message);

  wasm::Store store;
  std::vector<wasm::Extern> imports;
  for (const wasm::ImportInfo& import : wasm::module_imports(*module.value())) {
    if (import.kind != wasm::ExternKind::Func || !wasi::WasiContext::is_wasi_module(import.module)) {
      if (import.module == "canonical_abi" || slight::find_capability_interface(import.module))
        return bad_input(file, "imports " + import.module + "." + import.name +
                                   ": a slight app; run it with its slightfile: silk -c slightfile.toml run " + file);
      return bad_input(file, "unknown import " + import.module + "." + import.name + " (" +
                                 wasm::to_string(import.kind) + "): silk run provides only WASI functions");
    }
    auto f = wasi.value()->resolve_import(store, import);
    if (!f) return bad_input(file, f.error().message);
    imports.push_back(wasm::Extern::func(f.value()));
  }
  auto instance = store.instantiate(module.value(), imports);
  if (!instance) {
    if (instance.error().kind == wasm::ErrorKind::Trap || instance.error().kind == wasm::ErrorKind::Exhaustion)
      return finish_with_error(instance.error(), *wasi.value());
    return bad_input(file, "cannot instantiate: " + instance.error().describe());
  }
  wasm::Instance& inst = *instance.value();

  wasm::Function* start = inst.function("_start");
  if (options.invoke.empty() && !start)
    return bad_input(file, "no _start export: a reactor needs --invoke NAME");
  if (!options.invoke.empty() || !start) {
    if (wasm::Function* init = inst.function("_initialize")) {
      auto r = store.call(init, {});
      if (!r) return finish_with_error(r.error(), *wasi.value());
    }
    return invoke(store, inst, options, invoke_values, file, *wasi.value());
  }
  report_app_start();
  auto r = store.call(start, {});
  if (!r) return finish_with_error(r.error(), *wasi.value());
  return 0;
}

}  // namespace silk::cli
