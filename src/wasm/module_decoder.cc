// silk::wasm — decode_module: the binary format (spec 5.5) into a Module.
//
// One ModuleDecoder per call, one method per section. Every section is read
// through its own BinaryReader bounded by the section's declared size, so a
// section can never read past itself; error offsets stay absolute because each
// reader is given its section's base offset. Counts read from the binary are
// never trusted for allocation: reservations are capped by the bytes left.
#include "wasm/module_decoder.h"

#include <algorithm>
#include <limits>

#include "wasm/binary_reader.h"
#include "wasm/code_reader.h"

namespace silk::wasm {

namespace {

// Beyond this many declared locals a function is rejected as malformed
// (spec 5.5.13 only bounds the sum by 2^32; engines cap it far lower, and the
// expanded vector must stay small enough to allocate).
constexpr uint64_t kMaxLocals = 50000;

enum SectionId : uint8_t {
  kCustomId = 0,
  kTypeId = 1,
  kImportId = 2,
  kFunctionId = 3,
  kTableId = 4,
  kMemoryId = 5,
  kGlobalId = 6,
  kExportId = 7,
  kStartId = 8,
  kElementId = 9,
  kCodeId = 10,
  kDataId = 11,
  kDataCountId = 12,
};

const char* section_name(uint8_t id) {
  static constexpr const char* kNames[] = {
      "custom", "type",    "import", "function", "table", "memory",   "global",
      "export", "start", "element", "code",     "data",  "datacount",
  };
  return id <= kDataCountId ? kNames[id] : "";
}

// Where a non-custom section must sit in the module (spec 5.5.2): in id order,
// except that data count (12) comes between element (9) and code (10).
int section_rank(uint8_t id) {
  if (id <= kElementId) return id;
  if (id == kDataCountId) return kElementId + 1;
  return id + 1;  // code, data
}

// How many elements of a vector it is safe to reserve: every element takes at
// least one byte, so a count above the bytes left is a lie we must not act on.
size_t safe_reserve(uint32_t count, const BinaryReader& r) {
  return std::min<size_t>(count, r.remaining());
}

// A reader over the next {size} bytes of {r}; {r} moves past them.
BinaryReader take(BinaryReader& r, size_t size) {
  BinaryReader sub(std::span<const uint8_t>(r.cursor(), size), r.offset());
  r.seek(r.pos() + size);
  return sub;
}

Error in_section(Error e, uint8_t id) {
  if (e.section.empty()) e.section = section_name(id);
  return e;
}

class ModuleDecoder {
 public:
  explicit ModuleDecoder(std::span<const uint8_t> bytes) : m_(std::make_unique<Module>()) {
    m_->bytes.assign(bytes.begin(), bytes.end());
  }

  Result<std::unique_ptr<Module>> decode();

 private:
  Result<void> decode_header(BinaryReader& r);
  Result<void> decode_next_section(BinaryReader& r);
  Result<void> decode_section(uint8_t id, BinaryReader& s);
  Result<void> finish();

  // Sections (spec 5.5.3 - 5.5.14).
  Result<void> decode_custom(BinaryReader& s);
  Result<void> decode_types(BinaryReader& s);
  Result<void> decode_imports(BinaryReader& s);
  Result<void> decode_functions(BinaryReader& s);
  Result<void> decode_tables(BinaryReader& s);
  Result<void> decode_memories(BinaryReader& s);
  Result<void> decode_globals(BinaryReader& s);
  Result<void> decode_exports(BinaryReader& s);
  Result<void> decode_start(BinaryReader& s);
  Result<void> decode_elements(BinaryReader& s);
  Result<void> decode_code(BinaryReader& s);
  Result<void> decode_datas(BinaryReader& s);
  Result<void> decode_data_count(BinaryReader& s);

  // Pieces shared by several sections.
  Result<ValType> read_valtype(BinaryReader& r);
  Result<ValType> read_reftype(BinaryReader& r);
  Result<void> read_valtypes(BinaryReader& r, std::vector<ValType>& out);
  Result<Limits> read_limits(BinaryReader& r);
  Result<TableType> read_table_type(BinaryReader& r);
  Result<GlobalType> read_global_type(BinaryReader& r);
  Result<Import> read_import(BinaryReader& r);
  Result<ConstExpr> read_const_expr(BinaryReader& r);
  Result<ElemSegment> read_elem_segment(BinaryReader& r);
  Result<void> read_elem_items(BinaryReader& r, ElemSegment& seg);
  Result<DataSegment> read_data_segment(BinaryReader& r);
  Result<FunctionBody> read_body(BinaryReader& r);
  Result<void> read_locals(BinaryReader& r, FunctionBody& body);

