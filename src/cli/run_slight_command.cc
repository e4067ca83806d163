// silk run in slight mode (a slightfile given with -c): runs an unmodified
// slight app as `slight run` v0.5.1 does (ABI.md §5.3) through SlightHost
// (src/slight/host). Exit statuses: see kRunFooter in run_command.cc.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "common/boot_event.h"
#include "cli/commands.h"
#include "slight/host/slight_host.h"
#include "slight/slightfile/slightfile.h"
#include "wasm/engine.h"

extern char** environ;

namespace silk::cli {

namespace {

constexpr int kErrorStatus = 1;

int fail(const std::string& message) {
  std::fprintf(stderr, "Error: %s\n", message.c_str());
  return kErrorStatus;
}

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

// Server mode blocks SIGINT/SIGTERM before the entry point runs, so that a
// signal arriving while on-server-init starts the servers (whose threads
// inherit the mask) is not lost: it waits for wait_for_stop_signal.
void block_stop_signals() {
  sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

// Blocks until SIGINT or SIGTERM (slight's server mode: serve until Ctrl-C).
void wait_for_stop_signal() {
  sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  int sig = 0;
  sigwait(&set, &sig);
}

}  // namespace

int run_slight_app(const RunCommand& options, const std::string& config) {
  if (options.app_and_args.empty()) return fail("no APP.wasm given (see silk run --help)");
  if (!options.invoke.empty()) return fail("--invoke cannot be used with a slightfile (-c)");
  const std::string& file = options.app_and_args.front();
  bool link_all = options.link_all_capabilities;
  // slight's form puts -l after the module: `slight -c f run app.wasm -l`.
  for (size_t i = 1; i < options.app_and_args.size(); ++i) {
    const std::string& arg = options.app_and_args[i];
    if (arg == "-l" || arg == "--link-all-capabilities") {
      link_all = true;
    } else {
      return fail("unexpected argument '" + arg + "' after " + file +
                  " (a slight app takes no arguments; only -l/--link-all-capabilities may follow it)");
    }
  }

  auto slightfile = slight::load_slightfile(config);
  if (!slightfile) return fail(slightfile.error().message);

  slight::SlightHostOptions host_options;
  host_options.link_all_capabilities = link_all;
  host_options.args = options.process_args;  // slight: inherit_args()
  // slight gives an empty environment; --inherit-env and --env add to it.
  if (options.inherit_env)
    for (char** e = environ; *e; ++e) host_options.env.emplace_back(*e);
  for (const std::string& kv : options.env) {
    const std::string key = kv.substr(0, kv.find('=') + 1);
    std::erase_if(host_options.env, [&](const std::string& old) { return old.compare(0, key.size(), key) == 0; });
    host_options.env.push_back(kv);
  }
  for (const std::string& d : options.dirs) {
    size_t sep = d.find("::");
    host_options.preopens.push_back(sep == std::string::npos ? wasi::Preopen{d, d}
                                                             : wasi::Preopen{d.substr(0, sep), d.substr(sep + 2)});
  }
  auto host = slight::SlightHost::create(std::move(slightfile.value()), std::move(host_options));
  if (!host) return fail(host.error().message);

  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(file + ": cannot read the module");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto module = wasm::load_module(bytes);
  if (!module) return fail(file + ": invalid module: " + module.error().describe());
  std::vector<uint8_t>().swap(bytes);

  if (auto linkable = host.value()->check_module(*module.value()); !linkable)
    return fail(file + ": " + linkable.error().message);

  wasm::Store store;
  auto app = host.value()->instantiate(store, module.value());
  if (!app) {
    if (app.error().kind != wasm::ErrorKind::Trap && app.error().kind != wasm::ErrorKind::Exhaustion)
      return fail(file + ": cannot instantiate: " + app.error().message);
    std::fprintf(stderr, "Error: trap: %s\n", app.error().message.c_str());
    return kErrorStatus;
  }

  const bool server = host.value()->server_mode();
  if (server) block_stop_signals();
  slight::EntryKind entry = slight::find_entry_point(app.value()->instance(), server);
  report_app_start();
  slight::EntryOutcome outcome = slight::run_entry_point(store, *app.value(), entry);
  if (outcome.trap) {
    std::fprintf(stderr, "Error: trap in %s: %s\n", slight::to_string(outcome.kind), outcome.trap->message.c_str());
    for (size_t i = 0; i < outcome.trap->backtrace.size(); ++i)
      std::fprintf(stderr, "  %zu: %s\n", i, outcome.trap->backtrace[i].c_str());
    return kErrorStatus;
  }
  if (outcome.error) return fail(entry == slight::EntryKind::None ? file + ": " + *outcome.error : *outcome.error);
  if (server && !app.value()->exit_code()) {
    // slight serves until Ctrl-C whatever the entry point did (§5.3).
    std::fflush(stdout);
    if (host.value()->http_servers_inline()) {
      host.value()->serve_http_inline();  // no threads could be made: serve on this one
    } else {
      wait_for_stop_signal();
    }
    // Graceful: the servers stop accepting, in-flight requests finish.
    host.value()->stop_http_servers();
    if (std::getenv("SILK_HTTP_STATS")) {
      auto stats = host.value()->http_stats();
      std::fprintf(stderr, "silk: %llu requests, %.1f us per request instance\n", (unsigned long long)stats.requests,
                   stats.requests ? double(stats.instantiate_ns) / 1000.0 / double(stats.requests) : 0.0);
    }
    return 0;
  }
  return outcome.status;
}

}  // namespace silk::cli
