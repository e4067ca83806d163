// Tier 0 translation: a validated function body into the code stream that
// the handlers execute (see code.h, handlers.h). One pass, lazily on first
// call, cached per module.
//
// The translator keeps a compile-time operand stack whose entries say where
// each value lives: in its own frame slot ("home", fixed by its stack
// height), in a local (local.get is not copied, its consumer reads the local
// directly), or as a constant not yet written anywhere. Values are written to
// their home slots ("materialized") before anything that merges control flow
// or passes values in place: block boundaries, branches, calls, and before a
// local they refer to is overwritten. A local.set right after the
// instruction that produced its value retargets that instruction's
// destination to the local (no copy). Constants that an instruction needs in
// a slot live in a constant area of the frame that op_enter fills (found by
// a pre-pass over the body), so loops do not re-materialize them. A compare followed by br_if (or if) becomes one
// compare-and-branch instruction; back edges poll the interrupt flag.
#include <algorithm>
#include <atomic>
#include <climits>
#include <mutex>

#include "wasm/code_reader.h"
#include "wasm/interpreter/handlers.h"
#include "wasm/runtime/objects.h"

namespace silk::wasm {

struct TranslatedFunction {
  std::vector<interp::Word> code;
  uint32_t frame_slots = 0;
};

// Translations of one module, shared by every instance and thread. A hit is
// one acquire load; a miss translates under the mutex (once per function and
// bounds-check mode), then publishes with a release store.
struct TranslationCache {
  explicit TranslationCache(size_t num_bodies) : num_bodies(num_bodies) {
    for (auto& slots : by_mode) slots = std::make_unique<std::atomic<const TranslatedFunction*>[]>(num_bodies);
  }
  size_t num_bodies;
  std::unique_ptr<std::atomic<const TranslatedFunction*>[]> by_mode[2];  // BoundsChecks::Guard, ::Explicit
  std::mutex mutex;
  std::vector<std::unique_ptr<TranslatedFunction>> owned;  // guarded by {mutex}
};

namespace {

using interp::Handler;
using interp::Word;

constexpr size_t kNone = SIZE_MAX;
constexpr uint32_t kMaxConstSlots = 256;

// An operand location as emitted: a byte offset in the frame.
using Slot = uint32_t;

class Translator {
 public:
  Translator(const Module& m, uint32_t func_index, BoundsChecks mode)
      : m_(m), func_index_(func_index), mode_(mode), type_(m.func_type(func_index)),
        body_(m.bodies[func_index - m.num_imported_funcs]) {
    num_params_ = uint32_t(type_.params.size());
    num_locals_ = num_params_ + uint32_t(body_.locals.size());
  }

  Result<std::unique_ptr<TranslatedFunction>> run();

 private:
  struct Operand {
    enum class Kind : uint8_t { Stack, Local, Const } kind = Kind::Stack;
    uint32_t local = 0;
    uint64_t value = 0;
  };
  struct Label {
    enum class Kind : uint8_t { Block, Loop, If, Function } kind = Kind::Block;
    uint32_t height = 0;  // operand height below the label's params
    uint32_t num_params = 0, num_results = 0;
    size_t loop_target = kNone;
    std::vector<size_t> fixups;  // words to point at the label's end
    size_t else_fixup = kNone;
    uint32_t branch_arity() const { return kind == Kind::Loop ? num_params : num_results; }
  };
  // The last instruction that wrote a single result to its home slot.
  struct Producer {
    size_t end = kNone;       // code size right after it
    size_t start = 0;         // its first word
    size_t dst_word = 0;
    bool dst_in_b = false;
    uint32_t height = 0;      // stack height of its result
    // Set when it is an integer compare or eqz that a branch can absorb.
    Opcode compare = Opcode::Count;
    Slot lhs, rhs;
    bool rhs_is_imm = false;
    uint64_t imm = 0;
    // Its operand form (for compares absorbed into branches).
    interp::Operands operands = interp::Operands::SS;
    // Its form that leaves the result in the accumulator; null if none.
    Handler to_acc = nullptr;
    // Its form that writes both its dst slot and the accumulator; null if none.
    Handler to_both = nullptr;
    // Set when local.tee retargeted its dst to a local: the stack top is
    // then that local, and to_acc means "write both".
    bool teed = false;
  };


  Result<void> translate(const Instr& in);
  Result<void> translate_dead(const Instr& in, bool* handled);

