// The Store (spec 4.2.3): owns runtime objects, enters and leaves wasm code.
#include <pthread.h>
#include <sys/mman.h>

#include <cstring>

#include "wasm/interpreter/handlers.h"
#include "wasm/module_decoder.h"
#include "wasm/runtime/objects.h"
#include "wasm/runtime/reservation_pool.h"
#include "wasm/validator.h"

namespace silk::wasm {

const char* trap_message(TrapCode code) {
  switch (code) {
#define SILK_TRAP_CASE(name, msg) case TrapCode::name: return msg;
    SILK_TRAPS(SILK_TRAP_CASE)
#undef SILK_TRAP_CASE
  }
  return "trap";
}

// Values ------------------------------------------------------------------------

Value Value::f32(float v) {
  uint32_t b;
  std::memcpy(&b, &v, 4);
  return f32_bits(b);
}
Value Value::f64(double v) {
  uint64_t b;
  std::memcpy(&b, &v, 8);
  return f64_bits(b);
}
float Value::as_f32() const {
  float f;
  uint32_t b = uint32_t(bits);
  std::memcpy(&f, &b, 4);
  return f;
}
double Value::as_f64() const {
  double d;
  std::memcpy(&d, &bits, 8);
  return d;
}
std::string Value::to_string() const {
  std::string s = std::string(wasm::to_string(type)) + ":";
  char buf[64];
  switch (type) {
    case ValType::I32: snprintf(buf, sizeof buf, "%u", as_i32()); break;
    case ValType::I64: snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(bits)); break;
    case ValType::F32: snprintf(buf, sizeof buf, "%.9g (0x%08x)", double(as_f32()), as_i32()); break;
    case ValType::F64: snprintf(buf, sizeof buf, "%.17g (0x%016llx)", as_f64(), static_cast<unsigned long long>(bits)); break;
    case ValType::FuncRef:
    case ValType::ExternRef:
      if (bits == 0) snprintf(buf, sizeof buf, "null");
      else snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(bits));
      break;
    case ValType::V128: snprintf(buf, sizeof buf, "v128"); break;
  }
  return s + buf;
}

// Keeps only the bits that belong to {t} (an i32 slot's upper half is junk).
static uint64_t canonical_bits(ValType t, uint64_t bits) {
  return (t == ValType::I32 || t == ValType::F32) ? (bits & 0xffffffffu) : bits;
}

// Loading -----------------------------------------------------------------------

Result<std::shared_ptr<const Module>> load_module(std::span<const uint8_t> bytes) {
  auto decoded = decode_module(bytes);
  if (!decoded) return decoded.take_error();
  std::unique_ptr<Module> m = std::move(decoded).value();
  SILK_TRY(validate_module(*m));
  for (uint32_t i = 0; i < m->exports.size(); ++i) m->export_index.emplace(m->exports[i].name, i);
  prepare_translation_cache(*m);
  return std::shared_ptr<const Module>(std::move(m));
}

