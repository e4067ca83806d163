#include "wasm/function_validator.h"

#include <algorithm>
#include <string>

namespace silk::wasm {

namespace {

// The type of an operand the validator knows nothing about: the bottom of the
// stack in unreachable code (spec appendix: Unknown). No ValType encodes as 0.
constexpr ValType kUnknownType = ValType(0);

// Operand and result types of the fixed-signature operators, parsed at compile
// time from the opcodes.def "sig" strings ("ii>i": two i32 in, one i32 out).
struct OpTypes {
  bool typed = false;      // has a signature
  bool memarg = false;     // load or store
  int8_t align_log2 = -1;  // natural alignment of a load or store
  uint8_t num_params = 0;
  bool has_result = false;
  ValType params[3] = {};
  ValType result = ValType::I32;
};

constexpr ValType sig_letter(char c) {
  switch (c) {
    case 'i': return ValType::I32;
    case 'l': return ValType::I64;
    case 'f': return ValType::F32;
    default: return ValType::F64;
  }
}

constexpr OpTypes parse_sig(const char* sig, bool memarg, int align) {
  OpTypes t;
  t.memarg = memarg;
  t.align_log2 = int8_t(align);
  if (sig[0] == 0) return t;
  t.typed = true;
  size_t i = 0;
  for (; sig[i] != '>'; ++i) t.params[t.num_params++] = sig_letter(sig[i]);
  if (sig[i + 1] != 0) {
    t.has_result = true;
    t.result = sig_letter(sig[i + 1]);
  }
  return t;
}

constexpr OpTypes kOpTypes[] = {
#define WASM_OP(Name, text, prefix, code, Imm, sig) parse_sig(sig, false, -1),
#define WASM_MEM_OP(Name, text, code, sig, align) parse_sig(sig, true, align),
#include "wasm/opcodes.def"
};
static_assert(sizeof(kOpTypes) / sizeof(kOpTypes[0]) == size_t(Opcode::Count));
static_assert(kOpTypes[size_t(Opcode::I64Store32)].align_log2 == 2);

const OpTypes& op_types(Opcode op) { return kOpTypes[size_t(op)]; }

// One-element type lists for block types `t` (spec 3.2.8: [] -> [t]).
constexpr ValType kSingle[] = {ValType::I32,  ValType::I64,     ValType::F32,      ValType::F64,
                               ValType::V128, ValType::FuncRef, ValType::ExternRef};

std::span<const ValType> single(ValType t) {
  for (const ValType& s : kSingle)
    if (s == t) return {&s, 1};
  return {};
}

bool same(std::span<const ValType> a, std::span<const ValType> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace

// ---------------------------------------------------------------- driver

CodeReader FunctionValidator::body_reader(uint32_t func_index) const {
  const FunctionBody& body = m_.bodies[func_index - m_.num_imported_funcs];
  uint32_t begin = body.offset, end = body.end;
  if (begin > end || end > m_.bytes.size()) begin = end = 0;  // defensive: decoder bug
  return CodeReader(std::span<const uint8_t>(m_.bytes).subspan(begin, end - begin), begin);
}

Result<void> FunctionValidator::finish(bool ok, uint32_t func_index) {
  if (ok) return {};
  Error e = std::move(error_);
  e.section = "code";
  e.func_index = func_index;
  return e;
}

Result<void> FunctionValidator::validate(uint32_t func_index) {
  const FunctionBody& body = m_.bodies[func_index - m_.num_imported_funcs];
  const FuncType& type = m_.func_type(func_index);
  locals_.assign(type.params.begin(), type.params.end());
  locals_.insert(locals_.end(), body.locals.begin(), body.locals.end());
  vals_.clear();
  ctrls_.clear();
  func_results_ = type.results;
  // The function's own frame: its label is the function's results (spec 3.4.11).
  push_ctrl(Opcode::Block, {}, func_results_);
  CodeReader reader = body_reader(func_index);
  return finish(run(reader, body.end), func_index);
}

Result<void> FunctionValidator::check_decodes(uint32_t func_index) {
  CodeReader reader = body_reader(func_index);
  uint32_t depth = 1;  // the function's own block
  while (!reader.at_end()) {
    Result<Instr> r = reader.next();
    if (!r.ok()) {
      error_ = r.take_error();
      return finish(false, func_index);
    }
    const Instr& in = *r;
    switch (in.op) {
      case Opcode::Block: case Opcode::Loop: case Opcode::If: ++depth; break;
      case Opcode::End:
        if (--depth == 0 && !reader.at_end())
          return finish(fail_malformed("section size mismatch", reader.offset()), func_index);
        break;
      case Opcode::MemoryInit: case Opcode::DataDrop:
        if (data_count_missing(in.index))
          return finish(fail_malformed("data count section required", in.offset), func_index);
        break;
      default: break;
    }
  }
  if (depth != 0) return finish(fail_malformed("unexpected end", reader.offset()), func_index);
  return {};
}

bool FunctionValidator::run(CodeReader& reader, uint64_t body_end) {
  Instr in;
  while (!reader.at_end()) {
    if (!reader.read(in)) {
      error_ = reader.take_error();  // decoding errors are Malformed, passed on as-is
      return false;
    }
    offset_ = in.offset;
    if (!instr(in)) return false;
    if (ctrls_.empty()) {
      // The final `end` must be the body's last byte (spec 5.5.13: the body is
      // sized; anything after the expression is malformed).
      if (!reader.at_end()) return fail_malformed("section size mismatch", reader.offset());
      return true;
    }
  }
  return fail_malformed("unexpected end", body_end);
}

bool FunctionValidator::instr(const Instr& in) {
  switch (in.op) {
    case Opcode::Unreachable: case Opcode::Nop: case Opcode::Block: case Opcode::Loop:
    case Opcode::If: case Opcode::Else: case Opcode::End:
      return control(in);
    case Opcode::Br: case Opcode::BrIf: case Opcode::BrTable: case Opcode::Return:
      return branch(in);
    case Opcode::Call: case Opcode::CallIndirect: case Opcode::ReturnCall:
    case Opcode::ReturnCallIndirect:
      return call(in);
    case Opcode::Drop: case Opcode::Select: case Opcode::SelectT:
    case Opcode::LocalGet: case Opcode::LocalSet: case Opcode::LocalTee:
    case Opcode::GlobalGet: case Opcode::GlobalSet:
      return variable(in);
    case Opcode::RefNull: case Opcode::RefIsNull: case Opcode::RefFunc:
      return reference(in);
    case Opcode::TableGet: case Opcode::TableSet: case Opcode::TableInit: case Opcode::ElemDrop:
    case Opcode::TableCopy: case Opcode::TableGrow: case Opcode::TableSize: case Opcode::TableFill:
      return table(in);
    case Opcode::MemorySize: case Opcode::MemoryGrow: case Opcode::MemoryInit:
    case Opcode::DataDrop: case Opcode::MemoryCopy: case Opcode::MemoryFill:
      return memory(in);
    case Opcode::I32Const: push(ValType::I32); return true;
    case Opcode::I64Const: push(ValType::I64); return true;
    case Opcode::F32Const: push(ValType::F32); return true;
    case Opcode::F64Const: push(ValType::F64); return true;
    default:
      return numeric(in);  // loads, stores and the fixed-signature operators
  }
}

// ---------------------------------------------------------------- control

bool FunctionValidator::block_type(const BlockType& bt, Types* params, Types* results) {
  switch (bt.kind) {
    case BlockType::Kind::Empty:
      *params = {};
      *results = {};
      return true;
    case BlockType::Kind::Value:
      *params = {};
      *results = single(bt.value);
      return true;
    case BlockType::Kind::TypeIndex:
      if (bt.type_index >= m_.types.size()) return fail("unknown type", bt.type_index);
      *params = m_.types[bt.type_index].params;
      *results = m_.types[bt.type_index].results;
      return true;
  }
  return fail("unknown type");
}

bool FunctionValidator::control(const Instr& in) {
  Types params, results;
  switch (in.op) {
    case Opcode::Unreachable:
      set_unreachable();
      return true;
    case Opcode::Nop:
      return true;
    case Opcode::Block:
    case Opcode::Loop:
      if (!block_type(in.block, &params, &results) || !pop(params)) return false;
      push_ctrl(in.op, params, results);
      return true;
    case Opcode::If:
      if (!block_type(in.block, &params, &results) || !pop(ValType::I32) || !pop(params)) return false;
      push_ctrl(in.op, params, results);
      return true;
    case Opcode::Else: {
      // `else` belongs to the `if` grammar (spec 5.4.1); elsewhere the binary
      // is not an instruction sequence at all.
      if (ctrls_.back().op != Opcode::If) return fail_malformed("END opcode expected", in.offset);
      Frame f;
      if (!pop_ctrl(&f)) return false;
      push_ctrl(Opcode::Else, f.params, f.results);
      return true;
    }
    case Opcode::End: {
      Frame f;
      if (!pop_ctrl(&f)) return false;
      // An `if` without `else` has an implicit empty else branch, which passes
      // its params through: they must equal its results (spec 3.3.8.7).
      if (f.op == Opcode::If && !same(f.params, f.results)) return fail("type mismatch");
      push(f.results);
      return true;
    }
    default:
      return fail("type mismatch");
  }
}

bool FunctionValidator::branch(const Instr& in) {
  switch (in.op) {
    case Opcode::Br:
      if (in.index >= ctrls_.size()) return fail("unknown label", in.index);
      if (!pop(ctrls_[ctrls_.size() - 1 - in.index].labels())) return false;
      set_unreachable();
      return true;
    case Opcode::BrIf: {
      if (in.index >= ctrls_.size()) return fail("unknown label", in.index);
      Types labels = ctrls_[ctrls_.size() - 1 - in.index].labels();
      if (!pop(ValType::I32) || !pop(labels)) return false;
      push(labels);
      return true;
    }
    case Opcode::BrTable: {
      // Spec appendix: every target must have the default's arity, and the
      // operands must match each target's label types in turn.
      if (!pop(ValType::I32)) return false;
      if (in.index >= ctrls_.size()) return fail("unknown label", in.index);
      Types def = ctrls_[ctrls_.size() - 1 - in.index].labels();
      for (uint32_t n : in.br_targets) {
        if (n >= ctrls_.size()) return fail("unknown label", n);
        Types labels = ctrls_[ctrls_.size() - 1 - n].labels();
        if (labels.size() != def.size()) return fail("type mismatch");
        if (!check_top(labels)) return false;
      }
      if (!pop(def)) return false;
      set_unreachable();
      return true;
    }
    case Opcode::Return:
      if (!pop(func_results_)) return false;
      set_unreachable();
      return true;
    default:
      return fail("type mismatch");
  }
}

bool FunctionValidator::call(const Instr& in) {
  const FuncType* callee;
  bool tail = in.op == Opcode::ReturnCall || in.op == Opcode::ReturnCallIndirect;
  if (in.op == Opcode::Call || in.op == Opcode::ReturnCall) {
    if (in.index >= m_.num_funcs()) return fail("unknown function", in.index);
    callee = &m_.func_type(in.index);
  } else {
    // call_indirect typeidx tableidx (spec 3.3.8.10): the table must hold functions.
    if (!check_table(in.index2)) return false;
    if (m_.tables[in.index2].elem != ValType::FuncRef) return fail("type mismatch");
    if (in.index >= m_.types.size()) return fail("unknown type", in.index);
    callee = &m_.types[in.index];
    if (!pop(ValType::I32)) return false;
  }
  if (!pop(Types(callee->params))) return false;
  if (!tail) {
    push(Types(callee->results));
    return true;
  }
  // return_call (tail-call proposal): the callee's results become ours.
  if (!same(callee->results, func_results_)) return fail("type mismatch");
  set_unreachable();
  return true;
}

// ---------------------------------------------------------------- variables

bool FunctionValidator::variable(const Instr& in) {
  ValType t1, t2;
  switch (in.op) {
    case Opcode::Drop:
      return pop(&t1);
    case Opcode::Select:
      // Untyped select is for numeric and vector operands only (spec 3.3.4.2).
      if (!pop(ValType::I32) || !pop(&t1) || !pop(&t2)) return false;
      if (is_ref(t1) || is_ref(t2)) return fail("type mismatch");
      if (t1 != t2 && t1 != kUnknownType && t2 != kUnknownType) return fail("type mismatch");
      push(t1 == kUnknownType ? t2 : t1);
      return true;
    case Opcode::SelectT:
      if (in.select_count != 1) return fail("invalid result arity");
      if (!pop(ValType::I32) || !pop(in.ref_type) || !pop(in.ref_type)) return false;
      push(in.ref_type);
      return true;
    case Opcode::LocalGet:
    case Opcode::LocalSet:
    case Opcode::LocalTee: {
      if (in.index >= locals_.size()) return fail("unknown local", in.index);
      ValType t = locals_[in.index];
      if (in.op != Opcode::LocalGet && !pop(t)) return false;
      if (in.op != Opcode::LocalSet) push(t);
      return true;
    }
    case Opcode::GlobalGet:
    case Opcode::GlobalSet: {
      if (in.index >= m_.global_types.size()) return fail("unknown global", in.index);
      const GlobalType& g = m_.global_types[in.index];
      if (in.op == Opcode::GlobalGet) {
        push(g.type);
        return true;
      }
      if (!g.mutable_) return fail("global is immutable");
      return pop(g.type);
    }
    default:
      return fail("type mismatch");
  }
}

bool FunctionValidator::reference(const Instr& in) {
  ValType t;
  switch (in.op) {
    case Opcode::RefNull:
      push(in.ref_type);
      return true;
    case Opcode::RefIsNull:
      if (!pop(&t)) return false;
      if (t != kUnknownType && !is_ref(t)) return fail("type mismatch");
      push(ValType::I32);
      return true;
    case Opcode::RefFunc:
      if (in.index >= m_.num_funcs()) return fail("unknown function", in.index);
      // Only functions declared outside function bodies may be referenced
      // (spec 3.3.3.3, C.refs), so the set is known before translation.
      if (in.index >= m_.declared_func_refs.size() || !m_.declared_func_refs[in.index])
        return fail("undeclared function reference");
      push(ValType::FuncRef);
      return true;
    default:
      return fail("type mismatch");
  }
}

// ---------------------------------------------------------------- tables

bool FunctionValidator::check_table(uint32_t index) {
  return index < m_.tables.size() || fail("unknown table", index);
}

bool FunctionValidator::table(const Instr& in) {
  switch (in.op) {
    case Opcode::TableGet:
      if (!check_table(in.index) || !pop(ValType::I32)) return false;
      push(m_.tables[in.index].elem);
      return true;
    case Opcode::TableSet:
      return check_table(in.index) && pop(m_.tables[in.index].elem) && pop(ValType::I32);
    case Opcode::TableSize:
      if (!check_table(in.index)) return false;
      push(ValType::I32);
      return true;
    case Opcode::TableGrow:
      if (!check_table(in.index) || !pop(ValType::I32) || !pop(m_.tables[in.index].elem)) return false;
      push(ValType::I32);
      return true;
    case Opcode::TableFill:
      return check_table(in.index) && pop(ValType::I32) && pop(m_.tables[in.index].elem) &&
             pop(ValType::I32);
    case Opcode::TableCopy:  // table.copy dst src
      if (!check_table(in.index) || !check_table(in.index2)) return false;
      if (m_.tables[in.index].elem != m_.tables[in.index2].elem) return fail("type mismatch");
      return pop(ValType::I32) && pop(ValType::I32) && pop(ValType::I32);
    case Opcode::TableInit:  // table.init elem table
      if (!check_table(in.index2)) return false;
      if (in.index >= m_.elems.size()) return fail("unknown elem segment", in.index);
      if (m_.elems[in.index].elem_type != m_.tables[in.index2].elem) return fail("type mismatch");
      return pop(ValType::I32) && pop(ValType::I32) && pop(ValType::I32);
    case Opcode::ElemDrop:
      return in.index < m_.elems.size() || fail("unknown elem segment", in.index);
    default:
      return fail("type mismatch");
  }
}

// ---------------------------------------------------------------- memory

bool FunctionValidator::check_memory(uint32_t index) {
  return index < m_.memories.size() || fail("unknown memory", index);
}

// memory.init and data.drop need the data count section (spec 5.5.16). The
// binary is malformed without it; but text-format tools omit the section when
// there are no data segments, and the spec tests expect "unknown data segment"
// then, so an index that is out of range anyway is reported as invalid.
bool FunctionValidator::data_count_missing(uint32_t index) const {
  return !m_.data_count && index < m_.datas.size();
}

bool FunctionValidator::check_data(uint32_t index) {
  uint32_t count = m_.data_count ? *m_.data_count : uint32_t(m_.datas.size());
  if (index >= count) return fail("unknown data segment", index);
  if (data_count_missing(index)) return fail_malformed("data count section required", offset_);
  return true;
}

bool FunctionValidator::memory(const Instr& in) {
  switch (in.op) {
    case Opcode::MemorySize:
      if (!check_memory(0)) return false;
      push(ValType::I32);
      return true;
    case Opcode::MemoryGrow:
      if (!check_memory(0) || !pop(ValType::I32)) return false;
      push(ValType::I32);
      return true;
    case Opcode::MemoryFill:
    case Opcode::MemoryCopy:
      return check_memory(0) && pop(ValType::I32) && pop(ValType::I32) && pop(ValType::I32);
    case Opcode::MemoryInit:
      return check_memory(0) && check_data(in.index) && pop(ValType::I32) && pop(ValType::I32) &&
             pop(ValType::I32);
    case Opcode::DataDrop:
      return check_data(in.index);
    default:
      return fail("type mismatch");
  }
}

// Loads, stores and every operator typed by its opcodes.def signature.
bool FunctionValidator::numeric(const Instr& in) {
  const OpTypes& ot = op_types(in.op);
  if (ot.memarg) {
    if (!check_memory(in.index)) return false;
    // The alignment hint may not exceed the access width (spec 3.3.7).
    if (in.align_log2 > uint32_t(ot.align_log2)) return fail("alignment must not be larger than natural");
  }
  if (!ot.typed) return fail("type mismatch");  // unreachable with a complete opcode table
  for (int i = ot.num_params - 1; i >= 0; --i)
    if (!pop(ot.params[i])) return false;
  if (ot.has_result) push(ot.result);
  return true;
}

// ---------------------------------------------------------------- stacks

bool FunctionValidator::pop(ValType* out) {
  const Frame& f = ctrls_.back();
  if (vals_.size() == f.height) {
    if (!f.unreachable) return fail("type mismatch");
    *out = kUnknownType;  // the stack is polymorphic below an unreachable point
    return true;
  }
  *out = vals_.back();
  vals_.pop_back();
  return true;
}

bool FunctionValidator::pop(ValType expect) {
  const Frame& f = ctrls_.back();
  if (vals_.size() == f.height) return f.unreachable || fail("type mismatch");
  ValType actual = vals_.back();
  vals_.pop_back();
  return actual == expect || actual == kUnknownType || fail("type mismatch");
}

bool FunctionValidator::pop(Types expect) {
  for (size_t i = expect.size(); i-- > 0;)
    if (!pop(expect[i])) return false;
  return true;
}

// pop_vals followed by push_vals of what was popped (br_table): the stack only
// changes by Unknown padding, which is indistinguishable from the polymorphic
// base, so checking in place is equivalent.
bool FunctionValidator::check_top(Types expect) {
  const Frame& f = ctrls_.back();
  size_t avail = vals_.size() - f.height;
  for (size_t k = 0; k < expect.size(); ++k) {
    ValType want = expect[expect.size() - 1 - k];
    if (k >= avail) {
      if (!f.unreachable) return fail("type mismatch");
      continue;
    }
    ValType actual = vals_[vals_.size() - 1 - k];
    if (actual != want && actual != kUnknownType) return fail("type mismatch");
  }
  return true;
}

void FunctionValidator::push_ctrl(Opcode op, Types params, Types results) {
  ctrls_.push_back(Frame{op, false, uint32_t(vals_.size()), params, results});
  push(params);
}

bool FunctionValidator::pop_ctrl(Frame* out) {
  const Frame& f = ctrls_.back();
  if (!pop(f.results)) return false;
  if (vals_.size() != f.height) return fail("type mismatch");
  *out = f;
  ctrls_.pop_back();
  return true;
}

void FunctionValidator::set_unreachable() {
  Frame& f = ctrls_.back();
  vals_.resize(f.height);
  f.unreachable = true;
}

// ---------------------------------------------------------------- errors

bool FunctionValidator::fail(const char* message) {
  error_ = make_error(ErrorKind::Invalid, message);
  error_.offset = offset_;
  return false;
}

// Index-space errors name the index, as the reference interpreter does
// ("unknown global 3"); the spec runner compares message prefixes.
bool FunctionValidator::fail(const char* message, uint32_t index) {
  error_ = make_error(ErrorKind::Invalid, std::string(message) + " " + std::to_string(index));
  error_.offset = offset_;
  return false;
}

bool FunctionValidator::fail_malformed(const char* message, uint64_t offset) {
  error_ = make_error(ErrorKind::Malformed, message);
  error_.offset = offset;
  return false;
}

}  // namespace silk::wasm
