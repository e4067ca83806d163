// Instantiation (spec 4.5.4) and the Instance accessors.
#include <cstring>

#include "wasm/code_reader.h"
#include "wasm/interpreter/handlers.h"
#include "wasm/runtime/objects.h"

namespace silk::wasm {

namespace {

Error unlinkable(const Import& im, const std::string& why) {
  Error e = make_error(ErrorKind::Unlinkable, why);
  e.section = "import";
  e.message += " (" + im.module + "." + im.name + ")";
  return e;
}

Error trap_error(TrapCode code) { return make_error(ErrorKind::Trap, trap_message(code)); }

// Evaluates a validated constant expression (spec 3.3.10 + extended-const).
Result<uint64_t> eval_const(const Module& m, const ConstExpr& expr, const Instance::Impl& inst) {
  CodeReader reader(std::span<const uint8_t>(m.bytes.data() + expr.offset, expr.size), expr.offset);
  uint64_t stack[64];
  size_t sp = 0;
  while (!reader.at_end()) {
    auto in = reader.next();
    if (!in) return in.take_error();
    if (sp >= 62) return make_error(ErrorKind::Invalid, "constant expression too deep");
    switch (in->op) {
      case Opcode::I32Const: stack[sp++] = in->bits & 0xffffffffu; break;
      case Opcode::I64Const:
      case Opcode::F32Const:
      case Opcode::F64Const: stack[sp++] = in->bits; break;
      case Opcode::RefNull: stack[sp++] = 0; break;
      case Opcode::RefFunc: stack[sp++] = reinterpret_cast<uint64_t>(inst.funcs[in->index]); break;
      case Opcode::GlobalGet: stack[sp++] = inst.globals[in->index]->bits; break;
      case Opcode::I32Add: --sp; stack[sp - 1] = uint32_t(stack[sp - 1] + stack[sp]); break;
      case Opcode::I32Sub: --sp; stack[sp - 1] = uint32_t(stack[sp - 1] - stack[sp]); break;
      case Opcode::I32Mul: --sp; stack[sp - 1] = uint32_t(stack[sp - 1] * stack[sp]); break;
      case Opcode::I64Add: --sp; stack[sp - 1] = stack[sp - 1] + stack[sp]; break;
      case Opcode::I64Sub: --sp; stack[sp - 1] = stack[sp - 1] - stack[sp]; break;
      case Opcode::I64Mul: --sp; stack[sp - 1] = stack[sp - 1] * stack[sp]; break;
      case Opcode::End:
        if (sp != 1) return make_error(ErrorKind::Invalid, "type mismatch in constant expression");
        return stack[0];
      default: return make_error(ErrorKind::Invalid, "constant expression required");
    }
  }
  return make_error(ErrorKind::Malformed, "unexpected end of constant expression");
}

// True when {ex}'s object belongs to {store}: a store's code may only touch
// its own objects (their memories are the ones its fault handler knows).
bool owned_by(const Extern& ex, const Store* store) {
  switch (ex.kind) {
    case ExternKind::Func: return static_cast<Function*>(ex.object)->owner == store;
    case ExternKind::Table: return static_cast<Table*>(ex.object)->owner == store;
    case ExternKind::Memory: return static_cast<Memory*>(ex.object)->owner == store;
    case ExternKind::Global: return static_cast<Global*>(ex.object)->owner == store;
  }
  return false;
}

Result<void> link_import(const Import& im, const Extern& ex, const Module& m, Instance::Impl& inst) {
  if (ex.kind != im.kind || !ex.object) return unlinkable(im, "incompatible import type");
  if (!owned_by(ex, inst.store)) return unlinkable(im, "import belongs to another store");
  switch (im.kind) {
    case ExternKind::Func: {
      auto* f = static_cast<Function*>(ex.object);
      if (!(*f->type == m.types[im.type_index])) return unlinkable(im, "incompatible import type");
      inst.funcs.push_back(f);
      break;
    }
    case ExternKind::Table: {
      auto* t = static_cast<Table*>(ex.object);
      Limits actual{t->size(), t->type.limits.has_max, t->type.limits.max};
      if (t->type.elem != im.table.elem || !limits_match(actual, im.table.limits))
        return unlinkable(im, "incompatible import type");
      inst.tables.push_back(t);
      break;
    }
    case ExternKind::Memory: {
      auto* mem = static_cast<Memory*>(ex.object);
      Limits actual{mem->size / kPageSize, mem->type.limits.has_max, mem->type.limits.max};
      if (!limits_match(actual, im.memory.limits)) return unlinkable(im, "incompatible import type");
      inst.memories.push_back(mem);
      break;
    }
    case ExternKind::Global: {
      auto* g = static_cast<Global*>(ex.object);
      if (g->type.type != im.global.type || g->type.mutable_ != im.global.mutable_)
        return unlinkable(im, "incompatible import type");
      inst.globals.push_back(g);
      break;
    }
  }
  return {};
}

// The references an element segment holds, resolved for this instance.
Result<std::vector<uint64_t>> resolve_elements(const Module& m, const ElemSegment& seg, const Instance::Impl& inst) {
  std::vector<uint64_t> out;
  out.reserve(seg.size());
  if (seg.uses_exprs) {
    for (const ConstExpr& e : seg.exprs) out.push_back(SILK_TRY(eval_const(m, e, inst)));
  } else {
    for (uint32_t fi : seg.func_indices) out.push_back(reinterpret_cast<uint64_t>(inst.funcs[fi]));
  }
  return out;
}

}  // namespace

Result<Instance*> Store::instantiate(std::shared_ptr<const Module> module, std::span<const Extern> imports) {
  const Module& m = *module;
  if (imports.size() != m.imports.size()) {
    return make_error(ErrorKind::Unlinkable, "expected " + std::to_string(m.imports.size()) + " imports, got " +
                                                 std::to_string(imports.size()));
  }
  auto impl = std::make_unique<Instance::Impl>();
  Instance::Impl& inst = *impl;
  inst.module = module;
  inst.store = this;
  for (size_t i = 0; i < imports.size(); ++i) SILK_TRY(link_import(m.imports[i], imports[i], m, inst));

  for (const FuncType& t : m.types) inst.type_ids.push_back(impl_->intern_type(t));

  // From here on objects are allocated in the store; they stay there even if
  // instantiation traps later, as the spec's store semantics require.
  auto* instance = new Instance(std::move(impl));
  impl_->instances.emplace_back(instance);

  inst.own_funcs = std::make_unique<Function[]>(m.num_funcs() - m.num_imported_funcs);
  for (uint32_t i = m.num_imported_funcs; i < m.num_funcs(); ++i) {
    Function* f = &inst.own_funcs[i - m.num_imported_funcs];
    f->owner = this;
    f->exec = &impl_->exec;
    f->instance = instance;
    f->ctx = &inst.ctx;
    f->func_index = i;
    f->type = &m.types[m.func_types[i]];
    f->type_id = inst.type_ids[m.func_types[i]];
    f->num_params = uint32_t(f->type->params.size());
    f->num_results = uint32_t(f->type->results.size());
    f->stub[0].handler = &interp::op_lazy_translate;
    f->stub[1].ptr = f;
    f->code = f->stub;
    inst.funcs.push_back(f);
  }
  for (const GlobalDef& def : m.globals) {
    uint64_t bits = SILK_TRY(eval_const(m, def.init, inst));
    inst.globals.push_back(create_global(def.type, Value{def.type.type, bits}));
  }
  for (size_t i = m.num_imported_tables; i < m.tables.size(); ++i) {
    inst.tables.push_back(SILK_TRY(create_table(m.tables[i], Value::null_of(m.tables[i].elem))));
  }
  for (size_t i = m.num_imported_memories; i < m.memories.size(); ++i) {
    inst.memories.push_back(SILK_TRY(create_memory(m.memories[i])));
  }

  InstanceCtx& ctx = inst.ctx;
  ctx.memory = inst.memories.empty() ? nullptr : inst.memories[0];
  ctx.mem_base = ctx.memory ? ctx.memory->base : nullptr;
  ctx.funcs = inst.funcs.data();
  ctx.globals = inst.globals.data();
  ctx.tables = inst.tables.data();
  ctx.type_ids = inst.type_ids.data();
  ctx.exec = &impl_->exec;
  ctx.interrupt = &interrupt_requested_;
  ctx.instance = instance;

  for (const Export& e : m.exports) {
    void* obj = nullptr;
    switch (e.kind) {
      case ExternKind::Func: obj = inst.funcs[e.index]; break;
      case ExternKind::Table: obj = inst.tables[e.index]; break;
      case ExternKind::Memory: obj = inst.memories[e.index]; break;
      case ExternKind::Global: obj = inst.globals[e.index]; break;
    }
    inst.exports.push_back(Extern{e.kind, obj});
  }

  // Element segments: resolve all, then apply the active ones in order
  // (table.init + elem.drop); active and declarative segments end dropped.
  for (const ElemSegment& seg : m.elems) inst.elem_segments.push_back(SILK_TRY(resolve_elements(m, seg, inst)));
  inst.data_dropped.assign(m.datas.size(), false);
  for (size_t i = 0; i < m.elems.size(); ++i) {
    const ElemSegment& seg = m.elems[i];
    if (seg.mode == SegmentMode::Active) {
      uint64_t offset = uint32_t(SILK_TRY(eval_const(m, seg.offset, inst)));
      Table* t = inst.tables[seg.table_index];
      auto& elems = inst.elem_segments[i];
      if (offset + elems.size() > t->elems.size()) return trap_error(TrapCode::TableOutOfBounds);
      std::copy(elems.begin(), elems.end(), t->elems.begin() + offset);
    }
    if (seg.mode != SegmentMode::Passive) inst.elem_segments[i].clear();
  }
  for (size_t i = 0; i < m.datas.size(); ++i) {
    const DataSegment& seg = m.datas[i];
    if (seg.mode != SegmentMode::Active) continue;
    uint64_t offset = uint32_t(SILK_TRY(eval_const(m, seg.offset, inst)));
    Memory* mem = inst.memories[seg.memory_index];
    if (offset + seg.data_size > mem->size) return trap_error(TrapCode::MemoryOutOfBounds);
    std::memcpy(mem->base + offset, m.bytes.data() + seg.data_offset, seg.data_size);
    inst.data_dropped[i] = true;
  }
  if (m.start) SILK_TRY(call(inst.funcs[*m.start], {}));
  return instance;
}

// Instance ----------------------------------------------------------------------

Instance::Instance(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Instance::~Instance() = default;

std::optional<Extern> Instance::find_export(std::string_view name) const {
  const Module& m = *impl_->module;
  auto it = m.export_index.find(name);
  if (it == m.export_index.end()) return std::nullopt;
  return impl_->exports[it->second];
}

template <typename T>
static T* export_of_kind(const Instance& inst, std::string_view name, ExternKind kind) {
  auto e = inst.find_export(name);
  return e && e->kind == kind ? static_cast<T*>(e->object) : nullptr;
}

Function* Instance::function(std::string_view name) const { return export_of_kind<Function>(*this, name, ExternKind::Func); }
Memory* Instance::memory(std::string_view name) const { return export_of_kind<Memory>(*this, name, ExternKind::Memory); }
Global* Instance::global(std::string_view name) const { return export_of_kind<Global>(*this, name, ExternKind::Global); }
Table* Instance::table(std::string_view name) const { return export_of_kind<Table>(*this, name, ExternKind::Table); }
Memory* Instance::default_memory() const { return impl_->memories.empty() ? nullptr : impl_->memories[0]; }
const Module& Instance::module() const { return *impl_->module; }

}  // namespace silk::wasm
