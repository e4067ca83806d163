// Module-level validation (spec 3.4) and constant expressions (spec 3.3.10,
// extended by the extended-const proposal). Function bodies are checked by
// FunctionValidator (function_validator.h).
//
// The checks run in the order of the reference interpreter's check_module, so
// a module with several faults reports the one the spec tests expect.
#include "wasm/validator.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/code_reader.h"
#include "wasm/function_validator.h"

namespace silk::wasm {

namespace {

Error invalid(const char* section, std::string message, uint64_t offset = Error::kNoOffset) {
  Error e = make_error(ErrorKind::Invalid, std::move(message));
  e.section = section;
  e.offset = offset;
  return e;
}

// Index-space errors name the index, as the reference interpreter does
// ("unknown function 7"); the spec runner compares message prefixes.
Error unknown(const char* section, const char* what, uint32_t index, uint64_t offset = Error::kNoOffset) {
  return invalid(section, std::string("unknown ") + what + " " + std::to_string(index), offset);
}

class ModuleValidator {
 public:
  explicit ModuleValidator(const Module& m) : m_(m) {}
  Result<void> run();

 private:
  Result<void> run_checks();
  Result<void> check_types_of_funcs();
  Result<void> check_imports();
  Result<void> check_table(const TableType& t, const char* section);
  Result<void> check_memory(const MemoryType& t, const char* section);
  Result<void> check_globals();
  Result<void> check_bodies();
  Result<void> check_elems();
  Result<void> check_datas();
  Result<void> check_exports();
  Result<void> check_start();
  Result<void> check_const(const ConstExpr& e, ValType expected, const char* section);
  Result<void> const_instr(const Instr& in, const char* section);