  // Code emission.
  size_t emit(Handler h) { code_.push_back(Word{.handler = h}); return code_.size() - 1; }
  size_t emit_pair(Slot a, Slot b) {
    Word w{};
    w.s.a = a;
    w.s.b = b;
    code_.push_back(w);
    return code_.size() - 1;
  }
  void emit_u64(uint64_t v) { Word w{}; w.u64 = v; code_.push_back(w); }
  void emit_target_index(size_t index) {
    target_words_.push_back(code_.size());
    emit_u64(index);
  }
  void truncate_code(size_t size);
  // A frame-slot copy; up to four back-to-back copies share one dispatch.
  void emit_copy(Slot src, Slot dst) {
    // Only a run that ends exactly here (nothing emitted since) can grow.
    if (last_copy_ != kNone && copy_run_end_ == code_.size()) {
      static constexpr Handler kGrown[] = {nullptr, &interp::op_copy2, &interp::op_copy3, &interp::op_copy4};
      size_t pairs = code_.size() - last_copy_ - 1;
      if (pairs >= 1 && pairs <= 3) {
        code_[last_copy_].handler = kGrown[pairs];
        emit_pair(src, dst);
        copy_run_end_ = code_.size();
        if (pairs == 3) last_copy_ = kNone;
        return;
      }
    }
    last_copy_ = emit(&interp::op_copy);
    emit_pair(src, dst);
    copy_run_end_ = code_.size();
  }
  void emit_label_target(Label& l) {
    if (l.kind == Label::Kind::Loop) {
      emit_target_index(l.loop_target);
    } else {
      l.fixups.push_back(code_.size());
      emit_target_index(0);
    }
  }
  void patch_to_here(size_t word) {
    code_[word].u64 = code_.size();
    last_copy_ = kNone;  // a branch lands here
  }

  // Operand stack.
  uint32_t height() const { return uint32_t(stack_.size()); }
  uint32_t home(uint32_t h) const { return (stack_base_ + h) * 8; }
  static uint32_t local_slot(uint32_t i) { return i * 8; }
  uint32_t push_result() {
    stack_.push_back(Operand{});
    max_height_ = std::max(max_height_, height());
    return home(height() - 1);
  }
  void push_operand(Operand o) {
    stack_.push_back(o);
    max_height_ = std::max(max_height_, height());
  }
  Slot pop_slot();
  // The constant area's slot holding {value}, or -1 when it has none.
  int64_t const_slot(uint64_t value) const;
  Result<void> collect_constants();
  void materialize(uint32_t h);
  void materialize_all();
  void materialize_local(uint32_t local);
  void set_height(uint32_t h) { stack_.assign(h, Operand{}); }
  void note_producer(size_t start, size_t dst_word, bool in_b) {
    producer_ = Producer{};
    producer_.end = code_.size();
    producer_.start = start;
    producer_.dst_word = dst_word;
    producer_.dst_in_b = in_b;
    producer_.height = height() - 1;
  }
  // True when the value at stack height {h} was computed by the last
  // instruction emitted, which can leave it in the accumulator instead.
  bool producer_acc_at(uint32_t h) const {
    return producer_.end == code_.size() && producer_.to_acc != nullptr && h < height() &&
           producer_.height == h &&
           (producer_.teed ? stack_[h].kind == Operand::Kind::Local : stack_[h].kind == Operand::Kind::Stack);
  }
  // Switches the last instruction to its accumulator form: its result is
  // about to be consumed by the instruction emitted next.
  void take_producer_into_acc() {
    code_[producer_.start].handler = producer_.to_acc;
    producer_.to_acc = nullptr;
  }
  bool top_is_fusable_compare() const { return producer_is_top() && producer_.compare != Opcode::Count; }
  // Pops the compare the last instruction produced and takes its code back.
  Producer take_compare() {
    Producer p = producer_;
    truncate_code(p.start);
    stack_.pop_back();
    producer_.end = kNone;
    return p;
  }
  // Emits a branch taken when {p}'s compare is true (false when {negate});
  // returns the index of its target word.
  size_t emit_compare_branch(const Producer& p, bool negate, bool back_edge);
  bool producer_is_top() const {
    return producer_.end == code_.size() && !stack_.empty() && producer_.height == height() - 1 &&
           stack_.back().kind == Operand::Kind::Stack;
  }
  bool stack_refers_to_local(uint32_t local, size_t below) const {
    for (size_t i = 0; i < below; ++i)
      if (stack_[i].kind == Operand::Kind::Local && stack_[i].local == local) return true;
    return false;
  }

  // Control.
  std::pair<uint32_t, uint32_t> block_arity(const BlockType& bt) const;
  void begin_block(Label::Kind kind, const BlockType& bt);
  Label& label_at(uint32_t depth) { return labels_[labels_.size() - 1 - depth]; }
  void emit_branch_copies(const Label& l);
  void emit_return();
  bool branch_needs_stub(const Label& l) const;
  void emit_branch(Label& l);
  void end_block();
  void translate_else();
  void translate_br_if(uint32_t depth);
  void translate_br_table(const Instr& in);

  // Instructions with operands.
  void translate_numeric(const Instr& in);
  void emit_compare_value(const Producer& cmp);
  void translate_call(uint32_t type_index, bool indirect, bool tail, uint32_t func_or_table, const Instr& in);
  void translate_local_set(uint32_t local, bool tee);

  const Module& m_;
  uint32_t func_index_;
  BoundsChecks mode_;
  const FuncType& type_;
  const FunctionBody& body_;
  uint32_t num_params_ = 0, num_locals_ = 0;

