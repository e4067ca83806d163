// The tier-0 handlers. Each reads its operands from the code stream (see the
// layouts in handlers.h), does its work and tail-calls the next handler.
#include "wasm/interpreter/handlers.h"

#include <cstring>

#include "wasm/interpreter/numeric.h"
#include "wasm/runtime/objects.h"

namespace silk::wasm::interp {

// Continues with the instruction at {next_ip}. The musttail keeps the chain
// from growing the native stack; all handlers share one signature.
#define SILK_DISPATCH(next_ip)                                   \
  do {                                                           \
    const Word* next_ = (next_ip);                               \
    [[clang::musttail]] return next_->handler(next_, fp, mem, ctx, acc); \
  } while (0)

#define SILK_HANDLER(name) \
  SILK_HANDLER_ATTR TrapCode name(const Word* ip, uint64_t* fp, uint8_t* mem, InstanceCtx* ctx, uint64_t acc)

namespace {

template <typename T>
inline T rd(const uint64_t* fp, uint32_t off) { return slot_read<T>(fp, off); }
template <typename T>
inline void wr(uint64_t* fp, uint32_t off, T v) { slot_write<T>(fp, off, v); }

// Deduces the operand and result types of a semantics function.
template <typename F> struct FnTraits;
template <typename R, typename A>
struct FnTraits<R (*)(A)> { using Ret = R; using Arg = A; static constexpr int arity = 1; static constexpr bool traps = false; };
template <typename R, typename A, typename B>
struct FnTraits<R (*)(A, B)> { using Ret = R; using Arg = A; static constexpr int arity = 2; static constexpr bool traps = false; };
template <typename A, typename R>
struct FnTraits<TrapCode (*)(A, R*)> { using Ret = R; using Arg = A; static constexpr int arity = 1; static constexpr bool traps = true; };
template <typename A, typename B, typename R>
struct FnTraits<TrapCode (*)(A, B, R*)> { using Ret = R; using Arg = A; static constexpr int arity = 2; static constexpr bool traps = true; };

template <auto Fn>
SILK_HANDLER(op_unary) {
  using T = FnTraits<decltype(Fn)>;
  wr<typename T::Ret>(fp, ip[1].s.b, Fn(rd<typename T::Arg>(fp, ip[1].s.a)));
  SILK_DISPATCH(ip + 2);
}

template <auto Fn>
SILK_HANDLER(op_unary_trapping) {
  using T = FnTraits<decltype(Fn)>;
  typename T::Ret r;
  TrapCode t = Fn(rd<typename T::Arg>(fp, ip[1].s.a), &r);
  if (t != TrapCode::None) [[unlikely]] return t;
  wr<typename T::Ret>(fp, ip[1].s.b, r);
  SILK_DISPATCH(ip + 2);
}

template <auto Fn>
SILK_HANDLER(op_binary) {
  using T = FnTraits<decltype(Fn)>;
  using A = typename T::Arg;
  wr<typename T::Ret>(fp, ip[2].s.a, Fn(rd<A>(fp, ip[1].s.a), rd<A>(fp, ip[1].s.b)));
  SILK_DISPATCH(ip + 3);
}

template <auto Fn>
SILK_HANDLER(op_binary_trapping) {
  using T = FnTraits<decltype(Fn)>;
  using A = typename T::Arg;
  typename T::Ret r;
  TrapCode t = Fn(rd<A>(fp, ip[1].s.a), rd<A>(fp, ip[1].s.b), &r);
  if (t != TrapCode::None) [[unlikely]] return t;
  wr<typename T::Ret>(fp, ip[2].s.a, r);
  SILK_DISPATCH(ip + 3);
}

template <auto Fn>
SILK_HANDLER(op_binary_imm) {
  using T = FnTraits<decltype(Fn)>;
  using A = typename T::Arg;
  wr<typename T::Ret>(fp, ip[1].s.b, Fn(rd<A>(fp, ip[1].s.a), A(ip[2].u64)));
  SILK_DISPATCH(ip + 3);
}

inline bool interrupt_requested(InstanceCtx* ctx) {
  return ctx->interrupt->load(std::memory_order_relaxed);
}

// The operands of a binary op in the {O} form (see Operands).
template <typename A, Operands O>
inline A lhs_of(const Word* ip, const uint64_t* fp, uint64_t acc) {
  if constexpr (O == Operands::AS || O == Operands::AI) return A(acc);
  else return rd<A>(fp, ip[1].s.a);
}
template <typename A, Operands O>
inline A rhs_of(const Word* ip, const uint64_t* fp, uint64_t acc) {
  if constexpr (O == Operands::SA) return A(acc);
  else if constexpr (O == Operands::SI || O == Operands::AI) return A(ip[2].u64);
  else return rd<A>(fp, ip[1].s.b);
}
constexpr bool has_imm(Operands o) { return o == Operands::SI || o == Operands::AI; }

template <auto Fn, bool SrcAcc, Dst D>
SILK_HANDLER(op_unary_variant) {
  using T = FnTraits<decltype(Fn)>;
  using A = typename T::Arg;
  auto r = Fn(SrcAcc ? A(acc) : rd<A>(fp, ip[1].s.a));
  if constexpr (D != Dst::Slot) acc = uint64_t(r);
  if constexpr (D != Dst::Acc) wr<typename T::Ret>(fp, ip[1].s.b, r);
  SILK_DISPATCH(ip + 2);
}

template <auto Fn, Operands O, Dst D>
SILK_HANDLER(op_binary_variant) {
  using T = FnTraits<decltype(Fn)>;
  using A = typename T::Arg;
  auto r = Fn(lhs_of<A, O>(ip, fp, acc), rhs_of<A, O>(ip, fp, acc));
  if constexpr (D != Dst::Slot) acc = uint64_t(r);
  if constexpr (D != Dst::Acc) wr<typename T::Ret>(fp, has_imm(O) ? ip[1].s.b : ip[2].s.a, r);
  SILK_DISPATCH(ip + 3);
}

template <auto Fn, Operands O, bool Poll>
SILK_HANDLER(op_compare_branch) {
  using A = typename FnTraits<decltype(Fn)>::Arg;
  constexpr int target = has_imm(O) ? 3 : 2;
  if (Fn(lhs_of<A, O>(ip, fp, acc), rhs_of<A, O>(ip, fp, acc))) {
    if constexpr (Poll) {
      if (interrupt_requested(ctx)) [[unlikely]] return TrapCode::Interrupted;
    }
    SILK_DISPATCH(ip[target].target);
  }
  SILK_DISPATCH(ip + target + 1);
}

// Loads and stores (spec 4.4.7). With guard pages the effective address
// (u32 base + u32 offset < 8 GiB) always lands in the reservation, and an
// access past the accessible size faults into the trap handler. With explicit
// checks, compare against the current size.
template <typename M, typename R, bool Checked, bool AddrAcc, Dst D>
SILK_HANDLER(op_load) {
  uint64_t ea = uint64_t(AddrAcc ? uint32_t(acc) : rd<uint32_t>(fp, ip[1].s.a)) + ip[2].u64;
  if constexpr (Checked) {
    if (ea + sizeof(M) > ctx->memory->size) [[unlikely]] return TrapCode::MemoryOutOfBounds;
  }
  M v;
  // SAFETY: {ea} + sizeof(M) is inside the reservation (guard mode) or
  // inside the accessible size (checked mode).
  std::memcpy(&v, mem + ea, sizeof(M));
  if constexpr (D != Dst::Slot) acc = uint64_t(R(v));
  if constexpr (D != Dst::Acc) wr<R>(fp, ip[1].s.b, R(v));
  SILK_DISPATCH(ip + 3);
}

// Store operand forms: SS (both slots), AS (address in the accumulator), SA
// (value in the accumulator).
template <typename M, typename V, bool Checked, Operands O>
SILK_HANDLER(op_store) {
  uint64_t ea = uint64_t(O == Operands::AS ? uint32_t(acc) : rd<uint32_t>(fp, ip[1].s.a)) + ip[2].u64;
  if constexpr (Checked) {
    if (ea + sizeof(M) > ctx->memory->size) [[unlikely]] return TrapCode::MemoryOutOfBounds;
  }
  M v;
  if constexpr (O == Operands::SA) v = M(V(acc));
  else v = M(rd<V>(fp, ip[1].s.b));
  std::memcpy(mem + ea, &v, sizeof(M));
  SILK_DISPATCH(ip + 3);
}

// Translates {f} and points its entry at the result; on failure leaves the
// error with {exec}. Out of line: the handler chain stays free of destructors.
[[gnu::noinline]] bool translate_lazily(Function* f, ExecState* exec) {
  auto code = translate_function(f);
  if (!code) {
    exec->pending_error = code.take_error();
    return false;
  }
  f->code = *code;
  return true;
}

// Calls {f} with its arguments at {nfp}; the one native frame per wasm call.
inline TrapCode call_function(Function* f, uint64_t* nfp, InstanceCtx* ctx) {
  ExecState* ex = ctx->exec;
  if (++ex->depth > ex->max_depth ||
      static_cast<const char*>(__builtin_frame_address(0)) < ex->native_stack_limit) [[unlikely]] {
    --ex->depth;
    return TrapCode::CallStackExhausted;
  }
  ex->frames[ex->depth] = f;
  TrapCode t;
  if (f->is_host) [[unlikely]] {
    t = call_host_function(f, nfp, ctx);
  } else {
    InstanceCtx* c = f->ctx;
    t = f->code->handler(f->code, nfp, c->mem_base, c, 0);
  }
  if (t != TrapCode::None) [[unlikely]] capture_backtrace(*ex);
  --ex->depth;
  return t;
}

// Traps with the element index in the message, as the reference
// interpreter words it ("uninitialized element 2").
[[gnu::noinline]] TrapCode element_trap(ExecState* exec, TrapCode code, uint32_t index) {
  exec->pending_error = make_error(ErrorKind::Trap, std::string(trap_message(code)) + " " + std::to_string(index));
  return code;
}

// Resolves table[{index}] for call_indirect (spec 4.4.8).
inline TrapCode resolve_indirect(InstanceCtx* ctx, uint32_t type, uint32_t table, uint32_t index, Function** out) {
  Table* t = ctx->tables[table];
  if (index >= t->elems.size()) [[unlikely]] return element_trap(ctx->exec, TrapCode::UndefinedElement, index);
  Function* f = reinterpret_cast<Function*>(t->elems[index]);
  if (!f) [[unlikely]] return element_trap(ctx->exec, TrapCode::UninitializedElement, index);
  if (f->type_id != ctx->type_ids[type]) return TrapCode::IndirectCallTypeMismatch;
  *out = f;
  return TrapCode::None;
}

// A tail call (tail-call proposal): arguments move down to fp[0..n) and the
// callee runs in this frame, so return_call loops never grow either stack.
inline void move_args_down(Function* f, uint32_t argbase, uint64_t* fp) {
  std::memmove(fp, reinterpret_cast<char*>(fp) + argbase, size_t(f->num_params) * 8);
}

}  // namespace

SILK_HANDLER(op_unreachable) { return TrapCode::Unreachable; }

// Function entry: checks the value stack, polls the interrupt flag, zeroes
// the declared locals and fills the frame's constant slots.
SILK_HANDLER(op_enter) {
  char* frame = reinterpret_cast<char*>(fp);
  if (frame + ip[2].u64 > reinterpret_cast<char*>(ctx->exec->stack_end)) [[unlikely]]
    return TrapCode::CallStackExhausted;
  if (interrupt_requested(ctx)) [[unlikely]] return TrapCode::Interrupted;
  uint64_t* locals = reinterpret_cast<uint64_t*>(frame + ip[1].s.b);
  for (uint32_t i = 0, n = ip[1].s.a; i < n; ++i) locals[i] = 0;  // usually a handful
  if (uint32_t n = ip[3].s.a) std::memcpy(frame + ip[3].s.b, ip[4].ptr, size_t(n) * 8);
  SILK_DISPATCH(ip + 5);
}

SILK_HANDLER(op_return) { return TrapCode::None; }

SILK_HANDLER(op_loop_check) {
  if (interrupt_requested(ctx)) [[unlikely]] return TrapCode::Interrupted;
  SILK_DISPATCH(ip + 1);
}

SILK_HANDLER(op_br) { SILK_DISPATCH(ip[1].target); }

SILK_HANDLER(op_br_if) {
  if (rd<uint32_t>(fp, ip[1].s.a)) SILK_DISPATCH(ip[2].target);
  SILK_DISPATCH(ip + 3);
}

SILK_HANDLER(op_br_unless) {
  if (!rd<uint32_t>(fp, ip[1].s.a)) SILK_DISPATCH(ip[2].target);
  SILK_DISPATCH(ip + 3);
}

SILK_HANDLER(op_br_if_acc) {
  if (uint32_t(acc)) SILK_DISPATCH(ip[2].target);
  SILK_DISPATCH(ip + 3);
}

SILK_HANDLER(op_br_unless_acc) {
  if (!uint32_t(acc)) SILK_DISPATCH(ip[2].target);
  SILK_DISPATCH(ip + 3);
}

SILK_HANDLER(op_br_if_acc_back) {
  if (uint32_t(acc)) {
    if (interrupt_requested(ctx)) [[unlikely]] return TrapCode::Interrupted;
    SILK_DISPATCH(ip[2].target);
  }
  SILK_DISPATCH(ip + 3);
}

SILK_HANDLER(op_br_back) {
  if (interrupt_requested(ctx)) [[unlikely]] return TrapCode::Interrupted;
  SILK_DISPATCH(ip[1].target);
}

SILK_HANDLER(op_br_if_back) {
  if (rd<uint32_t>(fp, ip[1].s.a)) {
    if (interrupt_requested(ctx)) [[unlikely]] return TrapCode::Interrupted;
    SILK_DISPATCH(ip[2].target);
  }
  SILK_DISPATCH(ip + 3);
}

SILK_HANDLER(op_br_unless_back) {
  if (!rd<uint32_t>(fp, ip[1].s.a)) {
    if (interrupt_requested(ctx)) [[unlikely]] return TrapCode::Interrupted;
    SILK_DISPATCH(ip[2].target);
  }
  SILK_DISPATCH(ip + 3);
}

SILK_HANDLER(op_br_table) {
  uint32_t i = rd<uint32_t>(fp, ip[1].s.a);
  uint32_t count = ip[1].s.b;
  if (i > count) i = count;  // the default target is last
  SILK_DISPATCH(ip[2 + i].target);
}

SILK_HANDLER(op_copy) {
  wr<uint64_t>(fp, ip[1].s.b, rd<uint64_t>(fp, ip[1].s.a));
  SILK_DISPATCH(ip + 2);
}

// Runs of copies (clang's register rotations at loop ends) share a dispatch.
template <int N>
inline void copy_pairs(const Word* ip, uint64_t* fp) {
  for (int i = 1; i <= N; ++i) wr<uint64_t>(fp, ip[i].s.b, rd<uint64_t>(fp, ip[i].s.a));
}
SILK_HANDLER(op_copy2) {
  copy_pairs<2>(ip, fp);
  SILK_DISPATCH(ip + 3);
}
SILK_HANDLER(op_copy3) {
  copy_pairs<3>(ip, fp);
  SILK_DISPATCH(ip + 4);
}
SILK_HANDLER(op_copy4) {
  copy_pairs<4>(ip, fp);
  SILK_DISPATCH(ip + 5);
}

SILK_HANDLER(op_const) {
  wr<uint64_t>(fp, ip[1].s.a, ip[2].u64);
  SILK_DISPATCH(ip + 3);
}

SILK_HANDLER(op_select) {
  uint32_t from = rd<uint32_t>(fp, ip[2].s.a) ? ip[1].s.a : ip[1].s.b;
  wr<uint64_t>(fp, ip[2].s.b, rd<uint64_t>(fp, from));
  SILK_DISPATCH(ip + 3);
}

SILK_HANDLER(op_call) {
  Function* f = ctx->funcs[ip[1].s.a];
  uint64_t* nfp = reinterpret_cast<uint64_t*>(reinterpret_cast<char*>(fp) + ip[1].s.b);
  TrapCode t = call_function(f, nfp, ctx);
  if (t != TrapCode::None) [[unlikely]] return t;
  SILK_DISPATCH(ip + 2);
}

SILK_HANDLER(op_call_indirect) {
  Function* f;
  TrapCode t = resolve_indirect(ctx, ip[1].s.a, ip[1].s.b, rd<uint32_t>(fp, ip[2].s.b), &f);
  if (t != TrapCode::None) [[unlikely]] return t;
  uint64_t* nfp = reinterpret_cast<uint64_t*>(reinterpret_cast<char*>(fp) + ip[2].s.a);
  t = call_function(f, nfp, ctx);
  if (t != TrapCode::None) [[unlikely]] return t;
  SILK_DISPATCH(ip + 3);
}

SILK_HANDLER(op_return_call) {
  Function* f = ctx->funcs[ip[1].s.a];
  ctx->exec->frames[ctx->exec->depth] = f;
  move_args_down(f, ip[1].s.b, fp);
  if (f->is_host) return call_host_function(f, fp, ctx);
  InstanceCtx* c = f->ctx;
  [[clang::musttail]] return f->code->handler(f->code, fp, c->mem_base, c, acc);
}

SILK_HANDLER(op_return_call_indirect) {
  Function* f;
  TrapCode t = resolve_indirect(ctx, ip[1].s.a, ip[1].s.b, rd<uint32_t>(fp, ip[2].s.b), &f);
  if (t != TrapCode::None) [[unlikely]] return t;
  ctx->exec->frames[ctx->exec->depth] = f;
  move_args_down(f, ip[2].s.a, fp);
  if (f->is_host) return call_host_function(f, fp, ctx);
  InstanceCtx* c = f->ctx;
  [[clang::musttail]] return f->code->handler(f->code, fp, c->mem_base, c, acc);
}

SILK_HANDLER(op_lazy_translate) {
  Function* f = static_cast<Function*>(ip[1].ptr);
  if (!translate_lazily(f, ctx->exec)) return TrapCode::HostError;
  SILK_DISPATCH(f->code);
}

SILK_HANDLER(op_global_get) {
  wr<uint64_t>(fp, ip[1].s.b, ctx->globals[ip[1].s.a]->bits);
  SILK_DISPATCH(ip + 2);
}

SILK_HANDLER(op_global_set) {
  ctx->globals[ip[1].s.a]->bits = rd<uint64_t>(fp, ip[1].s.b);
  SILK_DISPATCH(ip + 2);
}

SILK_HANDLER(op_memory_size) {
  wr<uint32_t>(fp, ip[1].s.a, uint32_t(ctx->memory->size / kPageSize));
  SILK_DISPATCH(ip + 2);
}

SILK_HANDLER(op_memory_grow) {
  int64_t old = grow_memory(*ctx->memory, rd<uint32_t>(fp, ip[1].s.a));
  wr<uint32_t>(fp, ip[1].s.b, uint32_t(old));
  SILK_DISPATCH(ip + 2);
}

// Bulk memory (spec 4.4.7): bounds are checked before any byte moves.
SILK_HANDLER(op_memory_fill) {
  uint64_t d = rd<uint32_t>(fp, ip[1].s.a), n = rd<uint32_t>(fp, ip[2].s.a);
  if (d + n > ctx->memory->size) return TrapCode::MemoryOutOfBounds;
  std::memset(mem + d, int(rd<uint32_t>(fp, ip[1].s.b) & 0xff), n);
  SILK_DISPATCH(ip + 3);
}

SILK_HANDLER(op_memory_copy) {
  uint64_t d = rd<uint32_t>(fp, ip[1].s.a), s = rd<uint32_t>(fp, ip[1].s.b), n = rd<uint32_t>(fp, ip[2].s.a);
  uint64_t size = ctx->memory->size;
  if (d + n > size || s + n > size) return TrapCode::MemoryOutOfBounds;
  std::memmove(mem + d, mem + s, n);
  SILK_DISPATCH(ip + 3);
}

SILK_HANDLER(op_memory_init) {
  uint64_t d = rd<uint32_t>(fp, ip[1].s.a), s = rd<uint32_t>(fp, ip[1].s.b), n = rd<uint32_t>(fp, ip[2].s.a);
  const Instance::Impl& inst = ctx->instance->impl();
  uint32_t seg = ip[2].s.b;
  const DataSegment& data = inst.module->datas[seg];
  uint64_t seg_size = inst.data_dropped[seg] ? 0 : data.data_size;
  if (s + n > seg_size || d + n > ctx->memory->size) return TrapCode::MemoryOutOfBounds;
  std::memcpy(mem + d, inst.module->bytes.data() + data.data_offset + s, n);
  SILK_DISPATCH(ip + 3);
}

SILK_HANDLER(op_data_drop) {
  ctx->instance->impl().data_dropped[ip[1].s.a] = true;
  SILK_DISPATCH(ip + 2);
}

SILK_HANDLER(op_table_get) {
  Table* t = ctx->tables[ip[2].s.a];
  uint32_t i = rd<uint32_t>(fp, ip[1].s.a);
  if (i >= t->elems.size()) return TrapCode::TableOutOfBounds;
  wr<uint64_t>(fp, ip[1].s.b, t->elems[i]);
  SILK_DISPATCH(ip + 3);
}

SILK_HANDLER(op_table_set) {
  Table* t = ctx->tables[ip[2].s.a];
  uint32_t i = rd<uint32_t>(fp, ip[1].s.a);
  if (i >= t->elems.size()) return TrapCode::TableOutOfBounds;
  t->elems[i] = rd<uint64_t>(fp, ip[1].s.b);
  SILK_DISPATCH(ip + 3);
}

SILK_HANDLER(op_table_size) {
  wr<uint32_t>(fp, ip[1].s.b, ctx->tables[ip[1].s.a]->size());
  SILK_DISPATCH(ip + 2);
}

SILK_HANDLER(op_table_grow) {
  Table* t = ctx->tables[ip[2].s.a];
  int64_t old = grow_table(*t, rd<uint32_t>(fp, ip[1].s.b), rd<uint64_t>(fp, ip[1].s.a));
  wr<uint32_t>(fp, ip[2].s.b, uint32_t(old));
  SILK_DISPATCH(ip + 3);
}

SILK_HANDLER(op_table_fill) {
  Table* t = ctx->tables[ip[2].s.b];
  uint64_t i = rd<uint32_t>(fp, ip[1].s.a), n = rd<uint32_t>(fp, ip[2].s.a);
  if (i + n > t->elems.size()) return TrapCode::TableOutOfBounds;
  uint64_t v = rd<uint64_t>(fp, ip[1].s.b);
  for (uint64_t k = 0; k < n; ++k) t->elems[i + k] = v;
  SILK_DISPATCH(ip + 3);
}

SILK_HANDLER(op_table_copy) {
  Table* dt = ctx->tables[ip[3].s.a];
  Table* st = ctx->tables[ip[3].s.b];
  uint64_t d = rd<uint32_t>(fp, ip[1].s.a), s = rd<uint32_t>(fp, ip[1].s.b), n = rd<uint32_t>(fp, ip[2].s.a);
  if (d + n > dt->elems.size() || s + n > st->elems.size()) return TrapCode::TableOutOfBounds;
  std::memmove(dt->elems.data() + d, st->elems.data() + s, n * sizeof(uint64_t));
  SILK_DISPATCH(ip + 4);
}

SILK_HANDLER(op_table_init) {
  Table* t = ctx->tables[ip[3].s.a];
  const auto& seg = ctx->instance->impl().elem_segments[ip[2].s.b];
  uint64_t d = rd<uint32_t>(fp, ip[1].s.a), s = rd<uint32_t>(fp, ip[1].s.b), n = rd<uint32_t>(fp, ip[2].s.a);
  if (s + n > seg.size() || d + n > t->elems.size()) return TrapCode::TableOutOfBounds;
  std::memcpy(t->elems.data() + d, seg.data() + s, n * sizeof(uint64_t));
  SILK_DISPATCH(ip + 4);
}

SILK_HANDLER(op_elem_drop) {
  auto& seg = ctx->instance->impl().elem_segments[ip[1].s.a];
  seg.clear();
  seg.shrink_to_fit();
  SILK_DISPATCH(ip + 2);
}

SILK_HANDLER(op_ref_is_null) {
  wr<uint32_t>(fp, ip[1].s.b, rd<uint64_t>(fp, ip[1].s.a) == 0);
  SILK_DISPATCH(ip + 2);
}

SILK_HANDLER(op_ref_func) {
  wr<uint64_t>(fp, ip[1].s.b, reinterpret_cast<uint64_t>(ctx->funcs[ip[1].s.a]));
  SILK_DISPATCH(ip + 2);
}

// Tables that map opcodes to handler instances ---------------------------------

#define SILK_NUMERIC_OPS(X)                                                                    \
  X(I32Eqz) X(I32Eq) X(I32Ne) X(I32LtS) X(I32LtU) X(I32GtS) X(I32GtU) X(I32LeS) X(I32LeU)     \
  X(I32GeS) X(I32GeU) X(I64Eqz) X(I64Eq) X(I64Ne) X(I64LtS) X(I64LtU) X(I64GtS) X(I64GtU)     \
  X(I64LeS) X(I64LeU) X(I64GeS) X(I64GeU) X(F32Eq) X(F32Ne) X(F32Lt) X(F32Gt) X(F32Le)        \
  X(F32Ge) X(F64Eq) X(F64Ne) X(F64Lt) X(F64Gt) X(F64Le) X(F64Ge) X(I32Clz) X(I32Ctz)          \
  X(I32Popcnt) X(I32Add) X(I32Sub) X(I32Mul) X(I32DivS) X(I32DivU) X(I32RemS) X(I32RemU)      \
  X(I32And) X(I32Or) X(I32Xor) X(I32Shl) X(I32ShrS) X(I32ShrU) X(I32Rotl) X(I32Rotr)          \
  X(I64Clz) X(I64Ctz) X(I64Popcnt) X(I64Add) X(I64Sub) X(I64Mul) X(I64DivS) X(I64DivU)        \
  X(I64RemS) X(I64RemU) X(I64And) X(I64Or) X(I64Xor) X(I64Shl) X(I64ShrS) X(I64ShrU)          \
  X(I64Rotl) X(I64Rotr) X(F32Abs) X(F32Neg) X(F32Ceil) X(F32Floor) X(F32Trunc) X(F32Nearest)  \
  X(F32Sqrt) X(F32Add) X(F32Sub) X(F32Mul) X(F32Div) X(F32Min) X(F32Max) X(F32Copysign)       \
  X(F64Abs) X(F64Neg) X(F64Ceil) X(F64Floor) X(F64Trunc) X(F64Nearest) X(F64Sqrt) X(F64Add)   \
  X(F64Sub) X(F64Mul) X(F64Div) X(F64Min) X(F64Max) X(F64Copysign) X(I32WrapI64)              \
  X(I32TruncF32S) X(I32TruncF32U) X(I32TruncF64S) X(I32TruncF64U) X(I64ExtendI32S)            \
  X(I64ExtendI32U) X(I64TruncF32S) X(I64TruncF32U) X(I64TruncF64S) X(I64TruncF64U)            \
  X(F32ConvertI32S) X(F32ConvertI32U) X(F32ConvertI64S) X(F32ConvertI64U) X(F32DemoteF64)     \
  X(F64ConvertI32S) X(F64ConvertI32U) X(F64ConvertI64S) X(F64ConvertI64U) X(F64PromoteF32)    \
  X(I32ReinterpretF32) X(I64ReinterpretF64) X(F32ReinterpretI32) X(F64ReinterpretI64)         \
  X(I32Extend8S) X(I32Extend16S) X(I64Extend8S) X(I64Extend16S) X(I64Extend32S)               \
  X(I32TruncSatF32S) X(I32TruncSatF32U) X(I32TruncSatF64S) X(I32TruncSatF64U)                 \
  X(I64TruncSatF32S) X(I64TruncSatF32U) X(I64TruncSatF64S) X(I64TruncSatF64U)

template <auto Fn>
constexpr Handler pick_numeric() {
  using T = FnTraits<decltype(Fn)>;
  if constexpr (T::arity == 1 && !T::traps) return &op_unary<Fn>;
  else if constexpr (T::arity == 1) return &op_unary_trapping<Fn>;
  else if constexpr (!T::traps) return &op_binary<Fn>;
  else return &op_binary_trapping<Fn>;
}

Handler numeric_handler(Opcode op) {
  switch (op) {
#define SILK_NUMERIC_CASE(Name) case Opcode::Name: return pick_numeric<&sem::Name>();
    SILK_NUMERIC_OPS(SILK_NUMERIC_CASE)
#undef SILK_NUMERIC_CASE
    default: return nullptr;
  }
}

Handler numeric_imm_handler(Opcode op) {
  switch (op) {
#define SILK_IMM_CASE(Name) case Opcode::Name: return &op_binary_imm<&sem::Name>;
    SILK_IMM_CASE(I32Add) SILK_IMM_CASE(I32Sub) SILK_IMM_CASE(I32Mul) SILK_IMM_CASE(I32And)
    SILK_IMM_CASE(I32Or) SILK_IMM_CASE(I32Xor) SILK_IMM_CASE(I32Shl) SILK_IMM_CASE(I32ShrS)
    SILK_IMM_CASE(I32ShrU) SILK_IMM_CASE(I32Eq) SILK_IMM_CASE(I32Ne) SILK_IMM_CASE(I32LtS)
    SILK_IMM_CASE(I32LtU) SILK_IMM_CASE(I32GtS) SILK_IMM_CASE(I32GtU) SILK_IMM_CASE(I32LeS)
    SILK_IMM_CASE(I32LeU) SILK_IMM_CASE(I32GeS) SILK_IMM_CASE(I32GeU)
    SILK_IMM_CASE(I64Add) SILK_IMM_CASE(I64Sub) SILK_IMM_CASE(I64Mul) SILK_IMM_CASE(I64And)
    SILK_IMM_CASE(I64Or) SILK_IMM_CASE(I64Xor) SILK_IMM_CASE(I64Shl) SILK_IMM_CASE(I64ShrS)
    SILK_IMM_CASE(I64ShrU) SILK_IMM_CASE(I32Rotl) SILK_IMM_CASE(I32Rotr) SILK_IMM_CASE(I64Rotl)
    SILK_IMM_CASE(I64Rotr) SILK_IMM_CASE(I64Eq) SILK_IMM_CASE(I64Ne) SILK_IMM_CASE(I64LtS)
    SILK_IMM_CASE(I64LtU) SILK_IMM_CASE(I64GtS) SILK_IMM_CASE(I64GtU) SILK_IMM_CASE(I64LeS)
    SILK_IMM_CASE(I64LeU) SILK_IMM_CASE(I64GeS) SILK_IMM_CASE(I64GeU)
#undef SILK_IMM_CASE
    default: return nullptr;
  }
}

#define SILK_COMPARE_OPS(X)                                                         \
  X(I32Eq) X(I32Ne) X(I32LtS) X(I32LtU) X(I32GtS) X(I32GtU) X(I32LeS) X(I32LeU) X(I32GeS) \
  X(I32GeU) X(I64Eq) X(I64Ne) X(I64LtS) X(I64LtU) X(I64GtS) X(I64GtU) X(I64LeS) X(I64LeU) \
  X(I64GeS) X(I64GeU)

template <Operands O, bool Poll>
Handler compare_branch_for(Opcode op) {
  switch (op) {
#define SILK_CMP_CASE(Name) \
  case Opcode::Name:        \
    return &op_compare_branch<&sem::Name, O, Poll>;
    SILK_COMPARE_OPS(SILK_CMP_CASE)
#undef SILK_CMP_CASE
    default: return nullptr;
  }
}

template <bool Poll>
Handler compare_branch_for(Opcode op, Operands o) {
  switch (o) {
    case Operands::SS: return compare_branch_for<Operands::SS, Poll>(op);
    case Operands::AS: return compare_branch_for<Operands::AS, Poll>(op);
    case Operands::SA: return compare_branch_for<Operands::SA, Poll>(op);
    case Operands::SI: return compare_branch_for<Operands::SI, Poll>(op);
    case Operands::AI: return compare_branch_for<Operands::AI, Poll>(op);
  }
  return nullptr;
}

Handler compare_branch_handler(Opcode op, Operands operands, bool back_edge) {
  return back_edge ? compare_branch_for<true>(op, operands) : compare_branch_for<false>(op, operands);
}

// The integer ops with accumulator forms: everything that cannot trap.
#define SILK_ACC_OPS(X)                                                                          \
  SILK_COMPARE_OPS(X)                                                                            \
  X(I32Add) X(I32Sub) X(I32Mul) X(I32And) X(I32Or) X(I32Xor) X(I32Shl) X(I32ShrS) X(I32ShrU)     \
  X(I32Rotl) X(I32Rotr) X(I64Add) X(I64Sub) X(I64Mul) X(I64And) X(I64Or) X(I64Xor) X(I64Shl)     \
  X(I64ShrS) X(I64ShrU) X(I64Rotl) X(I64Rotr)

template <Operands O, Dst D>
Handler binary_variant_for(Opcode op) {
  switch (op) {
#define SILK_ACC_CASE(Name) \
  case Opcode::Name:        \
    return &op_binary_variant<&sem::Name, O, D>;
    SILK_ACC_OPS(SILK_ACC_CASE)
#undef SILK_ACC_CASE
    default: return nullptr;
  }
}

template <Dst D>
Handler binary_variant_for(Opcode op, Operands o) {
  switch (o) {
    case Operands::SS: return binary_variant_for<Operands::SS, D>(op);
    case Operands::AS: return binary_variant_for<Operands::AS, D>(op);
    case Operands::SA: return binary_variant_for<Operands::SA, D>(op);
    case Operands::SI: return binary_variant_for<Operands::SI, D>(op);
    case Operands::AI: return binary_variant_for<Operands::AI, D>(op);
  }
  return nullptr;
}

#define SILK_ACC_UNARY_OPS(X)                                                                 \
  X(I32Eqz) X(I64Eqz) X(I32Clz) X(I32Ctz) X(I32Popcnt) X(I64Clz) X(I64Ctz) X(I64Popcnt)       \
  X(I32WrapI64) X(I64ExtendI32S) X(I64ExtendI32U) X(I32Extend8S) X(I32Extend16S) X(I64Extend8S) \
  X(I64Extend16S) X(I64Extend32S)

template <bool SrcAcc, Dst D>
Handler unary_variant_for(Opcode op) {
  switch (op) {
#define SILK_ACC_UNARY_CASE(Name) \
  case Opcode::Name:              \
    return &op_unary_variant<&sem::Name, SrcAcc, D>;
    SILK_ACC_UNARY_OPS(SILK_ACC_UNARY_CASE)
#undef SILK_ACC_UNARY_CASE
    default: return nullptr;
  }
}

template <bool SrcAcc>
Handler unary_variant_for(Opcode op, Dst d) {
  switch (d) {
    case Dst::Slot: return unary_variant_for<SrcAcc, Dst::Slot>(op);
    case Dst::Acc: return unary_variant_for<SrcAcc, Dst::Acc>(op);
    case Dst::Both: return unary_variant_for<SrcAcc, Dst::Both>(op);
  }
  return nullptr;
}

Handler unary_variant_handler(Opcode op, bool src_acc, Dst dst) {
  return src_acc ? unary_variant_for<true>(op, dst) : unary_variant_for<false>(op, dst);
}

Handler binary_variant_handler(Opcode op, Operands operands, Dst dst) {
  switch (dst) {
    case Dst::Slot: return binary_variant_for<Dst::Slot>(op, operands);
    case Dst::Acc: return binary_variant_for<Dst::Acc>(op, operands);
    case Dst::Both: return binary_variant_for<Dst::Both>(op, operands);
  }
  return nullptr;
}

Opcode negated_compare(Opcode op) {
  switch (op) {
    case Opcode::I32Eq: return Opcode::I32Ne;
    case Opcode::I32Ne: return Opcode::I32Eq;
    case Opcode::I32LtS: return Opcode::I32GeS;
    case Opcode::I32GeS: return Opcode::I32LtS;
    case Opcode::I32LtU: return Opcode::I32GeU;
    case Opcode::I32GeU: return Opcode::I32LtU;
    case Opcode::I32GtS: return Opcode::I32LeS;
    case Opcode::I32LeS: return Opcode::I32GtS;
    case Opcode::I32GtU: return Opcode::I32LeU;
    case Opcode::I32LeU: return Opcode::I32GtU;
    case Opcode::I64Eq: return Opcode::I64Ne;
    case Opcode::I64Ne: return Opcode::I64Eq;
    case Opcode::I64LtS: return Opcode::I64GeS;
    case Opcode::I64GeS: return Opcode::I64LtS;
    case Opcode::I64LtU: return Opcode::I64GeU;
    case Opcode::I64GeU: return Opcode::I64LtU;
    case Opcode::I64GtS: return Opcode::I64LeS;
    case Opcode::I64LeS: return Opcode::I64GtS;
    case Opcode::I64GtU: return Opcode::I64LeU;
    case Opcode::I64LeU: return Opcode::I64GtU;
    default: return Opcode::Count;
  }
}

template <bool Checked, bool AddrAcc, Dst D>
Handler load_handler_for(Opcode op) {
  constexpr bool ToAcc = D != Dst::Slot;
  // Float loads never write the (integer) accumulator.
  switch (op) {
    case Opcode::I32Load: return &op_load<uint32_t, uint32_t, Checked, AddrAcc, D>;
    case Opcode::I64Load: return &op_load<uint64_t, uint64_t, Checked, AddrAcc, D>;
    case Opcode::F32Load: return ToAcc ? nullptr : &op_load<float, float, Checked, AddrAcc, Dst::Slot>;
    case Opcode::F64Load: return ToAcc ? nullptr : &op_load<double, double, Checked, AddrAcc, Dst::Slot>;
    case Opcode::I32Load8S: return &op_load<int8_t, uint32_t, Checked, AddrAcc, D>;
    case Opcode::I32Load8U: return &op_load<uint8_t, uint32_t, Checked, AddrAcc, D>;
    case Opcode::I32Load16S: return &op_load<int16_t, uint32_t, Checked, AddrAcc, D>;
    case Opcode::I32Load16U: return &op_load<uint16_t, uint32_t, Checked, AddrAcc, D>;
    case Opcode::I64Load8S: return &op_load<int8_t, uint64_t, Checked, AddrAcc, D>;
    case Opcode::I64Load8U: return &op_load<uint8_t, uint64_t, Checked, AddrAcc, D>;
    case Opcode::I64Load16S: return &op_load<int16_t, uint64_t, Checked, AddrAcc, D>;
    case Opcode::I64Load16U: return &op_load<uint16_t, uint64_t, Checked, AddrAcc, D>;
    case Opcode::I64Load32S: return &op_load<int32_t, uint64_t, Checked, AddrAcc, D>;
    case Opcode::I64Load32U: return &op_load<uint32_t, uint64_t, Checked, AddrAcc, D>;
    default: return nullptr;
  }
}

template <bool Checked, Operands O>
Handler store_handler_for(Opcode op) {
  // A float value is never in the accumulator.
  constexpr bool value_acc = O == Operands::SA;
  switch (op) {
    case Opcode::I32Store: return &op_store<uint32_t, uint32_t, Checked, O>;
    case Opcode::I64Store: return &op_store<uint64_t, uint64_t, Checked, O>;
    case Opcode::F32Store: return value_acc ? nullptr : &op_store<float, float, Checked, O>;
    case Opcode::F64Store: return value_acc ? nullptr : &op_store<double, double, Checked, O>;
    case Opcode::I32Store8: return &op_store<uint8_t, uint32_t, Checked, O>;
    case Opcode::I32Store16: return &op_store<uint16_t, uint32_t, Checked, O>;
    case Opcode::I64Store8: return &op_store<uint8_t, uint64_t, Checked, O>;
    case Opcode::I64Store16: return &op_store<uint16_t, uint64_t, Checked, O>;
    case Opcode::I64Store32: return &op_store<uint32_t, uint64_t, Checked, O>;
    default: return nullptr;
  }
}

template <bool Checked, bool AddrAcc>
Handler load_handler_for(Opcode op, Dst d) {
  switch (d) {
    case Dst::Slot: return load_handler_for<Checked, AddrAcc, Dst::Slot>(op);
    case Dst::Acc: return load_handler_for<Checked, AddrAcc, Dst::Acc>(op);
    case Dst::Both: return load_handler_for<Checked, AddrAcc, Dst::Both>(op);
  }
  return nullptr;
}

template <bool Checked>
Handler load_handler_for(Opcode op, bool addr_acc, Dst d) {
  return addr_acc ? load_handler_for<Checked, true>(op, d) : load_handler_for<Checked, false>(op, d);
}

template <bool Checked>
Handler store_handler_for(Opcode op, Operands o) {
  switch (o) {
    case Operands::AS: return store_handler_for<Checked, Operands::AS>(op);
    case Operands::SA: return store_handler_for<Checked, Operands::SA>(op);
    default: return store_handler_for<Checked, Operands::SS>(op);
  }
}

Handler load_handler(Opcode op, BoundsChecks mode, bool addr_acc, Dst dst) {
  return mode == BoundsChecks::Explicit ? load_handler_for<true>(op, addr_acc, dst)
                                        : load_handler_for<false>(op, addr_acc, dst);
}

Handler store_handler(Opcode op, BoundsChecks mode, Operands operands) {
  return mode == BoundsChecks::Explicit ? store_handler_for<true>(op, operands) : store_handler_for<false>(op, operands);
}

}  // namespace silk::wasm::interp
