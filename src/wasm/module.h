// silk::wasm — the decoded module: what the binary says, in plain data.
//
// Produced by decode_module() (module_decoder.h), checked by validate_module()
// (validator.h), immutable afterwards and shared by every instance made from it.
// Function bodies are not parsed here: a FunctionBody records where its code is
// in {bytes}, and the validator and the translator read it from there.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <functional>
#include <unordered_map>
#include <vector>

#include "wasm/types.h"

namespace silk::wasm {

// A constant expression (spec 3.3.10): kept as its raw bytes (up to and
// including the final `end`), evaluated at instantiation.
struct ConstExpr {
  uint32_t offset = 0;  // into Module::bytes
  uint32_t size = 0;
};

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t type_index = 0;  // Func: index into Module::types
  TableType table;          // Table
  MemoryType memory;        // Memory
  GlobalType global;        // Global
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
};

struct GlobalDef {
  GlobalType type;
  ConstExpr init;
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElemSegment {
  SegmentMode mode = SegmentMode::Active;
  ValType elem_type = ValType::FuncRef;
  uint32_t table_index = 0;  // Active only
  ConstExpr offset;          // Active only
  // Exactly one of these is used: plain function indices (elemkind 0x00 forms)
  // or one constant expression per element (the expression forms).
  bool uses_exprs = false;
  std::vector<uint32_t> func_indices;
  std::vector<ConstExpr> exprs;
  uint32_t size() const { return uses_exprs ? uint32_t(exprs.size()) : uint32_t(func_indices.size()); }
};

struct DataSegment {
  SegmentMode mode = SegmentMode::Active;  // Active or Passive
  uint32_t memory_index = 0;
  ConstExpr offset;
  uint32_t data_offset = 0;  // into Module::bytes
  uint32_t data_size = 0;
};

// A run of locals of one type, as the code section declares them.
struct LocalRun {
  uint32_t count = 0;
  ValType type = ValType::I32;
};

struct FunctionBody {
  uint32_t offset = 0;       // of the first instruction, in Module::bytes
  uint32_t end = 0;          // one past the final `end` opcode
  uint32_t body_start = 0;   // of the body's size field (for error offsets)
  std::vector<ValType> locals;  // declared locals, expanded (params not included)
};

struct TranslationCache;  // interpreter/translator.cc

struct Module {
  std::vector<uint8_t> bytes;  // the whole binary; offsets above point into it

  std::vector<FuncType> types;
  std::vector<Import> imports;
  // Index spaces: imported entries first, then the module's own.
  std::vector<uint32_t> func_types;   // type index of every function
  std::vector<TableType> tables;
  std::vector<MemoryType> memories;
  std::vector<GlobalType> global_types;  // every global, imported first
  std::vector<GlobalDef> globals;         // defined globals only
  std::vector<Export> exports;
  // Export name -> index into {exports}; filled by load_module.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, uint32_t, NameHash, std::equal_to<>> export_index;
  std::optional<uint32_t> start;
  std::vector<ElemSegment> elems;
  std::vector<DataSegment> datas;
  std::optional<uint32_t> data_count;
  std::vector<FunctionBody> bodies;  // defined functions only

  uint32_t num_imported_funcs = 0;
  uint32_t num_imported_tables = 0;
  uint32_t num_imported_memories = 0;
  uint32_t num_imported_globals = 0;

  // From the `name` custom section, when present and well formed.
  std::string module_name;
  std::unordered_map<uint32_t, std::string> function_names;

  // Functions that may be named by ref.func in code: those mentioned in
  // element segments, exports, or global initializers (spec 3.4.10, C.refs).
  std::vector<bool> declared_func_refs;

  // Tier-0 code, translated lazily and shared by every instance and thread
  // (made by load_module; see interpreter/translator.cc).
  mutable std::shared_ptr<TranslationCache> translations;

  const FuncType& func_type(uint32_t func_index) const { return types[func_types[func_index]]; }
  uint32_t num_funcs() const { return uint32_t(func_types.size()); }
  // The function's name from the name section, or "" when it has none.
  std::string function_name(uint32_t func_index) const;
};

}  // namespace silk::wasm