  const Module& m_;
  std::vector<ValType> stack_;  // the constant expression's operand stack
};

// The spec decodes the whole module, function bodies included, before it
// validates anything; silk decodes bodies while validating them. So when the
// module is invalid, the bodies are decoded to the end: a malformed one
// outranks the invalidity.
Result<void> ModuleValidator::run() {
  Result<void> r = run_checks();
  if (r.ok() || r.error().kind != ErrorKind::Invalid) return r;
  FunctionValidator fv(m_);
  for (uint32_t i = m_.num_imported_funcs; i < m_.num_funcs(); ++i) SILK_TRY(fv.check_decodes(i));
  return r;
}

Result<void> ModuleValidator::run_checks() {
  SILK_TRY(check_types_of_funcs());
  SILK_TRY(check_imports());
  for (uint32_t i = m_.num_imported_tables; i < m_.tables.size(); ++i)
    SILK_TRY(check_table(m_.tables[i], "table"));
  for (uint32_t i = m_.num_imported_memories; i < m_.memories.size(); ++i)
    SILK_TRY(check_memory(m_.memories[i], "memory"));
  SILK_TRY(check_globals());
  SILK_TRY(check_bodies());
  SILK_TRY(check_elems());
  SILK_TRY(check_datas());
  SILK_TRY(check_exports());
  SILK_TRY(check_start());
  // WebAssembly 2.0 allows one memory (spec 3.4.10, "multiple memories").
  if (m_.memories.size() > 1) return invalid("memory", "multiple memories");
  return {};
}

// Every function's type index (imports included) must name a type; the rest of
// validation relies on it (spec 3.4.1 / 3.4.7).
Result<void> ModuleValidator::check_types_of_funcs() {
  if (m_.num_imported_funcs > m_.func_types.size() ||
      m_.bodies.size() != m_.func_types.size() - m_.num_imported_funcs) {
    Error e = make_error(ErrorKind::Malformed, "function and code section have inconsistent lengths");
    e.section = "code";
    return e;
  }
  for (uint32_t i = 0; i < m_.func_types.size(); ++i) {
    if (m_.func_types[i] >= m_.types.size()) {
      Error e = unknown(i < m_.num_imported_funcs ? "import" : "function", "type", m_.func_types[i]);
      e.func_index = i;
      return e;
    }
  }
  return {};
}

Result<void> ModuleValidator::check_imports() {
  for (const Import& im : m_.imports) {
    switch (im.kind) {
      case ExternKind::Func:
        if (im.type_index >= m_.types.size()) return unknown("import", "type", im.type_index);
        break;
      case ExternKind::Table: SILK_TRY(check_table(im.table, "import")); break;
      case ExternKind::Memory: SILK_TRY(check_memory(im.memory, "import")); break;
      case ExternKind::Global: break;  // any value type, either mutability
    }
  }
  return {};
}

// Limits must lie in {range}, and min <= max (spec 3.2.1 / 3.2.4 / 3.2.5).
Result<void> check_limits(const Limits& l, uint64_t range, const char* range_msg, const char* section) {
  if (l.min > range) return invalid(section, range_msg);
  if (l.has_max) {
    if (l.max > range) return invalid(section, range_msg);
    if (l.min > l.max) return invalid(section, "size minimum must not be greater than maximum");
  }
  return {};
}

Result<void> ModuleValidator::check_table(const TableType& t, const char* section) {
  return check_limits(t.limits, 0xffffffffu, "table size must be at most 2^32-1", section);
}

Result<void> ModuleValidator::check_memory(const MemoryType& t, const char* section) {
  return check_limits(t.limits, kMaxPages32, "memory size must be at most 65536 pages (4GiB)", section);
}

Result<void> ModuleValidator::check_globals() {
  for (const GlobalDef& g : m_.globals) SILK_TRY(check_const(g.init, g.type.type, "global"));
  return {};
}

Result<void> ModuleValidator::check_bodies() {
  FunctionValidator fv(m_);
  for (uint32_t i = m_.num_imported_funcs; i < m_.num_funcs(); ++i) SILK_TRY(fv.validate(i));
  return {};
}

// Element segments (spec 3.4.8): every element has the segment's type, and an
// active segment's table holds that type.
Result<void> ModuleValidator::check_elems() {
  for (const ElemSegment& seg : m_.elems) {
    if (seg.mode == SegmentMode::Active) {
      if (seg.table_index >= m_.tables.size())
        return unknown("elem", "table", seg.table_index, seg.offset.offset);
      if (m_.tables[seg.table_index].elem != seg.elem_type)
        return invalid("elem", "type mismatch", seg.offset.offset);
      SILK_TRY(check_const(seg.offset, ValType::I32, "elem"));
    }
    if (seg.uses_exprs) {
      for (const ConstExpr& e : seg.exprs) SILK_TRY(check_const(e, seg.elem_type, "elem"));
    } else {
      if (seg.elem_type != ValType::FuncRef) return invalid("elem", "type mismatch");
      for (uint32_t f : seg.func_indices)
        if (f >= m_.num_funcs()) return unknown("elem", "function", f);
    }
  }
  return {};
}

// Data segments (spec 3.4.9).
Result<void> ModuleValidator::check_datas() {
  for (const DataSegment& seg : m_.datas) {
    if (seg.mode != SegmentMode::Active) continue;
    if (seg.memory_index >= m_.memories.size())
      return unknown("data", "memory", seg.memory_index, seg.offset.offset);
    SILK_TRY(check_const(seg.offset, ValType::I32, "data"));
  }
  return {};
}

// Exports (spec 3.4.11): indices in range, names unique (spec 3.4.12).
Result<void> ModuleValidator::check_exports() {
  for (const Export& ex : m_.exports) {
    switch (ex.kind) {
      case ExternKind::Func:
        if (ex.index >= m_.num_funcs()) return unknown("export", "function", ex.index);
        break;
      case ExternKind::Table:
        if (ex.index >= m_.tables.size()) return unknown("export", "table", ex.index);
        break;
      case ExternKind::Memory:
        if (ex.index >= m_.memories.size()) return unknown("export", "memory", ex.index);
        break;
      case ExternKind::Global:
        if (ex.index >= m_.global_types.size()) return unknown("export", "global", ex.index);
        break;
    }
  }
  std::vector<std::string_view> names;
  names.reserve(m_.exports.size());
  for (const Export& ex : m_.exports) names.push_back(ex.name);
  std::sort(names.begin(), names.end());
  if (std::adjacent_find(names.begin(), names.end()) != names.end())
    return invalid("export", "duplicate export name");
  return {};
}

// The start function takes and returns nothing (spec 3.4.10).
Result<void> ModuleValidator::check_start() {
  if (!m_.start) return {};
  if (*m_.start >= m_.num_funcs()) return unknown("start", "function", *m_.start);
  const FuncType& t = m_.func_type(*m_.start);
  if (!t.params.empty() || !t.results.empty()) return invalid("start", "start function");
  return {};
}

// ---------------------------------------------------------------- constant expressions

// A constant expression (spec 3.3.10) of type {expected}: constants, ref.null,
// ref.func, global.get of an imported immutable global (the only globals in
// scope, spec 3.4, C'), and the extended-const i32/i64 add, sub and mul.
Result<void> ModuleValidator::check_const(const ConstExpr& e, ValType expected, const char* section) {
  uint64_t begin = e.offset, end = uint64_t(e.offset) + e.size;
  if (end > m_.bytes.size()) begin = end = 0;  // defensive: decoder bug
  CodeReader reader(std::span<const uint8_t>(m_.bytes).subspan(begin, end - begin), begin);
  stack_.clear();
  while (!reader.at_end()) {
    Result<Instr> r = reader.next();
    if (!r.ok()) {
      Error err = r.take_error();
      err.section = section;
      return err;
    }
    const Instr& in = *r;
    if (in.op == Opcode::End) {
      if (!reader.at_end()) break;  // the decoder sizes expressions up to their `end`
      if (stack_.size() != 1 || stack_[0] != expected) return invalid(section, "type mismatch", in.offset);
      return {};
    }
    SILK_TRY(const_instr(in, section));
  }
  Error err = make_error(ErrorKind::Malformed, "END opcode expected");
  err.section = section;
  err.offset = reader.offset();
  return err;
}

Result<void> ModuleValidator::const_instr(const Instr& in, const char* section) {
  switch (in.op) {
    case Opcode::I32Const: stack_.push_back(ValType::I32); return {};
    case Opcode::I64Const: stack_.push_back(ValType::I64); return {};
    case Opcode::F32Const: stack_.push_back(ValType::F32); return {};
    case Opcode::F64Const: stack_.push_back(ValType::F64); return {};
    case Opcode::RefNull: stack_.push_back(in.ref_type); return {};
    case Opcode::RefFunc:
      if (in.index >= m_.num_funcs()) return unknown(section, "function", in.index, in.offset);
      stack_.push_back(ValType::FuncRef);
      return {};
    case Opcode::GlobalGet: {
      if (in.index >= m_.num_imported_globals || in.index >= m_.global_types.size()) return unknown(section, "global", in.index, in.offset);
      const GlobalType& g = m_.global_types[in.index];
      if (g.mutable_) return invalid(section, "constant expression required", in.offset);
      stack_.push_back(g.type);
      return {};
    }
    case Opcode::I32Add: case Opcode::I32Sub: case Opcode::I32Mul:
    case Opcode::I64Add: case Opcode::I64Sub: case Opcode::I64Mul: {
      ValType t = (in.op == Opcode::I32Add || in.op == Opcode::I32Sub || in.op == Opcode::I32Mul)
                      ? ValType::I32 : ValType::I64;
      size_t n = stack_.size();
      if (n < 2 || stack_[n - 1] != t || stack_[n - 2] != t)
        return invalid(section, "type mismatch", in.offset);
      stack_.pop_back();
      return {};
    }
    default:
      return invalid(section, "constant expression required", in.offset);
  }
}

}  // namespace

Result<void> validate_module(const Module& module) { return ModuleValidator(module).run(); }

}  // namespace silk::wasm
