// SlightHost: links a slight app's imports (WASI + capability interfaces) per
// slight_host.h, and runs its entry point (ABI.md §5.3).
#include "slight/host/slight_host.h"

#include <map>
#include <set>

#include "slight/bindings/http_server_export.h"
#include "slight/host/capabilities.h"
#include "slight/host/http_server_host.h"

namespace silk::slight {

namespace {

using G = CapabilityGroup;

constexpr CapabilityInterface kInterfaces[] = {
    {"keyvalue", G::KeyValue, true},
    {"configs", G::Configs, true},
    {"messaging", G::Messaging, false},
    {"distributed-locking", G::DistributedLocking, false},
    {"sql", G::Sql, false},
    {"blob-store", G::Blob, false},
    {"http-server", G::Http, true},
    {"http-client", G::HttpClient, true},
};

// canonical_abi.resource_{drop,clone}_<resource> -> the interface of <resource>.
const char* interface_of_resource(std::string_view resource) {
  static const std::map<std::string_view, const char*> kResources = {
      {"keyvalue", "keyvalue"},   {"configs", "configs"},       {"distributed-locking", "distributed-locking"},
      {"pub", "messaging"},       {"sub", "messaging"},         {"sql", "sql"},
      {"statement", "sql"},       {"router", "http-server"},    {"server", "http-server"},
      {"container", "blob-store"}, {"read-stream", "blob-store"}, {"write-stream", "blob-store"},
  };
  auto it = kResources.find(resource);
  return it == kResources.end() ? nullptr : it->second;
}

// The capability interface an import belongs to (its own module, or the
// resource of a canonical_abi.resource_* import); nullptr for anything else.
const CapabilityInterface* interface_of(const wasm::ImportInfo& import) {
  if (import.module == "canonical_abi") {
    for (std::string_view prefix : {"resource_drop_", "resource_clone_"}) {
      if (import.name.compare(0, prefix.size(), prefix) == 0) {
        const char* iface = interface_of_resource(std::string_view(import.name).substr(prefix.size()));
        return iface ? find_capability_interface(iface) : nullptr;
      }
    }
    return nullptr;
  }
  return find_capability_interface(import.module);
}

enum class Plan { Register, Stub };

wasm::Error unlinkable(std::string message) { return wasm::make_error(wasm::ErrorKind::Unlinkable, std::move(message)); }

std::string not_supported_yet(const CapabilityInterface& iface) {
  return std::string("capability ") + iface.module + " is not supported by silk yet";
}

}  // namespace

const CapabilityInterface* find_capability_interface(std::string_view module) {
  for (const CapabilityInterface& i : kInterfaces)
    if (module == i.module) return &i;
  return nullptr;
}

struct SlightHost::Backends {
  std::shared_ptr<configs::ConfigsHost> configs;
  std::shared_ptr<keyvalue::KeyvalueHost> keyvalue;
  std::shared_ptr<http_client::HttpClientHost> http_client;
  std::unique_ptr<HttpServerRuntime> http;  // threads start with the first server::serve
};

SlightHost::SlightHost(Slightfile file, SlightHostOptions options)
    : file_(std::move(file)), options_(std::move(options)), backends_(std::make_unique<Backends>()) {
  // The hosts refer to file_, which lives as long as this SlightHost.
  backends_->configs = make_configs_host(file_);
  backends_->keyvalue = make_keyvalue_host(file_, options_.keyvalue_temp_dir);
  backends_->http_client = make_http_client_host();
  backends_->http = std::make_unique<HttpServerRuntime>(*this, options_.http);
}

SlightHost::~SlightHost() {
  // The servers' workers instantiate through this host: stop them first.
  backends_->http->stop_all();
}

void SlightHost::stop_http_servers() const { backends_->http->stop_all(); }

size_t SlightHost::http_server_count() const { return backends_->http->server_count(); }
bool SlightHost::http_servers_inline() const { return backends_->http->serves_inline(); }
void SlightHost::serve_http_inline() const { backends_->http->run_inline(); }

SlightHost::HttpStats SlightHost::http_stats() const {
  auto s = backends_->http->stats();
  return {s.requests, s.instantiate_ns};
}

Result<std::unique_ptr<SlightHost>> SlightHost::create(Slightfile file, SlightHostOptions options) {
  Result<void> supported = check_supported(file);
  if (!supported) return supported.take_error();
  if (!keyvalue_available() && file.has(G::KeyValue))
    return make_error(file.path + ": this silk was built without keyvalue backends");
  wasi::WasiOptions wasi_options;
  wasi_options.preopens = options.preopens;
  wasi_options.stdin_fd = options.stdin_fd;
  wasi_options.stdout_fd = options.stdout_fd;
  wasi_options.stderr_fd = options.stderr_fd;
  auto wasi_base = wasi::WasiContext::create(std::move(wasi_options));
  if (!wasi_base) return make_error(wasi_base.error().message);
  auto host = std::unique_ptr<SlightHost>(new SlightHost(std::move(file), std::move(options)));
  host->wasi_base_ = std::move(wasi_base).value();
  return host;
}

namespace {

// Decides, per capability interface the module imports, how it is linked.
wasm::Result<std::map<const CapabilityInterface*, Plan>> plan_links(const Slightfile& file, bool link_all,
                                                                    const std::vector<wasm::ImportInfo>& imports) {
  std::map<const CapabilityInterface*, Plan> plans;
  // The interface's own functions first, so that messages name one of them
  // rather than canonical_abi.resource_drop_*.
  std::vector<const wasm::ImportInfo*> ordered;
  for (const wasm::ImportInfo& import : imports)
    if (import.module != "canonical_abi") ordered.push_back(&import);
  for (const wasm::ImportInfo& import : imports)
    if (import.module == "canonical_abi") ordered.push_back(&import);
  for (const wasm::ImportInfo* p : ordered) {
    const wasm::ImportInfo& import = *p;
    const CapabilityInterface* iface = interface_of(import);
    if (!iface || plans.count(iface)) continue;
    const std::string what = "the app imports " + import.module + "." + import.name;
    const bool declared = file.has(iface->group);
    if (!declared && !link_all) {
      return unlinkable(what + " but " + file.path + " declares no " + to_string(iface->group) +
                        " capability (add a [[capability]] for it, or run with -l/--link-all-capabilities)");
    }
    if (!iface->implemented) {
      if (declared) return unlinkable(not_supported_yet(*iface) + " (" + what + ")");
      plans[iface] = Plan::Stub;
    } else {
      plans[iface] = Plan::Register;
    }
  }
  return plans;
}

}  // namespace

wasm::Result<void> SlightHost::check_module(const wasm::Module& module) const {
  std::vector<wasm::ImportInfo> imports = wasm::module_imports(module);
  SILK_TRY(plan_links(file_, options_.link_all_capabilities, imports));
  for (const wasm::ImportInfo& import : imports) {
    if (interface_of(import) || wasi::WasiContext::is_wasi_module(import.module)) continue;
    return unlinkable("unknown import " + import.module + "." + import.name + " (" + wasm::to_string(import.kind) +
                      "): slight provides WASI and its capability interfaces only");
  }
  return {};
}

wasm::Result<std::unique_ptr<SlightInstance>> SlightHost::instantiate(wasm::Store& store,
                                                                      std::shared_ptr<const wasm::Module> module) const {
  SILK_TRY(check_module(*module));
  std::vector<wasm::ImportInfo> imports = wasm::module_imports(*module);
  auto plans = SILK_TRY(plan_links(file_, options_.link_all_capabilities, imports));

  auto app = std::unique_ptr<SlightInstance>(new SlightInstance());
  app->wasi_ = wasi::WasiContext::create_sharing(*wasi_base_, options_.args, options_.env);

  abi::ImportResolver resolver(imports);
  for (const auto& [iface, plan] : plans) {
    if (plan == Plan::Stub) continue;
    if (iface->group == G::KeyValue) {
      app->states_.push_back(SILK_TRY(keyvalue::register_keyvalue_imports(store, resolver, backends_->keyvalue)));
    } else if (iface->group == G::Configs) {
      app->states_.push_back(SILK_TRY(configs::register_configs_imports(store, resolver, backends_->configs)));
    } else if (iface->group == G::Http) {
      app->states_.push_back(
          SILK_TRY(http_server::register_http_server_imports(store, resolver, backends_->http->host_for(module))));
    } else if (iface->group == G::HttpClient) {
      app->states_.push_back(
          SILK_TRY(http_client::register_http_client_imports(store, resolver, backends_->http_client)));
    }
  }
  for (size_t i = 0; i < imports.size(); ++i) {
    if (resolver.is_bound(i)) continue;
    const wasm::ImportInfo& import = imports[i];
    const CapabilityInterface* iface = interface_of(import);
    if (iface && plans.count(iface) && plans[iface] == Plan::Stub && import.kind == wasm::ExternKind::Func) {
      // -l: an interface silk does not implement yet links, and traps if used.
      std::string message = not_supported_yet(*iface) + " (" + import.module + "." + import.name + " called)";
      wasm::Function* f = store.create_host_function(
          import.func,
          [message](wasm::HostCall&, std::span<const wasm::Value>, std::span<wasm::Value>) -> wasm::Result<void> {
            return wasm::make_error(wasm::ErrorKind::Trap, message);
          },
          import.module + "." + import.name);
      resolver.bind(i, wasm::Extern::func(f));
    } else if (wasi::WasiContext::is_wasi_module(import.module)) {
      resolver.bind(i, wasm::Extern::func(SILK_TRY(app->wasi_->resolve_import(store, import))));
    }
    // Anything left is named by externs() below.
  }
  std::vector<wasm::Extern> externs = SILK_TRY(resolver.externs());
  app->instance_ = SILK_TRY(store.instantiate(std::move(module), externs));
  return app;
}

const char* to_string(EntryKind kind) {
  switch (kind) {
    case EntryKind::OnServerInit: return "on-server-init";
    case EntryKind::Start: return "_start";
    case EntryKind::Main: return "main";
    case EntryKind::None: break;
  }
  return "(none)";
}

EntryKind find_entry_point(const wasm::Instance& instance, bool server_mode) {
  if (server_mode && instance.function("on-server-init")) return EntryKind::OnServerInit;
  if (instance.function("_start")) return EntryKind::Start;
  if (wasm::Function* main = instance.function("main")) {
    const wasm::FuncType& t = wasm::function_type(main);
    if (t.params.size() == 2 && t.params[0] == wasm::ValType::I32 && t.params[1] == wasm::ValType::I32 &&
        t.results.size() <= 1 && (t.results.empty() || t.results[0] == wasm::ValType::I32))
      return EntryKind::Main;
  }
  return EntryKind::None;
}

EntryOutcome run_entry_point(wasm::Store& store, SlightInstance& app, EntryKind kind) {
  EntryOutcome out;
  out.kind = kind;
  wasm::Instance& instance = app.instance();
  auto failed = [&](const wasm::Error& e) {
    if (auto code = app.exit_code()) {
      out.status = *code;
    } else {
      out.error = e.message;
      out.trap = e;
    }
    return out;
  };
  switch (kind) {
    case EntryKind::None:
      out.error = "no entry point: the app exports none of on-server-init (with an http capability), _start, "
                  "main(i32, i32)";
      return out;
    case EntryKind::OnServerInit: {
      // A reactor's constructors run in _initialize (slight calls neither; a
      // C reactor needs it before its first export call).
      if (wasm::Function* init = instance.function("_initialize")) {
        auto r = store.call(init, {});
        if (!r) return failed(r.error());
      }
      auto r = http_server_export::call_on_server_init(store, instance);
      if (!r) return failed(r.error());
      if (!r.value().has_value()) out.error = r.value().error();
      return out;
    }
    case EntryKind::Start: {
      auto r = store.call(instance.function("_start"), {});
      if (!r) return failed(r.error());
      return out;
    }
    case EntryKind::Main: {
      const wasm::Value args[2] = {wasm::Value::i32(0), wasm::Value::i32(0)};
      auto r = store.call(instance.function("main"), args);
      if (!r) return failed(r.error());
      if (!r.value().empty()) out.status = int(int32_t(r.value()[0].as_i32()));
      return out;
    }
  }
  return out;
}

}  // namespace silk::slight