  std::unique_ptr<Module> m_;
  int last_rank_ = 0;                 // rank of the last non-custom section
  uint32_t num_defined_funcs_ = 0;    // from the function section
  bool seen_code_ = false;
  bool seen_data_ = false;
  std::vector<uint32_t> func_refs_;   // becomes Module::declared_func_refs
};

Result<std::unique_ptr<Module>> ModuleDecoder::decode() {
  BinaryReader r(m_->bytes);
  SILK_TRY(decode_header(r));
  while (!r.at_end()) SILK_TRY(decode_next_section(r));
  SILK_TRY(finish());
  return std::move(m_);
}

// Spec 5.5.16: the magic "\0asm" and version 1, both 4 bytes.
Result<void> ModuleDecoder::decode_header(BinaryReader& r) {
  static constexpr uint8_t kMagic[] = {0x00, 0x61, 0x73, 0x6d};
  static constexpr uint8_t kVersion[] = {0x01, 0x00, 0x00, 0x00};
  auto magic = SILK_TRY(r.bytes(4));
  if (!std::equal(magic.begin(), magic.end(), kMagic))
    return BinaryReader::error_at(0, "magic header not detected");
  auto version = SILK_TRY(r.bytes(4));
  if (!std::equal(version.begin(), version.end(), kVersion))
    return BinaryReader::error_at(4, "unknown binary version");
  return {};
}

// Spec 5.5.2: id, u32 size, then exactly {size} bytes of contents.
Result<void> ModuleDecoder::decode_next_section(BinaryReader& r) {
  uint64_t id_offset = r.offset();
  uint8_t id = SILK_TRY(r.u8());
  if (id > kDataCountId) return BinaryReader::error_at(id_offset, "malformed section id");
  auto size = r.u32();
  if (!size) return in_section(size.take_error(), id);
  if (*size > r.remaining()) return in_section(r.error("length out of bounds"), id);
  if (id != kCustomId) {
    int rank = section_rank(id);
    if (rank <= last_rank_)
      return in_section(BinaryReader::error_at(id_offset, "unexpected content after last section"), id);
    last_rank_ = rank;
  }
  BinaryReader s = take(r, *size);
  auto decoded = decode_section(id, s);
  if (!decoded) return in_section(decoded.take_error(), id);
  if (!s.at_end()) return in_section(s.error("section size mismatch"), id);
  return {};
}

Result<void> ModuleDecoder::decode_section(uint8_t id, BinaryReader& s) {
  switch (id) {
    case kCustomId: return decode_custom(s);
    case kTypeId: return decode_types(s);
    case kImportId: return decode_imports(s);
    case kFunctionId: return decode_functions(s);
    case kTableId: return decode_tables(s);
    case kMemoryId: return decode_memories(s);
    case kGlobalId: return decode_globals(s);
    case kExportId: return decode_exports(s);
    case kStartId: return decode_start(s);
    case kElementId: return decode_elements(s);
    case kCodeId: return decode_code(s);
    case kDataId: return decode_datas(s);
    case kDataCountId: return decode_data_count(s);
  }
  return {};
}

// Checks that span sections: function vs code (spec 5.5.16: both vectors
// have the same length, an absent section counting as empty) and data count vs
// data; then the set of functions ref.func may name (spec 3.4.10, C.refs).
Result<void> ModuleDecoder::finish() {
  uint64_t end = m_->bytes.size();
  if (!seen_code_ && num_defined_funcs_ != 0) {
    Error e = BinaryReader::error_at(end, "function and code section have inconsistent lengths");
    return in_section(std::move(e), kFunctionId);
  }
  if (!seen_data_ && m_->data_count.value_or(0) != 0) {
    Error e = BinaryReader::error_at(end, "data count and data section have inconsistent lengths");
    return in_section(std::move(e), kDataCountId);
  }
  m_->declared_func_refs.assign(m_->num_funcs(), false);
  // Out-of-range indices are left for the validator to report.
  for (uint32_t f : func_refs_)
    if (f < m_->declared_func_refs.size()) m_->declared_func_refs[f] = true;
  return {};
}

// ---------------------------------------------------------------------------
// Types (spec 5.3)

Result<ValType> ModuleDecoder::read_valtype(BinaryReader& r) {
  uint64_t at = r.offset();
  uint8_t b = SILK_TRY(r.u8());
  if (!is_valtype_byte(b)) return BinaryReader::error_at(at, "malformed value type");
  return ValType(b);
}

Result<ValType> ModuleDecoder::read_reftype(BinaryReader& r) {
  uint64_t at = r.offset();
  uint8_t b = SILK_TRY(r.u8());
  if (b != uint8_t(ValType::FuncRef) && b != uint8_t(ValType::ExternRef))
    return BinaryReader::error_at(at, "malformed reference type");
  return ValType(b);
}

Result<void> ModuleDecoder::read_valtypes(BinaryReader& r, std::vector<ValType>& out) {
  uint32_t count = SILK_TRY(r.u32());
  out.reserve(safe_reserve(count, r));
  for (uint32_t i = 0; i < count; ++i) out.push_back(SILK_TRY(read_valtype(r)));
  return {};
}

// Spec 5.3.7: the flags are one byte, 0x00 (min) or 0x01 (min, max). The
// spec reads it as a 1-bit LEB128, hence its error wording: a continuation bit
// is "too long", any other value "too large". That also rejects the threads
// (shared) and memory64 flags, which 2.0 does not have.
Result<Limits> ModuleDecoder::read_limits(BinaryReader& r) {
  uint64_t at = r.offset();
  uint8_t flags = SILK_TRY(r.u8());
  if (flags & 0x80) return BinaryReader::error_at(at, "integer representation too long");
  if (flags > 1) return BinaryReader::error_at(at, "integer too large");
  Limits limits;
  limits.min = SILK_TRY(r.u32());
  if (flags == 1) {
    limits.has_max = true;
    limits.max = SILK_TRY(r.u32());
  }
  return limits;
}

Result<TableType> ModuleDecoder::read_table_type(BinaryReader& r) {
  TableType t;
  t.elem = SILK_TRY(read_reftype(r));
  t.limits = SILK_TRY(read_limits(r));
  return t;
}

Result<GlobalType> ModuleDecoder::read_global_type(BinaryReader& r) {
  GlobalType g;
  g.type = SILK_TRY(read_valtype(r));
  uint64_t at = r.offset();
  uint8_t mut = SILK_TRY(r.u8());
  if (mut > 1) return BinaryReader::error_at(at, "malformed mutability");
  g.mutable_ = mut == 1;
  return g;
}

// Spec 5.4.9: an expression is instructions up to the `end` that closes it.
// Only decoded here (a bad opcode is malformed); whether it is constant is the
// validator's question. Nested blocks are tracked so that an `end` closing a
// block (invalid, not malformed) does not cut the expression short.
Result<ConstExpr> ModuleDecoder::read_const_expr(BinaryReader& r) {
  uint64_t start = r.offset();
  CodeReader code(std::span<const uint8_t>(r.cursor(), r.remaining()), start);
  uint32_t depth = 0;
  for (bool done = false; !done;) {
    Instr in = SILK_TRY(code.next());
    switch (in.op) {
      case Opcode::Block:
      case Opcode::Loop:
      case Opcode::If: ++depth; break;
      case Opcode::RefFunc: func_refs_.push_back(in.index); break;
      case Opcode::End:
        if (depth == 0) done = true;
        else --depth;
        break;
      default: break;
    }
  }
  ConstExpr e{uint32_t(start), uint32_t(code.offset() - start)};
  r.seek(r.pos() + e.size);
  return e;
}

// ---------------------------------------------------------------------------
// Custom sections (spec 5.5.3) and the name section (spec 7.4.1)

// Reads the name section into {module_name}/{names}; any error means the
// section is malformed, which the caller ignores (spec 7.4: custom sections
// never make a module malformed beyond their own name).
Result<void> read_name_section(BinaryReader& r, std::string& module_name,
                               std::unordered_map<uint32_t, std::string>& names) {
  int last_id = -1;
  while (!r.at_end()) {
    uint8_t id = SILK_TRY(r.u8());
    uint32_t size = SILK_TRY(r.u32());
    if (int(id) <= last_id || size > r.remaining()) return r.error("malformed name section");
    last_id = id;
    BinaryReader sub = take(r, size);
    if (id == 0) {
      module_name = SILK_TRY(sub.name());
    } else if (id == 1) {
      uint32_t count = SILK_TRY(sub.u32());
      for (uint32_t i = 0; i < count; ++i) {
        uint32_t index = SILK_TRY(sub.u32());
        names[index] = SILK_TRY(sub.name());
      }
    } else {
      continue;  // local names, labels, ...: not kept
    }
    if (!sub.at_end()) return sub.error("malformed name section");
  }
  return {};
}

Result<void> ModuleDecoder::decode_custom(BinaryReader& s) {
  std::string name = SILK_TRY(s.name());
  BinaryReader payload = take(s, s.remaining());
  if (name != "name") return {};
  std::string module_name;
  std::unordered_map<uint32_t, std::string> names;
  if (read_name_section(payload, module_name, names).ok()) {
    m_->module_name = std::move(module_name);
    m_->function_names = std::move(names);
  }
  return {};
}

// ---------------------------------------------------------------------------
// Type, import, function, table, memory sections (spec 5.5.4 - 5.5.8)

Result<void> ModuleDecoder::decode_types(BinaryReader& s) {
  uint32_t count = SILK_TRY(s.u32());
  m_->types.reserve(safe_reserve(count, s));
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t at = s.offset();
    // The form is an s7 in the spec's grammar: a continuation bit makes it
    // an overlong LEB128 rather than an unknown form.
    uint8_t form = SILK_TRY(s.u8());
    if (form & 0x80) return BinaryReader::error_at(at, "integer representation too long");
    if (form != 0x60) return BinaryReader::error_at(at, "malformed function type");
    FuncType type;
    SILK_TRY(read_valtypes(s, type.params));
    SILK_TRY(read_valtypes(s, type.results));
    m_->types.push_back(std::move(type));
  }
  return {};
}

Result<Import> ModuleDecoder::read_import(BinaryReader& r) {
  Import imp;
  imp.module = SILK_TRY(r.name());
  imp.name = SILK_TRY(r.name());
  uint64_t at = r.offset();
  uint8_t kind = SILK_TRY(r.u8());
  switch (kind) {
    case 0: imp.type_index = SILK_TRY(r.u32()); break;
    case 1: imp.table = SILK_TRY(read_table_type(r)); break;
    case 2: imp.memory.limits = SILK_TRY(read_limits(r)); break;
    case 3: imp.global = SILK_TRY(read_global_type(r)); break;
    default: return BinaryReader::error_at(at, "malformed import kind");
  }
  imp.kind = ExternKind(kind);
  return imp;
}

// Imports come first in every index space (spec 2.5.1).
Result<void> ModuleDecoder::decode_imports(BinaryReader& s) {
  uint32_t count = SILK_TRY(s.u32());
  m_->imports.reserve(safe_reserve(count, s));
  for (uint32_t i = 0; i < count; ++i) {
    Import imp = SILK_TRY(read_import(s));
    switch (imp.kind) {
      case ExternKind::Func:
        m_->func_types.push_back(imp.type_index);
        ++m_->num_imported_funcs;
        break;
      case ExternKind::Table:
        m_->tables.push_back(imp.table);
        ++m_->num_imported_tables;
        break;
      case ExternKind::Memory:
        m_->memories.push_back(imp.memory);
        ++m_->num_imported_memories;
        break;
      case ExternKind::Global:
        m_->global_types.push_back(imp.global);
        ++m_->num_imported_globals;
        break;
    }
    m_->imports.push_back(std::move(imp));
  }
  return {};
}

Result<void> ModuleDecoder::decode_functions(BinaryReader& s) {
  uint32_t count = SILK_TRY(s.u32());
  m_->func_types.reserve(m_->func_types.size() + safe_reserve(count, s));
  for (uint32_t i = 0; i < count; ++i) m_->func_types.push_back(SILK_TRY(s.u32()));
  num_defined_funcs_ = count;
  return {};
}

Result<void> ModuleDecoder::decode_tables(BinaryReader& s) {
  uint32_t count = SILK_TRY(s.u32());
  m_->tables.reserve(m_->tables.size() + safe_reserve(count, s));
  for (uint32_t i = 0; i < count; ++i) m_->tables.push_back(SILK_TRY(read_table_type(s)));
  return {};
}

Result<void> ModuleDecoder::decode_memories(BinaryReader& s) {
  uint32_t count = SILK_TRY(s.u32());
  m_->memories.reserve(m_->memories.size() + safe_reserve(count, s));
  for (uint32_t i = 0; i < count; ++i) {
    MemoryType mem;
    mem.limits = SILK_TRY(read_limits(s));
    m_->memories.push_back(mem);
  }
  return {};
}

// ---------------------------------------------------------------------------
// Global, export, start sections (spec 5.5.9 - 5.5.11)

Result<void> ModuleDecoder::decode_globals(BinaryReader& s) {
  uint32_t count = SILK_TRY(s.u32());
  m_->globals.reserve(safe_reserve(count, s));
  for (uint32_t i = 0; i < count; ++i) {
    GlobalDef g;
    g.type = SILK_TRY(read_global_type(s));
    g.init = SILK_TRY(read_const_expr(s));
    m_->global_types.push_back(g.type);
    m_->globals.push_back(g);
  }
  return {};
}

Result<void> ModuleDecoder::decode_exports(BinaryReader& s) {
  uint32_t count = SILK_TRY(s.u32());
  m_->exports.reserve(safe_reserve(count, s));
  for (uint32_t i = 0; i < count; ++i) {
    Export e;
    e.name = SILK_TRY(s.name());
    uint64_t at = s.offset();
    uint8_t kind = SILK_TRY(s.u8());
    if (kind > 3) return BinaryReader::error_at(at, "malformed export kind");
    e.kind = ExternKind(kind);
    e.index = SILK_TRY(s.u32());
    if (e.kind == ExternKind::Func) func_refs_.push_back(e.index);
    m_->exports.push_back(std::move(e));
  }
  return {};
}

Result<void> ModuleDecoder::decode_start(BinaryReader& s) {
  m_->start = SILK_TRY(s.u32());
  return {};
}

// ---------------------------------------------------------------------------
// Element section (spec 5.5.12)
//
// The flags' three bits: bit 0 = passive or declarative (else active);
// bit 1 = declarative when bit 0 is set, else an explicit table index;
// bit 2 = elements are expressions (else function indices). Forms 0 and 4
// carry neither an elemkind nor a reftype: funcref is implied.

Result<ElemSegment> ModuleDecoder::read_elem_segment(BinaryReader& r) {
  uint64_t at = r.offset();
  uint32_t flags = SILK_TRY(r.u32());
  if (flags > 7) return BinaryReader::error_at(at, "malformed elements segment kind");
  ElemSegment seg;
  seg.uses_exprs = flags & 4;
  if (flags & 1) {
    seg.mode = (flags & 2) ? SegmentMode::Declarative : SegmentMode::Passive;
  } else {
    seg.mode = SegmentMode::Active;
    if (flags & 2) seg.table_index = SILK_TRY(r.u32());
    seg.offset = SILK_TRY(read_const_expr(r));
  }
  if (flags & 3) {
    if (seg.uses_exprs) {
      seg.elem_type = SILK_TRY(read_reftype(r));
    } else {
      uint64_t kind_at = r.offset();
      uint8_t kind = SILK_TRY(r.u8());  // elemkind: only 0x00 (funcref) exists
      if (kind != 0) return BinaryReader::error_at(kind_at, "malformed element kind");
    }
  }
  SILK_TRY(read_elem_items(r, seg));
  return seg;
}

Result<void> ModuleDecoder::read_elem_items(BinaryReader& r, ElemSegment& seg) {
  uint32_t count = SILK_TRY(r.u32());
  if (seg.uses_exprs) {
    seg.exprs.reserve(safe_reserve(count, r));
    for (uint32_t i = 0; i < count; ++i) seg.exprs.push_back(SILK_TRY(read_const_expr(r)));
    return {};
  }
  seg.func_indices.reserve(safe_reserve(count, r));
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t f = SILK_TRY(r.u32());
    seg.func_indices.push_back(f);
    func_refs_.push_back(f);
  }
  return {};
}