  std::vector<Operand> stack_;
  std::vector<Label> labels_;
  std::vector<Word> code_;
  std::vector<size_t> target_words_;
  std::vector<uint64_t> consts_;  // the frame's constant area
  uint32_t stack_base_ = 0;        // first operand-stack slot
  uint32_t max_height_ = 0;
  bool dead_ = false;
  bool table_branch_ = false;  // translating br_table
  size_t last_copy_ = kNone;   // the first word of the copy run being grown
  size_t copy_run_end_ = kNone;  // the code size right after that run
  uint32_t dead_depth_ = 0;
  Producer producer_;
};

int64_t Translator::const_slot(uint64_t value) const {
  for (size_t i = 0; i < consts_.size(); ++i)
    if (consts_[i] == value) return int64_t(num_locals_ + i) * 8;
  return -1;
}

// Finds the constants that will be needed in a slot: those not consumed as an
// immediate (binary op with an imm form) or stored straight into a local.
Result<void> Translator::collect_constants() {
  CodeReader reader(std::span<const uint8_t>(m_.bytes.data() + body_.offset, body_.end - body_.offset), body_.offset);
  bool pending = false;
  uint64_t pending_value = 0;
  Instr in_storage;
  const Instr* in = &in_storage;
  while (!reader.at_end()) {
    if (!reader.read(in_storage)) return reader.take_error();
    if (pending) {
      bool absorbed = in->op == Opcode::LocalSet || in->op == Opcode::LocalTee ||
                      interp::numeric_imm_handler(in->op) != nullptr;
      if (!absorbed && consts_.size() < kMaxConstSlots &&
          std::find(consts_.begin(), consts_.end(), pending_value) == consts_.end())
        consts_.push_back(pending_value);
      pending = false;
    }
    switch (in->op) {
      case Opcode::I32Const: pending = true; pending_value = in->bits & 0xffffffffu; break;
      case Opcode::I64Const:
      case Opcode::F32Const:
      case Opcode::F64Const: pending = true; pending_value = in->bits; break;
      default: break;
    }
  }
  return {};
}

Slot Translator::pop_slot() {
  Operand o = stack_.back();
  stack_.pop_back();
  uint32_t h = height();
  switch (o.kind) {
    case Operand::Kind::Stack: return home(h);
    case Operand::Kind::Local: return local_slot(o.local);
    case Operand::Kind::Const: {
      int64_t s = const_slot(o.value);
      if (s >= 0) return Slot(s);
      emit(&interp::op_const);  // not in the constant area
      emit_pair(home(h), 0);
      emit_u64(o.value);
      return home(h);
    }
  }
  return home(h);
}

void Translator::truncate_code(size_t size) {
  code_.resize(size);
  while (!target_words_.empty() && target_words_.back() >= size) target_words_.pop_back();
}

size_t Translator::emit_compare_branch(const Producer& p, bool negate, bool back_edge) {
  if (p.compare == Opcode::I32Eqz) {
    // eqz x is true exactly when x is zero.
    if (negate) emit(back_edge ? &interp::op_br_if_back : &interp::op_br_if);
    else emit(back_edge ? &interp::op_br_unless_back : &interp::op_br_unless);
    emit_pair(p.lhs, 0);
  } else {
    Opcode op = negate ? interp::negated_compare(p.compare) : p.compare;
    emit(interp::compare_branch_handler(op, p.operands, back_edge));
    if (p.rhs_is_imm) {
      emit_pair(p.lhs, 0);
      emit_u64(p.imm);
    } else {
      emit_pair(p.lhs, p.rhs);
    }
  }
  size_t at = code_.size();
  emit_target_index(0);
  return at;
}

void Translator::materialize(uint32_t h) {
  Operand& o = stack_[h];
  if (o.kind == Operand::Kind::Local) {
    emit_copy(local_slot(o.local), home(h));
  } else if (o.kind == Operand::Kind::Const) {
    emit(&interp::op_const);
    emit_pair(home(h), 0);
    emit_u64(o.value);
  }
  o = Operand{};
}

void Translator::materialize_all() {
  for (uint32_t h = 0; h < height(); ++h) materialize(h);
}

void Translator::materialize_local(uint32_t local) {
  for (uint32_t h = 0; h < height(); ++h)
    if (stack_[h].kind == Operand::Kind::Local && stack_[h].local == local) materialize(h);
}

std::pair<uint32_t, uint32_t> Translator::block_arity(const BlockType& bt) const {
  switch (bt.kind) {
    case BlockType::Kind::Empty: return {0, 0};
    case BlockType::Kind::Value: return {0, 1};
    case BlockType::Kind::TypeIndex: {
      const FuncType& t = m_.types[bt.type_index];
      return {uint32_t(t.params.size()), uint32_t(t.results.size())};
    }
  }
  return {0, 0};
}

void Translator::begin_block(Label::Kind kind, const BlockType& bt) {
  auto [np, nr] = block_arity(bt);
  Label l;
  l.kind = kind;
  l.height = height() - np;
  l.num_params = np;
  l.num_results = nr;
  labels_.push_back(std::move(l));
}

// Moves the branch's values (the top of the stack, materialized) to where
// the label expects them. Ascending order is safe: destinations are never
// above their sources.
void Translator::emit_branch_copies(const Label& l) {
  uint32_t arity = l.branch_arity();
  for (uint32_t k = 0; k < arity; ++k) {
    uint32_t src = home(height() - arity + k), dst = home(l.height + k);
    if (src == dst) continue;
    emit_copy(src, dst);
  }
}

void Translator::emit_return() {
  uint32_t n = uint32_t(type_.results.size());
  if (n == 1 && producer_is_top()) {
    // The instruction that computed the result writes it to fp[0] directly:
    // nothing after it reads the frame.
    Word& w = code_[producer_.dst_word];
    (producer_.dst_in_b ? w.s.b : w.s.a) = local_slot(0);
    producer_.end = kNone;
    emit(&interp::op_return);
    return;
  }
  materialize_all();
  for (uint32_t k = 0; k < n; ++k) {
    uint32_t src = home(height() - n + k), dst = local_slot(k);
    if (src == dst) continue;
    emit_copy(src, dst);
  }
  emit(&interp::op_return);
}

bool Translator::branch_needs_stub(const Label& l) const {
  if (l.kind == Label::Kind::Function) return true;
  if (l.kind == Label::Kind::Loop && table_branch_) return true;  // the stub polls
  uint32_t arity = l.branch_arity();
  return arity > 0 && height() - arity != l.height;
}

// An unconditional branch; the stack must be materialized.
void Translator::emit_branch(Label& l) {
  if (l.kind == Label::Kind::Function) {
    emit_return();
    return;
  }
  emit_branch_copies(l);
  emit(l.kind == Label::Kind::Loop ? &interp::op_br_back : &interp::op_br);
  emit_label_target(l);
}

void Translator::translate_br_if(uint32_t depth) {
  Label& l = label_at(depth);
  bool back = l.kind == Label::Kind::Loop;
  if (top_is_fusable_compare()) {
    Producer cmp = take_compare();
    if (!branch_needs_stub(l)) {
      materialize_all();
      size_t target = emit_compare_branch(cmp, false, back);
      if (back) code_[target].u64 = l.loop_target;
      else l.fixups.push_back(target);
      return;
    }
    // The branch needs a stub: put the compare back as it was.
    emit_compare_value(cmp);
  }
  bool cond_acc = producer_acc_at(height() - 1);
  Slot cond = pop_slot();
  bool needs_stub = branch_needs_stub(l);
  if (cond_acc && !needs_stub) {
    // Copies do not touch the accumulator, so materializing in between is fine.
    take_producer_into_acc();
    materialize_all();
    emit(back ? &interp::op_br_if_acc_back : &interp::op_br_if_acc);
    emit_pair(0, 0);
    emit_label_target(l);
    return;
  }
  materialize_all();
  if (!needs_stub) {
    emit(back ? &interp::op_br_if_back : &interp::op_br_if);
    emit_pair(cond, 0);
    emit_label_target(l);
    return;
  }
  emit(&interp::op_br_unless);
  emit_pair(cond, 0);
  size_t skip = code_.size();
  emit_target_index(0);
  emit_branch(l);
  patch_to_here(skip);
}

void Translator::translate_br_table(const Instr& in) {
  Slot index = pop_slot();
  materialize_all();
  uint32_t count = uint32_t(in.br_targets.size());
  table_branch_ = true;
  emit(&interp::op_br_table);
  emit_pair(index, count);
  size_t table = code_.size();
  std::vector<uint32_t> depths(in.br_targets.begin(), in.br_targets.end());
  depths.push_back(in.index);
  for (uint32_t d : depths) {
    Label& l = label_at(d);
    if (branch_needs_stub(l)) emit_target_index(0);  // patched to the stub below
    else emit_label_target(l);
  }
  for (size_t k = 0; k < depths.size(); ++k) {
    Label& l = label_at(depths[k]);
    if (!branch_needs_stub(l)) continue;
    patch_to_here(table + k);
    emit_branch(l);
  }
  table_branch_ = false;
}

void Translator::translate_else() {
  Label& l = labels_.back();
  if (!dead_) {
    materialize_all();
    emit(&interp::op_br);
    l.fixups.push_back(code_.size());
    emit_target_index(0);
  }
  patch_to_here(l.else_fixup);
  l.else_fixup = kNone;
  set_height(l.height + l.num_params);
  dead_ = false;
}

void Translator::end_block() {
  Label l = std::move(labels_.back());
  labels_.pop_back();
  if (l.kind == Label::Kind::Function) {
    if (!dead_) emit_return();
    return;
  }
  if (!dead_) materialize_all();
  for (size_t f : l.fixups) patch_to_here(f);
  if (l.else_fixup != kNone) patch_to_here(l.else_fixup);
  set_height(l.height + l.num_results);
  dead_ = false;
}

void Translator::translate_numeric(const Instr& in) {
  const char* sig = op_info(in.op).sig;
  bool binary = sig[1] != '>';
  bool is_compare = in.op == Opcode::I32Eqz || interp::negated_compare(in.op) != Opcode::Count;
  if (!binary) {
    bool acc_op = interp::unary_variant_handler(in.op, false, interp::Dst::Slot) != nullptr;
    bool src_acc = acc_op && producer_acc_at(height() - 1);
    if (src_acc) take_producer_into_acc();
    Slot src = pop_slot();
    size_t start = emit(acc_op ? interp::unary_variant_handler(in.op, src_acc, interp::Dst::Slot) : interp::numeric_handler(in.op));
    size_t w = emit_pair(src_acc ? 0 : src, push_result());
    note_producer(start, w, true);
    if (acc_op) {
      producer_.to_acc = interp::unary_variant_handler(in.op, src_acc, interp::Dst::Acc);
      producer_.to_both = interp::unary_variant_handler(in.op, src_acc, interp::Dst::Both);
    }
    if (in.op == Opcode::I32Eqz && !src_acc) {
      producer_.compare = in.op;
      producer_.lhs = src;
    }
    return;
  }
  using interp::Operands;
  bool acc_op = interp::binary_variant_handler(in.op, Operands::SS, interp::Dst::Slot) != nullptr;
  bool rhs_imm = interp::numeric_imm_handler(in.op) && stack_.back().kind == Operand::Kind::Const;
  // The accumulator can carry an operand that the previous instruction just
  // computed (and nothing else reads): the rhs when it is the stack top, or
  // the lhs when the rhs above it needed no code (a local or a constant).
  uint32_t h = height();
  bool rhs_acc = acc_op && !rhs_imm && producer_acc_at(h - 1);
  bool lhs_acc = acc_op && !rhs_acc && stack_.back().kind != Operand::Kind::Stack && producer_acc_at(h - 2);
  Operands operands = rhs_imm ? (lhs_acc ? Operands::AI : Operands::SI)
                              : (rhs_acc ? Operands::SA : lhs_acc ? Operands::AS : Operands::SS);
  if (rhs_acc || lhs_acc) take_producer_into_acc();

  Slot lhs = 0, rhs = 0;
  uint64_t value = 0;
  if (rhs_imm) {
    value = stack_.back().value;
    stack_.pop_back();
  } else {
    rhs = pop_slot();
  }
  lhs = pop_slot();
  if (rhs_acc) rhs = 0;
  if (lhs_acc) lhs = 0;
  Handler handler = acc_op ? interp::binary_variant_handler(in.op, operands, interp::Dst::Slot)
                   : rhs_imm ? interp::numeric_imm_handler(in.op)
                             : interp::numeric_handler(in.op);
  size_t start = emit(handler);
  size_t w;
  bool dst_in_b;
  if (rhs_imm) {
    w = emit_pair(lhs, push_result());
    emit_u64(value);
    dst_in_b = true;
  } else {
    emit_pair(lhs, rhs);
    w = emit_pair(push_result(), 0);
    dst_in_b = false;
  }
  note_producer(start, w, dst_in_b);
  producer_.operands = operands;
  if (acc_op) {
    producer_.to_acc = interp::binary_variant_handler(in.op, operands, interp::Dst::Acc);
    producer_.to_both = interp::binary_variant_handler(in.op, operands, interp::Dst::Both);
  }
  if (is_compare) {
    producer_.compare = in.op;
    producer_.lhs = lhs;
    producer_.rhs = rhs;
    producer_.rhs_is_imm = rhs_imm;
    producer_.imm = value;
  }
}

// Re-emits a compare that a branch took back but could not absorb.
void Translator::emit_compare_value(const Producer& cmp) {
  if (cmp.compare == Opcode::I32Eqz) {
    emit(interp::numeric_handler(cmp.compare));
    emit_pair(cmp.lhs, push_result());
  } else if (cmp.rhs_is_imm) {
    emit(interp::binary_variant_handler(cmp.compare, cmp.operands, interp::Dst::Slot));
    emit_pair(cmp.lhs, push_result());
    emit_u64(cmp.imm);
  } else {
    emit(interp::binary_variant_handler(cmp.compare, cmp.operands, interp::Dst::Slot));
    emit_pair(cmp.lhs, cmp.rhs);
    emit_pair(push_result(), 0);
  }
}

void Translator::translate_call(uint32_t type_index, bool indirect, bool tail, uint32_t func_or_table,
                                const Instr& in) {
  const FuncType& t = m_.types[type_index];
  uint32_t np = uint32_t(t.params.size()), nr = uint32_t(t.results.size());
  Slot index_slot = indirect ? pop_slot() : 0;
  materialize_all();
  uint32_t argbase = home(height() - np);
  if (indirect) {
    emit(tail ? &interp::op_return_call_indirect : &interp::op_call_indirect);
    emit_pair(type_index, func_or_table);
    emit_pair(argbase, index_slot);
  } else {
    emit(tail ? &interp::op_return_call : &interp::op_call);
    emit_pair(func_or_table, argbase);
  }
  if (tail) {
    dead_ = true;
    return;
  }
  set_height(height() - np);
  for (uint32_t k = 0; k < nr; ++k) push_result();
}

void Translator::translate_local_set(uint32_t local, bool tee) {
  uint32_t below = height() - 1;
  if (producer_is_top() && !stack_refers_to_local(local, below)) {
    // Retarget the producer's result straight into the local.
    Word& w = code_[producer_.dst_word];
    (producer_.dst_in_b ? w.s.b : w.s.a) = local_slot(local);
    stack_.pop_back();
    if (tee) {
      push_operand(Operand{Operand::Kind::Local, local, 0});
      // The next instruction may still take the value from the accumulator,
      // if the producer writes both the local and the accumulator.
      producer_.to_acc = producer_.to_both;
      producer_.to_both = nullptr;
      producer_.teed = true;
      producer_.compare = Opcode::Count;
    } else {
      producer_.end = kNone;
    }
    return;
  }
  materialize_local(local);
  Operand top = stack_.back();
  if (top.kind == Operand::Kind::Const) {
    emit(&interp::op_const);
    emit_pair(local_slot(local), 0);
    emit_u64(top.value);
  } else {
    uint32_t src = top.kind == Operand::Kind::Local ? local_slot(top.local) : home(height() - 1);
    // (a Const top was handled above)
    if (src != local_slot(local)) {
      emit_copy(src, local_slot(local));
    }
  }
  if (!tee) stack_.pop_back();
}

// Skips unreachable code up to the `else` or `end` that ends it.
Result<void> Translator::translate_dead(const Instr& in, bool* handled) {
  *handled = true;
  switch (in.op) {
    case Opcode::Block:
    case Opcode::Loop:
    case Opcode::If:
      ++dead_depth_;
      return {};
    case Opcode::Else:
      if (dead_depth_ == 0) *handled = false;
      return {};
    case Opcode::End:
      if (dead_depth_ > 0) --dead_depth_;
      else *handled = false;
      return {};
    default:
      return {};
  }
}

Result<void> Translator::translate(const Instr& in) {
  if (dead_) {
    bool handled;
    SILK_TRY(translate_dead(in, &handled));
    if (handled) return {};
  }
  switch (in.op) {
    case Opcode::Unreachable:
      emit(&interp::op_unreachable);
      dead_ = true;
      break;
    case Opcode::Nop:
      break;
    case Opcode::Block:
      materialize_all();
      begin_block(Label::Kind::Block, in.block);
      break;
    case Opcode::Loop:
      // No check here: back edges poll the interrupt flag.
      materialize_all();
      begin_block(Label::Kind::Loop, in.block);
      labels_.back().loop_target = code_.size();
      break;
    case Opcode::If: {
      if (top_is_fusable_compare()) {
        Producer cmp = take_compare();
        materialize_all();
        begin_block(Label::Kind::If, in.block);
        labels_.back().else_fixup = emit_compare_branch(cmp, true, false);
        break;
      }
      Slot cond = pop_slot();
      materialize_all();
      begin_block(Label::Kind::If, in.block);
      emit(&interp::op_br_unless);
      emit_pair(cond, 0);
      labels_.back().else_fixup = code_.size();
      emit_target_index(0);
      break;
    }
    case Opcode::Else:
      translate_else();
      break;
    case Opcode::End:
      end_block();
      break;
    case Opcode::Br:
      materialize_all();
      emit_branch(label_at(in.index));
      dead_ = true;
      break;
    case Opcode::BrIf:
      translate_br_if(in.index);
      break;
    case Opcode::BrTable:
      translate_br_table(in);
      dead_ = true;
      break;
    case Opcode::Return:
      emit_return();
      dead_ = true;
      break;
    case Opcode::Call:
      translate_call(m_.func_types[in.index], false, false, in.index, in);
      break;
    case Opcode::CallIndirect:
      translate_call(in.index, true, false, in.index2, in);
      break;
    case Opcode::ReturnCall:
      translate_call(m_.func_types[in.index], false, true, in.index, in);
      break;
    case Opcode::ReturnCallIndirect:
      translate_call(in.index, true, true, in.index2, in);
      break;
    case Opcode::Drop:
      stack_.pop_back();
      break;
    case Opcode::Select:
    case Opcode::SelectT: {
      Slot cond = pop_slot();
      Slot b = pop_slot();
      Slot a = pop_slot();
      size_t start = emit(&interp::op_select);
      emit_pair(a, b);
      size_t w = emit_pair(cond, push_result());
      note_producer(start, w, true);
      break;
    }
    case Opcode::LocalGet:
      push_operand(Operand{Operand::Kind::Local, in.index, 0});
      break;
    case Opcode::LocalSet:
      translate_local_set(in.index, false);
      break;
    case Opcode::LocalTee:
      translate_local_set(in.index, true);
      break;
    case Opcode::GlobalGet: {
      size_t start = emit(&interp::op_global_get);
      size_t w = emit_pair(in.index, push_result());
      note_producer(start, w, true);
      break;
    }
    case Opcode::GlobalSet: {
      Slot src = pop_slot();
      emit(&interp::op_global_set);
      emit_pair(in.index, src);
      break;
    }
    case Opcode::TableGet: {
      Slot idx = pop_slot();
      size_t start = emit(&interp::op_table_get);
      size_t w = emit_pair(idx, push_result());
      emit_pair(in.index, 0);
      note_producer(start, w, true);
      break;
    }
    case Opcode::TableSet: {
      Slot val = pop_slot();
      Slot idx = pop_slot();
      emit(&interp::op_table_set);
      emit_pair(idx, val);
      emit_pair(in.index, 0);
      break;
    }
    case Opcode::TableSize:
      emit(&interp::op_table_size);
      emit_pair(in.index, push_result());
      break;
    case Opcode::TableGrow: {
      Slot delta = pop_slot();
      Slot init = pop_slot();
      emit(&interp::op_table_grow);
      emit_pair(init, delta);
      emit_pair(in.index, push_result());
      break;
    }
    case Opcode::TableFill: {
      Slot n = pop_slot(), val = pop_slot(), i = pop_slot();
      emit(&interp::op_table_fill);
      emit_pair(i, val);
      emit_pair(n, in.index);
      break;
    }
    case Opcode::TableCopy: {
      Slot n = pop_slot(), s = pop_slot(), d = pop_slot();
      emit(&interp::op_table_copy);
      emit_pair(d, s);
      emit_pair(n, 0);
      emit_pair(in.index, in.index2);
      break;
    }
    case Opcode::TableInit: {
      Slot n = pop_slot(), s = pop_slot(), d = pop_slot();
      emit(&interp::op_table_init);
      emit_pair(d, s);
      emit_pair(n, in.index);
      emit_pair(in.index2, 0);
      break;
    }
    case Opcode::ElemDrop:
      emit(&interp::op_elem_drop);
      emit_pair(in.index, 0);
      break;
    case Opcode::MemorySize:
      emit(&interp::op_memory_size);
      emit_pair(push_result(), 0);
      break;
    case Opcode::MemoryGrow: {
      Slot delta = pop_slot();
      emit(&interp::op_memory_grow);
      emit_pair(delta, push_result());
      break;
    }
    case Opcode::MemoryFill: {
      Slot n = pop_slot(), val = pop_slot(), d = pop_slot();
      emit(&interp::op_memory_fill);
      emit_pair(d, val);
      emit_pair(n, 0);
      break;
    }
    case Opcode::MemoryCopy: {
      Slot n = pop_slot(), s = pop_slot(), d = pop_slot();
      emit(&interp::op_memory_copy);
      emit_pair(d, s);
      emit_pair(n, 0);
      break;
    }
    case Opcode::MemoryInit: {
      Slot n = pop_slot(), s = pop_slot(), d = pop_slot();
      emit(&interp::op_memory_init);
      emit_pair(d, s);
      emit_pair(n, in.index);
      break;
    }
    case Opcode::DataDrop:
      emit(&interp::op_data_drop);
      emit_pair(in.index, 0);
      break;
    case Opcode::I32Const:
      push_operand(Operand{Operand::Kind::Const, 0, in.bits & 0xffffffffu});
      break;
    case Opcode::I64Const:
    case Opcode::F32Const:
    case Opcode::F64Const:
      push_operand(Operand{Operand::Kind::Const, 0, in.bits});
      break;
    case Opcode::RefNull:
      push_operand(Operand{Operand::Kind::Const, 0, 0});
      break;
    case Opcode::RefIsNull: {
      Slot src = pop_slot();
      size_t start = emit(&interp::op_ref_is_null);
      size_t w = emit_pair(src, push_result());
      note_producer(start, w, true);
      break;
    }
    case Opcode::RefFunc: {
      size_t start = emit(&interp::op_ref_func);
      size_t w = emit_pair(in.index, push_result());
      note_producer(start, w, true);
      break;
    }
    default: {
      const OpInfo& info = op_info(in.op);
      if (info.align_log2 >= 0) {  // loads and stores
        bool is_store = info.sig[2] == '>';
        uint32_t h = height();
        if (is_store) {
          using interp::Operands;
          Operands o = Operands::SS;
          if (interp::store_handler(in.op, mode_, Operands::SA) && producer_acc_at(h - 1)) o = Operands::SA;
          else if (stack_.back().kind != Operand::Kind::Stack && producer_acc_at(h - 2)) o = Operands::AS;
          if (o != Operands::SS) take_producer_into_acc();
          Slot val = pop_slot();
          Slot addr = pop_slot();
          emit(interp::store_handler(in.op, mode_, o));
          emit_pair(o == Operands::AS ? 0 : addr, o == Operands::SA ? 0 : val);
          emit_u64(in.mem_offset);
        } else {
          bool addr_acc = producer_acc_at(h - 1);
          if (addr_acc) take_producer_into_acc();
          Slot addr = pop_slot();
          size_t start = emit(interp::load_handler(in.op, mode_, addr_acc, interp::Dst::Slot));
          size_t w = emit_pair(addr_acc ? 0 : addr, push_result());
          emit_u64(in.mem_offset);
          note_producer(start, w, true);
          producer_.to_acc = interp::load_handler(in.op, mode_, addr_acc, interp::Dst::Acc);
          producer_.to_both = interp::load_handler(in.op, mode_, addr_acc, interp::Dst::Both);
        }
        break;
      }
      if (info.sig[0] == '\0') {
        Error e = make_error(ErrorKind::Invalid, std::string("tier 0 cannot translate ") + info.name);
        e.section = "code";
        e.func_index = func_index_;
        e.offset = in.offset;
        return e;
      }
      translate_numeric(in);
      break;
    }
  }
  // Control instructions end any chance of fusing with what came before.
  switch (in.op) {
    case Opcode::Block: case Opcode::Loop: case Opcode::If: case Opcode::Else: case Opcode::End:
      producer_.end = kNone;
      last_copy_ = kNone;  // a branch may land here: never merge across it
      break;
    default:
      break;
  }
  return {};
}

Result<std::unique_ptr<TranslatedFunction>> Translator::run() {
  code_.reserve((body_.end - body_.offset) * 2 + 8);
  SILK_TRY(collect_constants());
  stack_base_ = num_locals_ + uint32_t(consts_.size());
  emit(&interp::op_enter);
  emit_pair(num_locals_ - num_params_, local_slot(num_params_));
  size_t frame_word = code_.size();
  emit_u64(0);
  size_t consts_word = code_.size();
  emit_pair(0, 0);
  emit_u64(0);  // the constant table's address

  Label fn;
  fn.kind = Label::Kind::Function;
  fn.num_results = uint32_t(type_.results.size());
  labels_.push_back(fn);

  CodeReader reader(std::span<const uint8_t>(m_.bytes.data() + body_.offset, body_.end - body_.offset), body_.offset);
  Instr in;
  while (!reader.at_end() && !labels_.empty()) {
    if (!reader.read(in)) {
      Error e = reader.take_error();
      e.func_index = func_index_;
      e.section = "code";
      return e;
    }
    SILK_TRY(translate(in));
  }

  // Frame: [params | locals | constants | operand stack]. The constant table
  // goes after the code; op_enter copies it into the frame.
  code_[consts_word].s.a = uint32_t(consts_.size());
  code_[consts_word].s.b = num_locals_ * 8;
  target_words_.push_back(consts_word + 1);
  code_[consts_word + 1].u64 = code_.size();
  for (uint64_t c : consts_) emit_u64(c);

  auto out = std::make_unique<TranslatedFunction>();
  out->frame_slots = stack_base_ + max_height_ + 1;
  code_[frame_word].u64 = uint64_t(out->frame_slots) * 8;
  out->code = std::move(code_);
  Word* base = out->code.data();
  for (size_t w : target_words_) base[w].target = base + base[w].u64;
  return out;
}

Result<const TranslatedFunction*> translate_cached(const Module& m, uint32_t func_index, BoundsChecks mode) {
  TranslationCache& cache = *m.translations;  // made by load_module
  std::atomic<const TranslatedFunction*>& slot =
      cache.by_mode[mode == BoundsChecks::Guard ? 0 : 1][func_index - m.num_imported_funcs];
  if (const TranslatedFunction* t = slot.load(std::memory_order_acquire)) return t;
  std::lock_guard lock(cache.mutex);
  if (const TranslatedFunction* t = slot.load(std::memory_order_relaxed)) return t;  // another thread won
  std::unique_ptr<TranslatedFunction> t = SILK_TRY(Translator(m, func_index, mode).run());
  const TranslatedFunction* raw = t.get();
  cache.owned.push_back(std::move(t));
  slot.store(raw, std::memory_order_release);
  return raw;
}

}  // namespace

void prepare_translation_cache(Module& m) { m.translations = std::make_shared<TranslationCache>(m.bodies.size()); }

Result<const interp::Word*> translate_function(Function* f) {
  const Instance::Impl& inst = f->instance->impl();
  auto t = translate_cached(*inst.module, f->func_index, inst.store->options().bounds_checks);
  if (!t) return t.take_error();
  return (*t)->code.data();
}

Result<void> translate_all(const Module& m) {
  for (uint32_t i = m.num_imported_funcs; i < m.num_funcs(); ++i) SILK_TRY(translate_cached(m, i, BoundsChecks::Guard));
  return {};
}

}  // namespace silk::wasm
