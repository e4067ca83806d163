// silk::wasm — the embedding API: the one header the rest of silk includes.
//
//   auto module = Module::load(bytes);            // decode + validate
//   Store store;                                  // owns every runtime object
//   auto* inst = store.instantiate(*module, imports).value();
//   auto results = store.call(inst->function("run"), {Value::i32(7)});
//
// Ownership: a Store owns the functions, tables, memories, globals and
// instances created in it; the raw pointers it hands out stay valid until the
// Store is destroyed. A Module is immutable and may be shared by many stores.
// Threading: a Store and everything in it is used by one thread at a time,
// except request_interrupt(), which any thread may call.
// Errors: every fallible call returns Result<T>; traps are ErrorKind::Trap
// with the spec's message ("integer divide by zero", ...), exhaustion is
// ErrorKind::Exhaustion ("call stack exhausted").
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/result.h"
#include "wasm/types.h"

namespace silk::wasm {

struct Module;
class Store;
class Instance;
struct Function;
struct Table;
struct Memory;
struct Global;

// A typed wasm value. Numbers are stored as raw bits (i32 zero-extended);
// funcref holds a Function* (null = nullptr); externref holds an opaque
// host word, where 0 is the null reference.
struct Value {
  ValType type = ValType::I32;
  uint64_t bits = 0;
  uint64_t high = 0;  // upper half of a v128 (not yet supported)

  static Value i32(uint32_t v) { return {ValType::I32, v}; }
  static Value i64(uint64_t v) { return {ValType::I64, v}; }
  static Value f32_bits(uint32_t v) { return {ValType::F32, v}; }
  static Value f64_bits(uint64_t v) { return {ValType::F64, v}; }
  static Value f32(float v);
  static Value f64(double v);
  static Value funcref(Function* f) { return {ValType::FuncRef, reinterpret_cast<uint64_t>(f)}; }
  static Value externref(uint64_t host_word) { return {ValType::ExternRef, host_word}; }
  static Value null_of(ValType ref_type) { return {ref_type, 0}; }
  static Value zero_of(ValType t) { return {t, 0}; }