Result<void> ModuleDecoder::decode_elements(BinaryReader& s) {
  uint32_t count = SILK_TRY(s.u32());
  m_->elems.reserve(safe_reserve(count, s));
  for (uint32_t i = 0; i < count; ++i) m_->elems.push_back(SILK_TRY(read_elem_segment(s)));
  return {};
}

// ---------------------------------------------------------------------------
// Code section (spec 5.5.13)

Result<void> ModuleDecoder::decode_code(BinaryReader& s) {
  seen_code_ = true;
  uint64_t at = s.offset();
  uint32_t count = SILK_TRY(s.u32());
  if (count != num_defined_funcs_)
    return BinaryReader::error_at(at, "function and code section have inconsistent lengths");
  // {count} equals the function section's count, itself bounded by its bytes.
  m_->bodies.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    auto body = read_body(s);
    if (!body) {
      Error e = body.take_error();
      e.func_index = m_->num_imported_funcs + i;
      return e;
    }
    m_->bodies.push_back(std::move(*body));
  }
  return {};
}

// One entry: u32 size, then locals and the instructions, which must end with
// the `end` opcode. The instructions themselves are decoded by the validator.
Result<FunctionBody> ModuleDecoder::read_body(BinaryReader& r) {
  FunctionBody body;
  body.body_start = uint32_t(r.offset());
  uint32_t size = SILK_TRY(r.u32());
  if (size > r.remaining()) return r.error("unexpected end of section or function");
  BinaryReader b = take(r, size);
  SILK_TRY(read_locals(b, body));
  body.offset = uint32_t(b.offset());
  body.end = uint32_t(b.offset() + b.remaining());
  if (b.at_end()) return b.error("unexpected end of section or function");
  if (m_->bytes[body.end - 1] != 0x0b)
    return BinaryReader::error_at(body.end - 1, "END opcode expected");
  return body;
}