std::vector<ImportInfo> module_imports(const Module& m) {
  std::vector<ImportInfo> out;
  for (const Import& im : m.imports) {
    ImportInfo info{im.module, im.name, im.kind, {}, im.table, im.memory, im.global};
    if (im.kind == ExternKind::Func) info.func = m.types[im.type_index];
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<ExportInfo> module_exports(const Module& m) {
  std::vector<ExportInfo> out;
  for (const Export& e : m.exports) out.push_back({e.name, e.kind});
  return out;
}

// Store -------------------------------------------------------------------------

uint32_t Store::Impl::intern_type(const FuncType& t) {
  for (size_t i = 0; i < types.size(); ++i)
    if (types[i] == t) return uint32_t(i);
  types.push_back(t);
  return uint32_t(types.size() - 1);
}

Store::Store(StoreOptions options) : options_(options), impl_(std::make_unique<Impl>()) {
  install_trap_signal_handler();
  ExecState& ex = impl_->exec;
  ex.max_depth = options_.max_call_depth + 1;  // + the entry frame
  // One pooled region: the value stack, then the backtrace frame array. Only
  // the parts a program reaches are ever touched (and committed).
  uint64_t stack_bytes = (options_.value_stack_bytes + kPageSize - 1) / kPageSize * kPageSize;
  uint64_t frames_bytes = (uint64_t(ex.max_depth) + 2) * sizeof(Function*);
  uint64_t total = (stack_bytes + frames_bytes + kPageSize - 1) / kPageSize * kPageSize;
  Reservation r = acquire_reservation(PoolKind::Stack, total, total);
  if (r.base) {
    stack_region_ = r.base;
    stack_region_bytes_ = total;
    ex.stack_base = reinterpret_cast<uint64_t*>(r.base);
    ex.stack_end = ex.stack_base + stack_bytes / 8;
    ex.frames = reinterpret_cast<Function**>(r.base + stack_bytes);
  }
  ex.stack_top = ex.stack_base;
  ex.interrupt = &interrupt_requested_;
  ex.store = this;
}

Store::~Store() {
  // Stack slots and frames are always written before they are read, so the
  // region goes back to the pool without being cleared.
  impl_.reset();
  release_reservation(PoolKind::Stack, Reservation{stack_region_, stack_region_bytes_, stack_region_bytes_}, 0);
}

Function* Store::create_host_function(FuncType type, HostFunction fn, std::string debug_name) {
  auto f = std::make_unique<Function>();
  f->owner = this;
  f->is_host = true;
  f->exec = &impl_->exec;
  f->host = std::make_unique<Function::Host>(Function::Host{std::move(fn), std::move(type), std::move(debug_name)});
  f->type = &f->host->type;
  f->type_id = impl_->intern_type(f->host->type);
  f->num_params = uint32_t(f->host->type.params.size());
  f->num_results = uint32_t(f->host->type.results.size());
  impl_->functions.push_back(std::move(f));
  return impl_->functions.back().get();
}

Global* Store::create_global(GlobalType type, Value init) {
  auto g = std::make_unique<Global>();
  g->owner = this;
  g->type = type;
  g->bits = canonical_bits(type.type, init.bits);
  impl_->globals.push_back(std::move(g));
  return impl_->globals.back().get();
}

Result<Table*> Store::create_table(TableType type, Value init) {
  if (type.limits.min > 10'000'000) return make_error(ErrorKind::Trap, "table too large");
  auto t = std::make_unique<Table>();
  t->owner = this;
  t->type = type;
  t->elems.assign(type.limits.min, init.bits);
  impl_->tables.push_back(std::move(t));
  return impl_->tables.back().get();
}

Result<Memory*> Store::create_memory(MemoryType type) {
  auto m = allocate_memory(type, options_);
  if (!m) return m.take_error();
  impl_->memories.push_back(std::move(m).value());
  impl_->memories.back()->owner = this;
  return impl_->memories.back().get();
}

// Entering wasm -----------------------------------------------------------------

TrapCode invoke_function(Function* f, uint64_t* fp, InstanceCtx* caller_ctx) {
  if (f->is_host) return call_host_function(f, fp, caller_ctx);
  InstanceCtx* c = f->ctx;
  return f->code->handler(f->code, fp, c->mem_base, c, 0);
}

TrapCode call_host_function(Function* f, uint64_t* fp, InstanceCtx* caller_ctx) {
  const FuncType& type = *f->type;
  ExecState& ex = *f->exec;
  size_t np = type.params.size(), nr = type.results.size();
  // Small signatures (nearly all of WASI) avoid the heap.
  Value inline_buf[16];
  std::vector<Value> heap_buf;
  Value* buf = inline_buf;
  if (np + nr > 16) {
    heap_buf.resize(np + nr);
    buf = heap_buf.data();
  }
  for (size_t i = 0; i < np; ++i) buf[i] = Value{type.params[i], canonical_bits(type.params[i], fp[i])};
  for (size_t i = 0; i < nr; ++i) buf[np + i] = Value::zero_of(type.results[i]);

  // A host function may call back into wasm: new frames go above this one.
  uint64_t* saved_top = ex.stack_top;
  bool saved_in_host = ex.in_host;
  ex.stack_top = fp + std::max(np, nr);
  ex.in_host = true;
  Instance* caller = caller_ctx ? caller_ctx->instance : nullptr;
  HostCall call{*ex.store, caller, caller_ctx ? caller_ctx->memory : nullptr};
  Result<void> r = f->host->fn(call, std::span<const Value>(buf, np), std::span<Value>(buf + np, nr));
  ex.stack_top = saved_top;
  ex.in_host = saved_in_host;
  if (!r) {
    ex.pending_error = r.take_error();
    return TrapCode::HostError;
  }
  for (size_t i = 0; i < nr; ++i) fp[i] = buf[np + i].bits;
  return TrapCode::None;
}

void capture_backtrace(ExecState& exec) {
  if (exec.trace_captured) return;
  exec.trace_captured = true;
  exec.trace.clear();
  for (uint32_t d = exec.depth; d >= 1; --d) exec.trace.push_back(exec.frames[d]);
}

namespace {
std::string describe_frame(const Function* f) {
  std::string name = function_name(f);
  if (f->is_host) return (name.empty() ? std::string("<host function>") : name) + " (host)";
  return (name.empty() ? std::string("<unnamed>") : name) + " (function " + std::to_string(f->func_index) + ")";
}

// The lowest address the native stack may reach before calls trap.
const char* native_stack_limit_uncached() {
  pthread_attr_t attr;
  void* addr = nullptr;
  size_t size = 0;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    pthread_attr_getstack(&attr, &addr, &size);
    pthread_attr_destroy(&attr);
  }
  if (!addr) return nullptr;
  size_t margin = std::min<size_t>(size / 4, 256 * 1024);  // room for host calls and signals
  return static_cast<const char*>(addr) + margin;
}

// The same, worked out once per thread (a thread's stack never moves):
// pthread_getattr_np reads /proc/self/maps for the main thread, which costs
// tens of microseconds hosted and ~0.1 s on silk's kernel under kvm-pvm.
const char* native_stack_limit() {
  thread_local const char* const limit = native_stack_limit_uncached();
  return limit;
}
}  // namespace

Result<std::vector<Value>> Store::call(Function* f, std::span<const Value> args) {
  if (!f) return make_error(ErrorKind::Usage, "call of a null function");
  const FuncType& type = *f->type;
  if (args.size() != type.params.size())
    return make_error(ErrorKind::Usage, "wrong number of arguments: expected " + std::to_string(type.params.size()) +
                                            ", got " + std::to_string(args.size()));
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i].type != type.params[i])
      return make_error(ErrorKind::Usage, "argument " + std::to_string(i) + " has type " + wasm::to_string(args[i].type) +
                                              ", expected " + wasm::to_string(type.params[i]));
  ExecState& ex = impl_->exec;
  size_t need = std::max(type.params.size(), type.results.size());
  if (!ex.stack_base || ex.stack_top + need > ex.stack_end)
    return make_error(ErrorKind::Exhaustion, trap_message(TrapCode::CallStackExhausted));

  uint64_t* fp = ex.stack_top;
  for (size_t i = 0; i < args.size(); ++i) fp[i] = args[i].bits;

  const bool outermost = current_guarded_call() == nullptr || current_guarded_call()->store != impl_.get();
  if (outermost && ex.depth == 0) ex.native_stack_limit = native_stack_limit();
  uint64_t* const saved_top = ex.stack_top;
  const uint32_t saved_depth = ex.depth;
  const bool saved_in_host = ex.in_host;
  ex.in_host = false;
  if (saved_depth + 1 > ex.max_depth) return make_error(ErrorKind::Exhaustion, trap_message(TrapCode::CallStackExhausted));
  ex.depth = saved_depth + 1;
  ex.frames[ex.depth] = f;
  if (saved_depth == 0) ex.trace_captured = false;

  GuardedCall guard;
  guard.previous = current_guarded_call();
  guard.store = impl_.get();
  current_guarded_call() = &guard;
  TrapCode trap;
  if (sigsetjmp(guard.jump, 0) == 0) {
    trap = invoke_function(f, fp, nullptr);
  } else {
    trap = TrapCode::MemoryOutOfBounds;  // a guard-page fault (trap_signal.cc)
  }
  if (trap != TrapCode::None) capture_backtrace(ex);
  current_guarded_call() = guard.previous;
  ex.stack_top = saved_top;
  ex.depth = saved_depth;
  ex.in_host = saved_in_host;
  if (saved_depth == 0 && outermost) interrupt_requested_.store(false, std::memory_order_relaxed);

  if (trap != TrapCode::None) {
    Error e;
    if (ex.pending_error) {
      e = std::move(*ex.pending_error);
      ex.pending_error.reset();
    } else {
      e = make_error(trap == TrapCode::CallStackExhausted ? ErrorKind::Exhaustion : ErrorKind::Trap,
                     trap_message(trap));
    }
    // The outermost call reports the whole stack; inner ones (host re-entry)
    // pass the error up unchanged.
    if (saved_depth == 0 && e.backtrace.empty()) {
      for (const Function* fr : ex.trace) e.backtrace.push_back(describe_frame(fr));
      ex.trace_captured = false;
    }
    return e;
  }
  std::vector<Value> results;
  results.reserve(type.results.size());
  for (size_t i = 0; i < type.results.size(); ++i)
    results.push_back(Value{type.results[i], canonical_bits(type.results[i], fp[i])});
  return results;
}

