// libFuzzer target: decode + validate arbitrary bytes; if they form a valid
// module, instantiate it with every import satisfied by a dummy and call each
// exported function with zero arguments. Any crash, sanitizer report or hang
// is an engine bug: bad modules must be refused with an Error, traps must be
// Errors, and an interrupt must end any loop.
//
// Build and run: scripts/fuzz [seconds] (see README.md).
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include <cstdio>
#include <cstdlib>

#include <sanitizer/lsan_interface.h>

#include "wasm/engine.h"

namespace {

using namespace silk::wasm;

constexpr auto kCallBudget = std::chrono::milliseconds(50);
constexpr size_t kMaxExportCalls = 32;
constexpr uint64_t kMaxTableElems = 100000;
constexpr uint32_t kMaxMemoryPages = 256;

// Requests an interrupt of {store} unless disarmed within {budget}, so an
// infinite loop in the start function or an export ends with a trap.
class Watchdog {
 public:
  Watchdog(Store& store, std::chrono::milliseconds budget)
      : thread_([this, &store, budget] {
          std::unique_lock lock(mutex_);
          if (!cv_.wait_for(lock, budget, [this] { return done_; })) store.request_interrupt();
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;  // last: starts after the members above exist
};

// A dummy for {import}: host functions return zeros; tables, memories and
// globals are fresh objects of exactly the declared type. Nothing if the
// declared type is too big to create cheaply.
std::optional<Extern> dummy_import(Store& store, const ImportInfo& import) {
  switch (import.kind) {
    case ExternKind::Func: {
      HostFunction fn = [](HostCall&, std::span<const Value>, std::span<Value> results) -> Result<void> {
        for (Value& r : results) r = Value::zero_of(r.type);
        return {};
      };
      return Extern::func(store.create_host_function(import.func, std::move(fn), "fuzz.dummy"));
    }
    case ExternKind::Table: {
      if (import.table.limits.min > kMaxTableElems) return std::nullopt;
      auto table = store.create_table(import.table, Value::null_of(import.table.elem));
      if (!table.ok()) return std::nullopt;
      return Extern::table(table.value());
    }
    case ExternKind::Memory: {
      if (import.memory.limits.min > kMaxMemoryPages) return std::nullopt;
      auto memory = store.create_memory(import.memory);
      if (!memory.ok()) return std::nullopt;
      return Extern::memory(memory.value());
    }
    case ExternKind::Global:
      return Extern::global(store.create_global(import.global, Value::zero_of(import.global.type)));
  }
  return std::nullopt;
}

}  // namespace

// The engine gives each thread that runs wasm a signal stack, once, for the
// thread's lifetime; only the kernel holds the pointer, so LeakSanitizer would
// call it a leak in whichever input made the first Store. Make that Store
// here, unwatched. Not in LLVMFuzzerInitialize: libFuzzer installs its SIGSEGV
// handler after that, and would wrap the engine's trap handler in its own
// (which blocks SIGSEGV while it runs, so after the first guard-page trap the
// next one kills the process).
static void warm_up_once() {
  static bool done = false;
  if (done) return;
  done = true;
  __lsan_disable();
  { Store warm_up; }
  __lsan_enable();
}

// With SILK_FUZZ_LAST_INPUT=FILE every input is written to FILE before it
// runs: the way to catch one that kills the process before libFuzzer can save
// it (a fault on the signal stack itself, say).
static void save_input(const uint8_t* data, size_t size) {
  static const char* path = std::getenv("SILK_FUZZ_LAST_INPUT");
  if (!path) return;
  if (FILE* f = std::fopen(path, "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  save_input(data, size);
  warm_up_once();
  auto module = load_module(std::span<const uint8_t>(data, size));
  if (!module.ok()) return 0;

  StoreOptions options;
  options.max_memory_pages = kMaxMemoryPages;
  options.max_call_depth = 2000;
  options.value_stack_bytes = 4u << 20;
  // Both bounds-check strategies get fuzzed; the choice is a function of the
  // input, so every crash reproduces.
  options.bounds_checks = (size & 1) ? BoundsChecks::Explicit : BoundsChecks::Guard;
  Store store(options);

  std::vector<Extern> imports;
  for (const ImportInfo& import : module_imports(*module.value())) {
    auto dummy = dummy_import(store, import);
    if (!dummy) return 0;
    imports.push_back(*dummy);
  }

  Instance* instance = nullptr;
  {
    Watchdog watchdog(store, kCallBudget);
    auto inst = store.instantiate(module.value(), imports);
    if (!inst.ok()) return 0;
    instance = inst.value();
  }

  size_t calls = 0;
  for (const ExportInfo& e : module_exports(*module.value())) {
    if (e.kind != ExternKind::Func) continue;
    if (calls++ == kMaxExportCalls) break;
    Function* f = instance->function(e.name);
    if (!f) __builtin_trap();  // an exported function must be found by its name
    std::vector<Value> args;
    for (ValType t : function_type(f).params) args.push_back(Value::zero_of(t));
    Watchdog watchdog(store, kCallBudget);
    auto results = store.call(f, args);
    if (results.ok() && results.value().size() != function_type(f).results.size()) __builtin_trap();
  }
  return 0;
}
