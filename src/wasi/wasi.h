// silk::wasi — WASI preview1 (wasi_snapshot_preview1, and its wasi_unstable
// alias) for modules run by the silk engine.
//
//   WasiOptions opts;  opts.args = {"app.wasm", "x"};  opts.preopens = {{"/data", "/data"}};
//   auto wasi = WasiContext::create(opts).value();
//   for each import of the module: wasi->resolve_import(store, import) -> Function*
//   store.call(_start) ... if it fails, wasi->exit_code() tells whether proc_exit ended it.
//
// Sandbox: guest paths resolve only inside a pre-opened directory; `..`
// that climbs out, absolute symlinks and symlink loops are refused (ENOTCAPABLE /
// ELOOP), never followed outside. Every error the guest sees is a WASI errno;
// a bad guest pointer or length is EFAULT... except where the spec requires a trap.
// Threading: a WasiContext serves one Store, used by one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wasm/engine.h"

namespace silk::wasi {

struct Preopen {
  std::string host_path;   // a directory on the host
  std::string guest_path;  // the name the guest sees (e.g. "/", "/data", ".")
};

struct WasiOptions {
  std::vector<std::string> args;  // argv, args[0] is the program name
  std::vector<std::string> env;   // "KEY=VALUE"
  std::vector<Preopen> preopens;  // become guest fds 3, 4, ... in order
  int stdin_fd = 0;               // host fds behind guest fds 0, 1, 2
  int stdout_fd = 1;
  int stderr_fd = 2;
  // Already-open host sockets handed to the guest (for sock_accept/recv/send/
  // shutdown); they become guest fds after the preopens. Owned by the caller.
  std::vector<int> sockets;
};

class WasiContext {
 public:
  static wasm::Result<std::unique_ptr<WasiContext>> create(WasiOptions options);
  // A context with {base}'s descriptors (stdio, preopens, sockets) shared,
  // not probed or opened again — the per-request instances of one server —
  // and its own {args} and {env}. {base} must outlive it.
  static std::unique_ptr<WasiContext> create_sharing(const WasiContext& base, std::vector<std::string> args,
                                                     std::vector<std::string> env);
  ~WasiContext();

  // True for the import module names WASI serves.
  static bool is_wasi_module(std::string_view module_name);
  // A host function for {import} (module wasi_snapshot_preview1 or
  // wasi_unstable), created in {store}. Unlinkable error if the name is not a
  // WASI function or its type differs from the WASI signature.
  wasm::Result<wasm::Function*> resolve_import(wasm::Store& store, const wasm::ImportInfo& import);

  // Set once the guest called proc_exit; the call that ran it fails with an
  // ErrorKind::Trap whose message is "exit N" (an exit is not a real trap:
  // check this first).
  std::optional<int> exit_code() const;

  struct Impl;

 private:
  explicit WasiContext(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace silk::wasi