// Locals come as runs (count, type); the sum is checked before anything is
// expanded, so a huge count costs nothing (spec 5.5.13: the sum must fit in
// u32; we also cap it at kMaxLocals).
Result<void> ModuleDecoder::read_locals(BinaryReader& r, FunctionBody& body) {
  uint32_t num_runs = SILK_TRY(r.u32());
  std::vector<LocalRun> runs;
  runs.reserve(safe_reserve(num_runs, r));
  uint64_t total = 0;
  for (uint32_t i = 0; i < num_runs; ++i) {
    uint64_t at = r.offset();
    LocalRun run;
    run.count = SILK_TRY(r.u32());
    total += run.count;
    if (total > kMaxLocals) return BinaryReader::error_at(at, "too many locals");
    run.type = SILK_TRY(read_valtype(r));
    runs.push_back(run);
  }
  body.locals.reserve(total);
  for (const LocalRun& run : runs) body.locals.insert(body.locals.end(), run.count, run.type);
  return {};
}

// ---------------------------------------------------------------------------
// Data and data count sections (spec 5.5.14, 5.5.15)

// Flags: 0 = active in memory 0, 1 = passive, 2 = active with a memory index.
Result<DataSegment> ModuleDecoder::read_data_segment(BinaryReader& r) {
  uint64_t at = r.offset();
  uint32_t flags = SILK_TRY(r.u32());
  if (flags > 2) return BinaryReader::error_at(at, "malformed data segment kind");
  DataSegment seg;
  if (flags == 1) {
    seg.mode = SegmentMode::Passive;
  } else {
    if (flags == 2) seg.memory_index = SILK_TRY(r.u32());
    seg.offset = SILK_TRY(read_const_expr(r));
  }
  uint32_t size = SILK_TRY(r.u32());
  if (size > r.remaining()) return r.error("unexpected end of section or function");
  seg.data_offset = uint32_t(r.offset());
  seg.data_size = size;
  r.seek(r.pos() + size);
  return seg;
}

Result<void> ModuleDecoder::decode_datas(BinaryReader& s) {
  seen_data_ = true;
  uint64_t at = s.offset();
  uint32_t count = SILK_TRY(s.u32());
  if (m_->data_count && *m_->data_count != count)
    return BinaryReader::error_at(at, "data count and data section have inconsistent lengths");
  m_->datas.reserve(safe_reserve(count, s));
  for (uint32_t i = 0; i < count; ++i) m_->datas.push_back(SILK_TRY(read_data_segment(s)));
  return {};
}

Result<void> ModuleDecoder::decode_data_count(BinaryReader& s) {
  m_->data_count = SILK_TRY(s.u32());
  return {};
}

}  // namespace

Result<std::unique_ptr<Module>> decode_module(std::span<const uint8_t> bytes) {
  // Offsets into the module are uint32_t everywhere (ConstExpr, FunctionBody);
  // checked before the module is copied.
  if (bytes.size() > std::numeric_limits<uint32_t>::max())
    return BinaryReader::error_at(0, "module too large");
  return ModuleDecoder(bytes).decode();
}

}  // namespace silk::wasm