// Accessors ---------------------------------------------------------------------

const FuncType& function_type(const Function* f) { return *f->type; }
std::string function_name(const Function* f) {
  if (f->is_host) return f->host->debug_name;
  return f->instance->module().function_name(f->func_index);
}

uint64_t memory_size_bytes(const Memory* m) { return m->size; }
uint8_t* memory_data(Memory* m) { return m->base; }
int64_t memory_grow(Memory* m, uint64_t delta_pages) { return grow_memory(*m, delta_pages); }

GlobalType global_type(const Global* g) { return g->type; }
Value global_get(const Global* g) { return Value{g->type.type, g->bits}; }
Result<void> global_set(Global* g, Value v) {
  if (!g->type.mutable_) return make_error(ErrorKind::Usage, "global is immutable");
  if (v.type != g->type.type) return make_error(ErrorKind::Usage, "global type mismatch");
  g->bits = canonical_bits(v.type, v.bits);
  return {};
}

TableType table_type(const Table* t) {
  TableType tt = t->type;
  tt.limits.min = t->elems.size();
  return tt;
}
uint32_t table_size(const Table* t) { return t->size(); }
Result<Value> table_get(const Table* t, uint32_t index) {
  if (index >= t->elems.size()) return make_error(ErrorKind::Trap, trap_message(TrapCode::TableOutOfBounds));
  return Value{t->type.elem, t->elems[index]};
}
Result<void> table_set(Table* t, uint32_t index, Value v) {
  if (index >= t->elems.size()) return make_error(ErrorKind::Trap, trap_message(TrapCode::TableOutOfBounds));
  if (v.type != t->type.elem) return make_error(ErrorKind::Usage, "table element type mismatch");
  t->elems[index] = v.bits;
  return {};
}

}  // namespace silk::wasm
