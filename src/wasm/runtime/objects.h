// silk::wasm — the runtime objects behind the opaque handles of engine.h
// (spec 4.2: function, table, memory and global instances, module instances,
// the store). Internal to the engine: the interpreter reads these directly.
#pragma once

#include <atomic>
#include <csetjmp>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "wasm/engine.h"
#include "wasm/interpreter/code.h"
#include "wasm/module.h"

namespace silk::wasm {

struct TranslatedFunction;

// The per-thread execution state of a store: what the hot paths check.
struct ExecState {
  uint64_t* stack_base = nullptr;   // the wasm value stack
  uint64_t* stack_end = nullptr;
  uint64_t* stack_top = nullptr;    // first free slot for a new entry frame
  const char* native_stack_limit = nullptr;  // below this, calls trap
  uint32_t depth = 0;
  uint32_t max_depth = 0;
  // frames[1..depth]: the function running at each call depth (for
  // backtraces); {trace} is the stack captured when a trap began unwinding.
  Function** frames = nullptr;  // in the store's pooled stack region
  std::vector<Function*> trace;
  bool trace_captured = false;
  std::atomic<bool>* interrupt = nullptr;
  std::optional<Error> pending_error;  // set by a failing host function
  bool in_host = false;  // a host function is running (its faults are not traps)
  Store* store = nullptr;
};

// What the interpreter's handlers need of an instance, in one place.
struct InstanceCtx {
  uint8_t* mem_base = nullptr;   // memory 0 (stable: memories never move)
  Memory* memory = nullptr;      // memory 0
  Function** funcs = nullptr;    // function index space
  Global** globals = nullptr;
  Table** tables = nullptr;
  const uint32_t* type_ids = nullptr;  // module type index -> store type id
  ExecState* exec = nullptr;
  std::atomic<bool>* interrupt = nullptr;
  Instance* instance = nullptr;
};

struct Function {
  const interp::Word* code = nullptr;  // entry; initially {stub}
  Store* owner = nullptr;
  InstanceCtx* ctx = nullptr;          // owning instance (null for host functions)
  ExecState* exec = nullptr;           // the owning store's execution state
  bool is_host = false;
  uint32_t type_id = 0;                // interned in the store
  uint32_t num_params = 0;
  uint32_t num_results = 0;
  const FuncType* type = nullptr;
  // Wasm functions.
  Instance* instance = nullptr;
  uint32_t func_index = 0;             // module function index space
  interp::Word stub[2];                // [op_lazy_translate][this]
  // Host functions only (kept out of line: instances allocate their wasm
  // functions in one array, and instantiation should be cheap).
  struct Host {
    HostFunction fn;
    FuncType type;
    std::string debug_name;
  };
  std::unique_ptr<Host> host;
};

struct Table {
  Store* owner = nullptr;
  TableType type;
  std::vector<uint64_t> elems;  // Function* or externref words; 0 = null
  uint32_t size() const { return uint32_t(elems.size()); }
};

struct Memory {
  Store* owner = nullptr;
  MemoryType type;
  uint8_t* base = nullptr;
  uint64_t size = 0;            // bytes accessible now
  uint64_t reserved = 0;        // bytes of address space reserved
  uint64_t accessible = 0;      // bytes mapped read/write (== size)
  uint64_t max_pages = 0;       // the effective cap
  ~Memory();
};

struct Global {
  Store* owner = nullptr;
  GlobalType type;
  uint64_t bits = 0;
};

struct Instance::Impl {
  std::shared_ptr<const Module> module;
  std::unique_ptr<Function[]> own_funcs;  // the module's defined functions
  std::vector<Function*> funcs;
  std::vector<Table*> tables;
  std::vector<Memory*> memories;
  std::vector<Global*> globals;
  std::vector<uint32_t> type_ids;
  std::vector<std::vector<uint64_t>> elem_segments;  // resolved refs; cleared by elem.drop
  std::vector<bool> data_dropped;
  std::vector<Extern> exports;  // in Module::exports order
  InstanceCtx ctx;
  Store* store = nullptr;
};

struct Store::Impl {
  std::vector<std::unique_ptr<Function>> functions;
  std::vector<std::unique_ptr<Table>> tables;
  std::vector<std::unique_ptr<Memory>> memories;
  std::vector<std::unique_ptr<Global>> globals;
  std::vector<std::unique_ptr<Instance>> instances;
  std::vector<FuncType> types;  // interned function types; id = index
  ExecState exec;

  uint32_t intern_type(const FuncType& t);
};

// memory.cc
Result<std::unique_ptr<Memory>> allocate_memory(const MemoryType& type, const StoreOptions& options);
int64_t grow_memory(Memory& m, uint64_t delta_pages);
int64_t grow_table(Table& t, uint64_t delta, uint64_t init);

// trap_signal.cc: runs {fn} so that a fault in a store memory's guard region
// comes back as TrapCode::MemoryOutOfBounds instead of killing the process.
struct GuardedCall {
  sigjmp_buf jump;
  GuardedCall* previous = nullptr;
  Store::Impl* store = nullptr;
};
void install_trap_signal_handler();
GuardedCall*& current_guarded_call();

// store.cc: runs a function whose arguments are already at {fp}[0..n).
TrapCode invoke_function(Function* f, uint64_t* fp, InstanceCtx* caller_ctx);
// The host function's slow path: called from the interpreter.
TrapCode call_host_function(Function* f, uint64_t* fp, InstanceCtx* caller_ctx);
// Records frames[1..depth] as the trap's backtrace, once per trap.
void capture_backtrace(ExecState& exec);

// interpreter/translator.cc: translates f's body (lazily, cached per module).
Result<const interp::Word*> translate_function(Function* f);
// Gives a loaded module its (empty) translation cache.
void prepare_translation_cache(Module& m);
TrapCode make_trap_error(ExecState& exec, TrapCode code);

}  // namespace silk::wasm
