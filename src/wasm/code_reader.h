// silk::wasm — CodeReader: decodes one instruction (opcode + immediates) at a
// time from a function body or constant expression. The one instruction decoder
// that the validator, the translator and const-expression evaluation share.
//
// Decoding errors are ErrorKind::Malformed ("illegal opcode", "zero byte
// expected", "unexpected end", LEB128 errors) with the absolute byte offset.
// Typing is not checked here: that is the validator's job.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "wasm/binary_reader.h"
#include "wasm/types.h"

namespace silk::wasm {

enum class Opcode : uint16_t {
#define WASM_OP(Name, text, prefix, code, Imm, sig) Name,
#include "wasm/opcodes.def"
  Count
};

enum class ImmKind : uint8_t {
  None,
  BlockType,      // block, loop, if
  Index,          // one u32: label, function, local, global, table, elem, data
  BrTable,        // vec(label) + default
  TwoIndices,     // call_indirect (type, table); table.init (elem, table); table.copy (dst, src)
  RefType,        // ref.null
  SelectTypes,    // select t*
  MemArg,         // align, offset
  MemIndex,       // memory.size/grow/fill: one memory index (a zero byte in 2.0)
  DataMem,        // memory.init: data index + memory index
  TwoMemIndices,  // memory.copy: dst, src memory
  I32, I64, F32, F64,
};

struct OpInfo {
  const char* name;
  uint8_t prefix;
  uint32_t code;
  ImmKind imm;
  const char* sig;     // see opcodes.def
  int8_t align_log2;   // natural alignment of loads/stores, -1 otherwise
};
const OpInfo& op_info(Opcode op);

struct BlockType {
  enum class Kind : uint8_t { Empty, Value, TypeIndex } kind = Kind::Empty;
  ValType value = ValType::I32;
  uint32_t type_index = 0;
};

struct Instr {
  Opcode op = Opcode::Nop;
  uint32_t offset = 0;   // absolute offset of the opcode in the module
  uint32_t index = 0;    // first index immediate; memarg memory index
  uint32_t index2 = 0;   // second index immediate
  BlockType block;
  uint32_t align_log2 = 0;  // memarg
  uint64_t mem_offset = 0;  // memarg
  ValType ref_type = ValType::FuncRef;  // ref.null; select's type (when select_count==1)
  uint32_t select_count = 0;            // number of types given to `select t*`
  uint64_t bits = 0;  // constants: i32 (sign-extended to 64), i64, f32 bits, f64 bits
  std::span<const uint32_t> br_targets;  // br_table labels, without the default (index)
};

class CodeReader {
 public:
  // Reads instructions from {bytes}, whose first byte is at module offset {base}.
  CodeReader(std::span<const uint8_t> bytes, uint64_t base) : r_(bytes, base) {}

  bool at_end() const { return r_.at_end(); }
  uint64_t offset() const { return r_.offset(); }
  // Decodes the next instruction. The br_targets span stays valid until the
  // next call.
  Result<Instr> next();
  // The same without building a Result (the hot loops of validation and
  // translation): false on error, then take_error() says why.
  bool read(Instr& in);
  Error take_error() { return std::move(error_); }

  BinaryReader& reader() { return r_; }

 private:
  template <typename T, typename R>
  bool take(R&& result, T& out);
  bool read_u32(uint32_t& out);
  bool fail(Error e) {
    error_ = std::move(e);
    return false;
  }

  BinaryReader r_;
  std::vector<uint32_t> targets_;
  Error error_;
};

}  // namespace silk::wasm
