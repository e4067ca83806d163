#include "wasm/code_reader.h"

#include <array>

namespace silk::wasm {

namespace {


constexpr OpInfo kOps[] = {
#define WASM_OP(Name, text, prefix, code, Imm, sig) {text, prefix, code, ImmKind::Imm, sig, -1},
#define WASM_MEM_OP(Name, text, code, sig, align) {text, 0, code, ImmKind::MemArg, sig, align},
#include "wasm/opcodes.def"
};
static_assert(sizeof(kOps) / sizeof(kOps[0]) == size_t(Opcode::Count));

// Opcode lookup tables: one for single-byte opcodes, one for 0xfc subcodes.
struct OpcodeMaps {
  std::array<int16_t, 256> single{};
  std::array<int16_t, 32> misc{};
  constexpr OpcodeMaps() {
    for (auto& v : single) v = -1;
    for (auto& v : misc) v = -1;
    for (size_t i = 0; i < size_t(Opcode::Count); ++i) {
      if (kOps[i].prefix == 0) single[kOps[i].code] = int16_t(i);
      else misc[kOps[i].code] = int16_t(i);
    }
  }
};
constexpr OpcodeMaps kMaps;

}  // namespace

const OpInfo& op_info(Opcode op) { return kOps[size_t(op)]; }

template <typename T, typename R>
bool CodeReader::take(R&& result, T& out) {
  if (!result) return fail(result.take_error());
  out = T(*result);
  return true;
}

// u32 LEB128 with the one-byte case (nearly every index) inline.
inline bool CodeReader::read_u32(uint32_t& out) {
  if (!r_.at_end() && *r_.cursor() < 0x80) {
    out = *r_.cursor();
    r_.seek(r_.pos() + 1);
    return true;
  }
  return take(r_.u32(), out);
}

Result<Instr> CodeReader::next() {
  Instr in;
  if (!read(in)) return take_error();
  return in;
}

bool CodeReader::read(Instr& in) {
  in = Instr{};
  in.offset = uint32_t(r_.offset());
  if (r_.at_end()) return fail(r_.error("unexpected end"));
  uint8_t byte = *r_.cursor();
  r_.seek(r_.pos() + 1);
  int16_t idx;
  if (byte == 0xfc) {
    uint32_t sub;
    if (!read_u32(sub)) return false;
    idx = sub < kMaps.misc.size() ? kMaps.misc[sub] : int16_t(-1);
  } else {
    idx = kMaps.single[byte];
  }
  if (idx < 0) return fail(BinaryReader::error_at(in.offset, "illegal opcode"));
  in.op = Opcode(idx);
  const OpInfo& info = kOps[idx];

  switch (info.imm) {
    case ImmKind::None:
      return true;
    case ImmKind::BlockType: {
      if (r_.at_end()) return fail(r_.error("unexpected end"));
      uint8_t b = *r_.cursor();
      if (b == 0x40) {
        r_.seek(r_.pos() + 1);
        in.block.kind = BlockType::Kind::Empty;
      } else if (is_valtype_byte(b)) {
        r_.seek(r_.pos() + 1);
        in.block.kind = BlockType::Kind::Value;
        in.block.value = ValType(b);
      } else {
        int64_t t;
        if (!take(r_.s33(), t)) return false;
        if (t < 0) return fail(r_.error("malformed block type"));
        in.block.kind = BlockType::Kind::TypeIndex;
        in.block.type_index = uint32_t(t);
      }
      return true;
    }
    case ImmKind::Index:
      return read_u32(in.index);
    case ImmKind::BrTable: {
      uint32_t n;
      if (!read_u32(n)) return false;
      targets_.clear();
      if (n > r_.remaining()) return fail(r_.error("unexpected end"));
      for (uint32_t k = 0; k < n; ++k) {
        uint32_t t;
        if (!read_u32(t)) return false;
        targets_.push_back(t);
      }
      if (!read_u32(in.index)) return false;
      in.br_targets = targets_;
      return true;
    }
    case ImmKind::TwoIndices:
      return read_u32(in.index) && read_u32(in.index2);
    case ImmKind::RefType: {
      uint8_t t;
      if (!take(r_.u8(), t)) return false;
      if (t != uint8_t(ValType::FuncRef) && t != uint8_t(ValType::ExternRef))
        return fail(BinaryReader::error_at(r_.offset() - 1, "malformed reference type"));
      in.ref_type = ValType(t);
      return true;
    }
    case ImmKind::SelectTypes: {
      uint32_t n;
      if (!read_u32(n)) return false;
      if (n > r_.remaining()) return fail(r_.error("unexpected end"));
      in.select_count = n;
      for (uint32_t k = 0; k < n; ++k) {
        uint8_t t;
        if (!take(r_.u8(), t)) return false;
        if (!is_valtype_byte(t)) return fail(BinaryReader::error_at(r_.offset() - 1, "malformed value type"));
        if (k == 0) in.ref_type = ValType(t);
      }
      return true;
    }
    case ImmKind::MemArg: {
      uint32_t a, o;
      if (!read_u32(a)) return false;
      // Bit 6 of the alignment field announces a memory index (multi-memory).
      if (a & 0x40) {
        if (!read_u32(in.index)) return false;
        a &= ~0x40u;
      }
      if (!read_u32(o)) return false;
      in.align_log2 = a;
      in.mem_offset = o;
      return true;
    }
    case ImmKind::MemIndex: {
      uint8_t b;
      if (!take(r_.u8(), b)) return false;
      if (b != 0) return fail(BinaryReader::error_at(r_.offset() - 1, "zero byte expected"));
      in.index = 0;
      return true;
    }
    case ImmKind::DataMem: {
      uint8_t b;
      if (!read_u32(in.index) || !take(r_.u8(), b)) return false;
      if (b != 0) return fail(BinaryReader::error_at(r_.offset() - 1, "zero byte expected"));
      return true;
    }
    case ImmKind::TwoMemIndices: {
      uint8_t a, b;
      if (!take(r_.u8(), a) || !take(r_.u8(), b)) return false;
      if (a != 0 || b != 0) return fail(BinaryReader::error_at(r_.offset() - 1, "zero byte expected"));
      return true;
    }
    case ImmKind::I32: {
      int32_t v;
      if (!take(r_.s32(), v)) return false;
      in.bits = uint64_t(int64_t(v));
      return true;
    }
    case ImmKind::I64: {
      int64_t v;
      if (!take(r_.s64(), v)) return false;
      in.bits = uint64_t(v);
      return true;
    }
    case ImmKind::F32: {
      uint32_t v;
      if (!take(r_.f32_bits(), v)) return false;
      in.bits = v;
      return true;
    }
    case ImmKind::F64:
      return take(r_.f64_bits(), in.bits);
  }
  return true;
}

}  // namespace silk::wasm
