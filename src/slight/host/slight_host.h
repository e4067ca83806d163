// silk::slight — the slight host: runs an unmodified slight app (a core wasm
// module built against slight's WIT) with the capabilities its slightfile
// declares, as `slight run` v0.5.1 does (ABI.md §3, §4.5, §5.3, §6).
//
//   auto file = load_slightfile("slightfile.toml");
//   auto host = SlightHost::create(std::move(file.value()), options);  // runs check_supported()
//   SILK_TRY(host->check_module(*module));                          // link-time errors, before a Store
//   wasm::Store store;
//   auto app = host->instantiate(store, module);                     // fresh WASI + handle tables
//   auto outcome = run_entry_point(store, *app.value(), host->server_mode());
//
// Linking (one SlightInstance per wasm instance; HTTP apps will get one per request):
//  * WASI preview1 (and wasi_unstable) as slight provides it (§3): stdio
//    inherited, argv = the host program's own argv, an EMPTY environment, the
//    host's current directory pre-opened as ".". SlightHostOptions can change
//    each of these (silk run --dir/--env add to them).
//  * Each capability interface the module imports (keyvalue, configs, ...)
//    through the generated register_<iface>_imports with silk's
//    implementation, when the slightfile declares that capability group, or
//    always with -l (link_all_capabilities: then open(name) of an undeclared
//    group is the WIT error below).
//  * Errors at link time (check_module / instantiate), each one line naming the
//    import and the slightfile:
//      - a capability interface the module imports that the slightfile does not
//        declare (without -l): "... imports keyvalue.keyvalue::open but
//        slightfile.toml declares no keyvalue capability";
//      - a declared capability silk has no host for yet (messaging, sql,
//        distributed-locking, blob-store):
//        "capability messaging is not supported by silk yet". With -l an
//        UNDECLARED unimplemented interface is linked to functions that trap
//        with that message when called (what the JS engine, which imports every
//        interface, needs to start);
//      - any other import: "unknown import module.name".
//  * open(name) for a name the slightfile does not bind (§4.5): the
//    interface's unexpected-error case, "no keyvalue capability named 'x' in
//    slightfile.toml". (slight panics there, which traps the guest and exits
//    101; an app cannot rely on that, and a WIT error is what it can handle.)
//
// Threading: a SlightHost is immutable after create() and may be shared by
// threads; each SlightInstance (and its Store) is used by one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "slight/host/http_server_host.h"
#include "slight/slightfile/slightfile.h"
#include "wasi/wasi.h"
#include "wasm/engine.h"

namespace silk::slight {

struct SlightHostOptions {
  bool link_all_capabilities = false;  // slight run -l
  // What the guest's WASI sees (defaults: slight's, §3 — set args to the
  // host's argv; env stays empty; "." is the host's current directory).
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::vector<wasi::Preopen> preopens = {{".", "."}};
  int stdin_fd = 0, stdout_fd = 1, stderr_fd = 2;
  // keyvalue.filesystem's base directory; empty: $TMPDIR, else /tmp (slight's temp_dir()).
  std::string keyvalue_temp_dir;
  // http-server: worker threads, queue bound, drain timeout (http_server_host.h).
  HttpServerOptions http;
};

// The capability interfaces (import modules) slight defines, and whether silk
// implements each one yet.
struct CapabilityInterface {
  const char* module;      // "keyvalue", "http-server", ...
  CapabilityGroup group;   // the slightfile group that declares it
  bool implemented;        // silk has a host for it
};
// nullptr if {module} is not one of slight's capability import modules.
const CapabilityInterface* find_capability_interface(std::string_view module);

class SlightInstance {
 public:
  wasm::Instance& instance() { return *instance_; }
  wasi::WasiContext& wasi() { return *wasi_; }
  // Set once the guest called proc_exit.
  std::optional<int> exit_code() const { return wasi_->exit_code(); }

 private:
  friend class SlightHost;
  std::unique_ptr<wasi::WasiContext> wasi_;
  std::vector<std::shared_ptr<void>> states_;  // the capability handle tables
  wasm::Instance* instance_ = nullptr;
};

class SlightHost {
 public:
  // {file} as loaded by load_slightfile; create() runs check_supported(file)
  // and fails with its message (cloud stores, unimplemented backends).
  static Result<std::unique_ptr<SlightHost>> create(Slightfile file, SlightHostOptions options = {});
  ~SlightHost();

  const Slightfile& slightfile() const { return file_; }
  const SlightHostOptions& options() const { return options_; }
  // The slightfile declares `http`: the app is started with on-server-init
  // and served until stopped (§5.3).
  bool server_mode() const { return file_.has(CapabilityGroup::Http); }

  // The link-time checks above, for {module}, without instantiating
  // (Unlinkable errors).
  wasm::Result<void> check_module(const wasm::Module& module) const;

  // Links and instantiates {module} in {store} (the module's start function,
  // if any, runs; _start / _initialize do not). Unlinkable errors as above;
  // a trap in the start function is returned as the trap.
  wasm::Result<std::unique_ptr<SlightInstance>> instantiate(wasm::Store& store,
                                                            std::shared_ptr<const wasm::Module> module) const;

  // http-server: stops every server the app started (server::serve), letting
  // in-flight requests finish, then their threads. Idempotent; the
  // destructor does it too.
  void stop_http_servers() const;
  size_t http_server_count() const;
  // No threads (silk's unikernel): the servers need this thread to serve on
  // (HttpServerRuntime::serves_inline); serve_http_inline() does it.
  bool http_servers_inline() const;
  void serve_http_inline() const;
  // Requests served on per-request instances and the time spent creating
  // those instances (new Store + instantiate + _initialize).
  struct HttpStats {
    uint64_t requests = 0;
    uint64_t instantiate_ns = 0;
  };
  HttpStats http_stats() const;

  struct Backends;  // process-wide capability state (slight_host.cc)

 private:
  SlightHost(Slightfile file, SlightHostOptions options);
  Slightfile file_;
  SlightHostOptions options_;
  std::unique_ptr<Backends> backends_;
  // The stdio descriptors and preopened directories every instance shares,
  // probed and opened once (not per request: each costs system calls).
  std::unique_ptr<wasi::WasiContext> wasi_base_;
};

// The entry point of §5.3: in server mode `on-server-init` if exported; else
// `_start`; else the POC-style `main(i32, i32) -> i32` called as main(0, 0).
enum class EntryKind { OnServerInit, Start, Main, None };
const char* to_string(EntryKind kind);  // "on-server-init", "_start", "main"
EntryKind find_entry_point(const wasm::Instance& instance, bool server_mode);

// What running the entry point came to.
struct EntryOutcome {
  EntryKind kind = EntryKind::None;
  // The guest's exit status: proc_exit(N) -> N; _start returning -> 0;
  // main(0,0) returning R -> R.
  int status = 0;
  // on-server-init returned Err(message), or the entry point trapped (the
  // trap's message; {trap} has its backtrace). Empty when it succeeded.
  std::optional<std::string> error;
  std::optional<wasm::Error> trap;
};
// Calls {kind}'s export on {app}. Never fails itself: a missing entry point is
// reported in {error}.
EntryOutcome run_entry_point(wasm::Store& store, SlightInstance& app, EntryKind kind);

}  // namespace silk::slight