  uint32_t as_i32() const { return uint32_t(bits); }
  uint64_t as_i64() const { return bits; }
  float as_f32() const;
  double as_f64() const;
  Function* as_funcref() const { return reinterpret_cast<Function*>(bits); }
  bool is_null() const { return bits == 0; }
  std::string to_string() const;  // "i32:42", "f64:1.5", "funcref:null"
};

// Module loading ------------------------------------------------------------

struct ImportInfo {
  std::string module, name;
  ExternKind kind;
  FuncType func;       // Func
  TableType table;     // Table
  MemoryType memory;   // Memory
  GlobalType global;   // Global
};
struct ExportInfo {
  std::string name;
  ExternKind kind;
};

// Decodes and validates {bytes}. Errors are Malformed or Invalid and name the
// section, function index and byte offset.
Result<std::shared_ptr<const Module>> load_module(std::span<const uint8_t> bytes);
std::vector<ImportInfo> module_imports(const Module& m);
std::vector<ExportInfo> module_exports(const Module& m);
// Translates every function body now instead of on first call (silk compile).
Result<void> translate_all(const Module& m);

// Host functions --------------------------------------------------------------

// What a host function sees of its caller.
struct HostCall {
  Store& store;
  Instance* caller;  // the calling instance; null when called from the embedder
  Memory* memory;    // the caller's memory 0, or null
};

// Returns nothing on success; an Error (normally ErrorKind::Trap) traps the
// calling wasm code with that message. {args} match the function type's
// params, {results} (pre-sized) must be filled to match its results.
using HostFunction =
    std::function<Result<void>(HostCall&, std::span<const Value> args, std::span<Value> results)>;

// Imports and exports ---------------------------------------------------------

struct Extern {
  ExternKind kind = ExternKind::Func;
  void* object = nullptr;  // Function*, Table*, Memory* or Global* per {kind}
  static Extern func(Function* f) { return {ExternKind::Func, f}; }
  static Extern table(Table* t) { return {ExternKind::Table, t}; }
  static Extern memory(Memory* m) { return {ExternKind::Memory, m}; }
  static Extern global(Global* g) { return {ExternKind::Global, g}; }
};

enum class BoundsChecks : uint8_t {
  Guard,     // 8 GiB reservation per memory; faults in guard pages trap (fast)
  Explicit,  // compare every access against the memory size (no reservation)
};

struct StoreOptions {
  uint32_t max_memory_pages = 65536;      // memory.grow fails (-1) beyond this
  BoundsChecks bounds_checks = BoundsChecks::Guard;
  uint64_t value_stack_bytes = 64u << 20; // wasm operand/local stack
  uint32_t max_call_depth = 100000;       // deeper calls trap "call stack exhausted"
};

class Store {
 public:
  explicit Store(StoreOptions options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const StoreOptions& options() const { return options_; }

  Function* create_host_function(FuncType type, HostFunction fn, std::string debug_name = "");
  Global* create_global(GlobalType type, Value init);
  Result<Table*> create_table(TableType type, Value init = Value::null_of(ValType::FuncRef));
  Result<Memory*> create_memory(MemoryType type);

  // Instantiates {module} (spec 4.5.4): {imports} are in the module's import
  // order and are type-checked (Unlinkable); then globals, tables, memories,
  // element and data segments, start function (a Trap here is returned, and
  // segment writes before it stay visible, as the spec says).
  Result<Instance*> instantiate(std::shared_ptr<const Module> module, std::span<const Extern> imports);

  // Calls {f} with {args} (checked against its type: Usage error if wrong).
  // Re-entrant: host functions may call back into wasm.
  Result<std::vector<Value>> call(Function* f, std::span<const Value> args);

  // Makes running wasm code trap with "interrupted" at its next loop back
  // edge or call. Thread-safe. A request made while no call runs applies to
  // the next call (a watchdog that fires before the call it guards got going
  // must still stop it); the request is cleared when an outermost call()
  // returns.
  void request_interrupt() { interrupt_requested_.store(true, std::memory_order_relaxed); }

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  StoreOptions options_;
  std::atomic<bool> interrupt_requested_{false};
  std::unique_ptr<Impl> impl_;
  uint8_t* stack_region_ = nullptr;  // value stack + frames (a pooled reservation)
  uint64_t stack_region_bytes_ = 0;
  friend struct StoreAccess;
};

class Instance {
 public:
  std::optional<Extern> find_export(std::string_view name) const;
  Function* function(std::string_view name) const;  // null if absent or not a function
  Memory* memory(std::string_view name) const;
  Global* global(std::string_view name) const;
  Table* table(std::string_view name) const;
  Memory* default_memory() const;  // memory 0, or null
  const Module& module() const;

  struct Impl;
  Impl& impl() { return *impl_; }
  const Impl& impl() const { return *impl_; }
  explicit Instance(std::unique_ptr<Impl> impl);
  ~Instance();

 private:
  std::unique_ptr<Impl> impl_;
};

// Accessors for store objects.
const FuncType& function_type(const Function* f);
std::string function_name(const Function* f);  // from the name section, or "" 

uint64_t memory_size_bytes(const Memory* m);
uint8_t* memory_data(Memory* m);
// Grows by {delta_pages}; returns the old size in pages, or -1 if it cannot.
int64_t memory_grow(Memory* m, uint64_t delta_pages);

GlobalType global_type(const Global* g);
Value global_get(const Global* g);
Result<void> global_set(Global* g, Value v);  // Usage error if immutable or mistyped

TableType table_type(const Table* t);
uint32_t table_size(const Table* t);
Result<Value> table_get(const Table* t, uint32_t index);
Result<void> table_set(Table* t, uint32_t index, Value v);

}  // namespace silk::wasm
