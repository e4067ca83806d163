// WasiContext: options -> fd table (stdio, preopens, sockets), and import
// resolution by name and type against wasi_functions.def.
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "wasi/abi.h"
#include "wasi/wasi_state.h"

namespace silk::wasi {

namespace {

struct FunctionRow {
  std::string_view name;
  const char* params;
  const char* results;
  CallHandler handler;
};

constexpr FunctionRow kFunctions[] = {
#define WASI_FUNCTION(name, params, results) {#name, params, results, &call_##name},
#include "wasi/wasi_functions.def"
#undef WASI_FUNCTION
};

std::vector<wasm::ValType> types_of(const char* sig) {
  std::vector<wasm::ValType> out;
  for (const char* p = sig; *p; ++p) out.push_back(*p == 'I' ? wasm::ValType::I64 : wasm::ValType::I32);
  return out;
}

FdEntry stdio_entry(int host_fd) {
  FdEntry e;
  e.host_fd = host_fd;
  e.owned = false;
  e.filetype = filetype_of_host_fd(host_fd);
  e.rights_base = max_rights_for(e.filetype, isatty(host_fd) == 1);
  e.rights_inheriting = 0;
  return e;
}

}  // namespace

WasiContext::WasiContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WasiContext::~WasiContext() = default;

wasm::Result<std::unique_ptr<WasiContext>> WasiContext::create(WasiOptions options) {
  auto impl = std::make_unique<Impl>();
  FdTable& fds = impl->fds;
  const int stdio[3] = {options.stdin_fd, options.stdout_fd, options.stderr_fd};
  for (uint32_t i = 0; i < 3; ++i)
    if (stdio[i] >= 0 && fcntl(stdio[i], F_GETFD) >= 0) fds.put(i, stdio_entry(stdio[i]));

  uint32_t next = 3;
  for (const Preopen& p : options.preopens) {
    int fd = open(p.host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      return wasm::make_error(wasm::ErrorKind::Io,
                              "cannot open directory " + p.host_path + ": " + std::strerror(errno));
    }
    FdEntry e;
    e.host_fd = fd;
    e.filetype = abi::kFiletypeDirectory;
    e.rights_base = abi::kRightsDirectory;
    e.rights_inheriting = abi::kRightsDirectory | abi::kRightsRegularFile;
    e.is_preopen = true;
    e.preopen_name = p.guest_path;
    fds.put(next++, std::move(e));
  }
  for (int s : options.sockets) {
    FdEntry e;
    e.host_fd = s;
    e.owned = false;
    e.filetype = filetype_of_host_fd(s);
    e.rights_base = abi::kRightsSocket;
    e.rights_inheriting = abi::kRightsSocket;
    fds.put(next++, std::move(e));
  }
  impl->options = std::move(options);
  return std::unique_ptr<WasiContext>(new WasiContext(std::move(impl)));
}

std::unique_ptr<WasiContext> WasiContext::create_sharing(const WasiContext& base, std::vector<std::string> args,
                                                        std::vector<std::string> env) {
  auto impl = std::make_unique<Impl>();
  impl->fds.share_from(base.impl_->fds);
  impl->options = base.impl_->options;
  impl->options.args = std::move(args);
  impl->options.env = std::move(env);
  return std::unique_ptr<WasiContext>(new WasiContext(std::move(impl)));
}

bool WasiContext::is_wasi_module(std::string_view module_name) {
  return module_name == "wasi_snapshot_preview1" || module_name == "wasi_unstable";
}

wasm::Result<wasm::Function*> WasiContext::resolve_import(wasm::Store& store, const wasm::ImportInfo& import) {
  const std::string what = import.module + "." + import.name;
  if (!is_wasi_module(import.module))
    return wasm::make_error(wasm::ErrorKind::Unlinkable, "unknown import " + what + ": not a WASI module");
  const FunctionRow* row = nullptr;
  for (const FunctionRow& r : kFunctions)
    if (r.name == import.name) row = &r;
  if (!row) return wasm::make_error(wasm::ErrorKind::Unlinkable, "unknown import " + what + ": no such WASI function");
  wasm::FuncType type{types_of(row->params), types_of(row->results)};
  if (import.kind != wasm::ExternKind::Func)
    return wasm::make_error(wasm::ErrorKind::Unlinkable, "incompatible import type for " + what + ": expected a function");
  if (import.func != type) {
    return wasm::make_error(wasm::ErrorKind::Unlinkable, "incompatible import type for " + what + ": " +
                                                             import.func.to_string() + ", WASI declares " +
                                                             type.to_string());
  }
  Impl* impl = impl_.get();
  CallHandler handler = row->handler;
  const bool unstable = import.module == "wasi_unstable";
  auto fn = [impl, handler, unstable](wasm::HostCall& hc, std::span<const wasm::Value> args,
                                      std::span<wasm::Value> results) -> wasm::Result<void> {
    Call c{*impl, GuestMemory(hc.memory), args, unstable};
    Errno e;
    try {
      e = handler(c);
    } catch (const std::bad_alloc&) {
      e = Errno::kNOMEM;
    }
    if (c.exit_requested)
      return wasm::make_error(wasm::ErrorKind::Trap, "exit " + std::to_string(impl->exit_code.value_or(0)));
    if (!results.empty()) results[0] = wasm::Value::i32(uint32_t(e));
    return {};
  };
  return store.create_host_function(std::move(type), std::move(fn), what);
}

std::optional<int> WasiContext::exit_code() const { return impl_->exit_code; }

Errno last_errno() { return errno_from_host(errno); }

Errno gather_iovecs(const Call& c, GuestPtr iovs, uint32_t count, std::vector<struct iovec>& out) {
  if (count > IOV_MAX) return Errno::kINVAL;
  if (!c.mem.in_bounds(iovs, uint64_t(count) * sizeof(abi::Iovec))) return Errno::kFAULT;
  out.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    abi::Iovec v;
    c.mem.load(iovs + i * sizeof(abi::Iovec), v);
    auto b = c.mem.bytes(v.buf, v.buf_len);
    if (!b) return Errno::kFAULT;
    out[i].iov_base = b->data();
    out[i].iov_len = b->size();
  }
  return Errno::kSUCCESS;
}

}  // namespace silk::wasi
