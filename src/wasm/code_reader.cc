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

#define TRY_READ(var, expr)               \
  auto var##_r = (expr);                  \
  if (!var##_r) return var##_r.take_error(); \
  auto var = *var##_r;

Result<Instr> CodeReader::next() {
  Instr in;
  in.offset = uint32_t(r_.offset());
  TRY_READ(byte, r_.u8());
  int16_t idx;
  if (byte == 0xfc) {
    TRY_READ(sub, r_.u32());
    idx = sub < kMaps.misc.size() ? kMaps.misc[sub] : int16_t(-1);
  } else {
    idx = kMaps.single[byte];
  }
  if (idx < 0) return BinaryReader::error_at(in.offset, "illegal opcode");
  in.op = Opcode(idx);
  const OpInfo& info = kOps[idx];

  switch (info.imm) {
    case ImmKind::None:
      break;
    case ImmKind::BlockType: {
      if (r_.at_end()) return r_.error("unexpected end");
      uint8_t b = *r_.cursor();
      if (b == 0x40) {
        r_.seek(r_.pos() + 1);
        in.block.kind = BlockType::Kind::Empty;
      } else if (is_valtype_byte(b)) {
        r_.seek(r_.pos() + 1);
        in.block.kind = BlockType::Kind::Value;
        in.block.value = ValType(b);
      } else {
        TRY_READ(t, r_.s33());
        if (t < 0) return r_.error("malformed block type");
        in.block.kind = BlockType::Kind::TypeIndex;
        in.block.type_index = uint32_t(t);
      }
      break;
    }
    case ImmKind::Index: {
      TRY_READ(i, r_.u32());
      in.index = i;
      break;
    }
    case ImmKind::BrTable: {
      TRY_READ(n, r_.u32());
      targets_.clear();
      if (n > r_.remaining()) return r_.error("unexpected end");
      for (uint32_t k = 0; k < n; ++k) {
        TRY_READ(t, r_.u32());
        targets_.push_back(t);
      }
      TRY_READ(d, r_.u32());
      in.index = d;
      in.br_targets = targets_;
      break;
    }
    case ImmKind::TwoIndices: {
      TRY_READ(a, r_.u32());
      TRY_READ(b, r_.u32());
      in.index = a;
      in.index2 = b;
      break;
    }
    case ImmKind::RefType: {
      TRY_READ(t, r_.u8());
      if (t != uint8_t(ValType::FuncRef) && t != uint8_t(ValType::ExternRef))
        return BinaryReader::error_at(r_.offset() - 1, "malformed reference type");
      in.ref_type = ValType(t);
      break;
    }
    case ImmKind::SelectTypes: {
      TRY_READ(n, r_.u32());
      if (n > r_.remaining()) return r_.error("unexpected end");
      in.select_count = n;
      for (uint32_t k = 0; k < n; ++k) {
        TRY_READ(t, r_.u8());
        if (!is_valtype_byte(t)) return BinaryReader::error_at(r_.offset() - 1, "malformed value type");
        if (k == 0) in.ref_type = ValType(t);
      }
      break;
    }
    case ImmKind::MemArg: {
      TRY_READ(a, r_.u32());
      // Bit 6 of the alignment field announces a memory index (multi-memory).
      if (a & 0x40) {
        TRY_READ(m, r_.u32());
        in.index = m;
        a &= ~0x40u;
      }
      TRY_READ(o, r_.u32());
      in.align_log2 = a;
      in.mem_offset = o;
      break;
    }
    case ImmKind::MemIndex: {
      TRY_READ(b, r_.u8());
      if (b != 0) return BinaryReader::error_at(r_.offset() - 1, "zero byte expected");
      in.index = 0;
      break;
    }
    case ImmKind::DataMem: {
      TRY_READ(d, r_.u32());
      TRY_READ(b, r_.u8());
      if (b != 0) return BinaryReader::error_at(r_.offset() - 1, "zero byte expected");
      in.index = d;
      break;
    }
    case ImmKind::TwoMemIndices: {
      TRY_READ(a, r_.u8());
      TRY_READ(b, r_.u8());
      if (a != 0 || b != 0) return BinaryReader::error_at(r_.offset() - 1, "zero byte expected");
      break;
    }
    case ImmKind::I32: {
      TRY_READ(v, r_.s32());
      in.bits = uint64_t(int64_t(v));
      break;
    }
    case ImmKind::I64: {
      TRY_READ(v, r_.s64());
      in.bits = uint64_t(v);
      break;
    }
    case ImmKind::F32: {
      TRY_READ(v, r_.f32_bits());
      in.bits = v;
      break;
    }
    case ImmKind::F64: {
      TRY_READ(v, r_.f64_bits());
      in.bits = v;
      break;
    }
  }
  return in;
}

}  // namespace silk::wasm
