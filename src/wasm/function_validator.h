// silk::wasm — FunctionValidator: type-checks one function body (spec 3.3,
// following the algorithm of the spec appendix "Validation Algorithm").
//
// Used by validate_module() (validator.h) after the module-level checks, so it
// may assume every function's type index is in range. One FunctionValidator is
// reused for all bodies of a module: its stacks keep their capacity, so
// validating a body allocates nothing once the stacks have grown.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "wasm/code_reader.h"
#include "wasm/module.h"
#include "wasm/result.h"

namespace silk::wasm {

class FunctionValidator {
 public:
  explicit FunctionValidator(const Module& module) : m_(module) {}

  // Validates the body of function {func_index} (module index space; must be
  // a defined function). Errors carry section "code", {func_index} and the
  // offset of the offending instruction.
  Result<void> validate(uint32_t func_index);

  // Only decodes the body of {func_index}, reporting what makes it malformed
  // (bad encodings, misplaced `end`, a missing data count section). The spec
  // decodes the whole module before validating it, so once a body turns out
  // invalid, the caller uses this to let a later malformation take precedence.
  Result<void> check_decodes(uint32_t func_index);

 private:
  using Types = std::span<const ValType>;

  // A control frame (spec appendix: ctrl_frame).
  struct Frame {
    Opcode op;
    bool unreachable;
    uint32_t height;  // of the value stack when the frame was entered
    Types params;
    Types results;
    Types labels() const { return op == Opcode::Loop ? params : results; }
  };

  CodeReader body_reader(uint32_t func_index) const;
  Result<void> finish(bool ok, uint32_t func_index);
  bool run(CodeReader& reader, uint64_t body_end);
  bool instr(const Instr& in);
  bool control(const Instr& in);
  bool branch(const Instr& in);
  bool call(const Instr& in);
  bool variable(const Instr& in);
  bool reference(const Instr& in);
  bool table(const Instr& in);
  bool memory(const Instr& in);
  bool numeric(const Instr& in);

  // Value stack (spec: push_val / pop_val / pop_vals).
  void push(ValType t) { vals_.push_back(t); }
  void push(Types ts) { vals_.insert(vals_.end(), ts.begin(), ts.end()); }
  bool pop(ValType* out);
  bool pop(ValType expect);
  bool pop(Types expect);
  bool check_top(Types expect);  // pop + push back, without touching the stack

  // Control stack (spec: push_ctrl / pop_ctrl / unreachable).
  void push_ctrl(Opcode op, Types params, Types results);
  bool pop_ctrl(Frame* out);
  void set_unreachable();

  bool block_type(const BlockType& bt, Types* params, Types* results);
  bool check_table(uint32_t index);
  bool check_memory(uint32_t index);
  bool check_data(uint32_t index);
  bool data_count_missing(uint32_t index) const;
  bool fail(const char* message);
  bool fail(const char* message, uint32_t index);  // "unknown global 3"
  bool fail_malformed(const char* message, uint64_t offset);

  const Module& m_;
  std::vector<ValType> vals_;
  std::vector<Frame> ctrls_;
  std::vector<ValType> locals_;
  Types func_results_;
  uint32_t offset_ = 0;  // of the instruction being checked
  Error error_;
};

}  // namespace silk::wasm
