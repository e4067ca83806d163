// silk::slight::abi — the wit-bindgen 0.2.0 canonical ABI (pre-component-model),
// as slight v0.5.1 uses it (ABI.md §2): memory sizes and alignments, flattening
// into core wasm values, core signatures with the return-area rule, import
// names. Pure computation over a parsed wit::Package; the generators (host C++
// glue, C guest bindings) and `silk bindgen --abi` build on it.
//
//   Model model(*pkg);
//   const Ty* t = model.type_of(iface, fn.result);
//   model.size(t), model.align(t), model.flat(t);
//   CoreSignature sig = model.signature(fn, Direction::Import);
//
// Rules, exactly as wit-bindgen 0.2.0 `sizealign.rs` / `abi.rs`:
// * record/tuple: fields in order, each aligned; size rounded up to the max align.
// * variant/enum/option/expected/union: tag u8 (<=256 cases), u16 (<=65536), u32;
//   every case's payload at align_to(tag size, max case align); size = max over
//   cases of align_to(tag size, THAT case's align) + case size — not rounded up
//   (this can be smaller than payload offset + case size: see read-stream::available).
// * flags: u8/u16/u32 for <=8/16/32 members, else n x u32.
// * flat: variant = i32 tag + position-wise join of the cases (i32|f32 -> i32,
//   anything with 64 bits -> i64). At most 16 flat params (else one i32 pointer)
//   and 1 flat result (else: imports get a trailing i32 retptr param and return
//   nothing; exports return an i32 pointer to the result).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "slight/wit/parser.h"

namespace silk::slight::abi {

enum class CoreType : uint8_t { I32, I64, F32, F64 };
const char* to_string(CoreType t);  // "i32", ...

// A type with names resolved: aliases are transparent, named definitions keep
// their definition (for names and case lists).
struct Ty {
  enum class Kind : uint8_t {
    Bool, U8, S8, U16, S16, U32, S32, U64, S64, Float32, Float64, Char, String, Unit,
    List, Option, Expected, Tuple, Record, Variant, Enum, Flags, Union, Handle,
  };
  Kind kind = Kind::Unit;
  const wit::TypeDef* def = nullptr;      // Record, Variant, Enum, Flags, Union, Handle (the resource)
  const wit::Interface* iface = nullptr;  // where {def} is defined
  // List/Option: [elem]; Expected: [ok, err]; Tuple/Record: fields;
  // Variant/Union: one per case (Unit for a case without payload).
  std::vector<const Ty*> args;
  bool is_named() const { return def != nullptr; }
};

// The WIT spelling of a primitive kind ("u32", "float64", "char", "string",
// "unit"); null for composite and named kinds.
const char* primitive_wit_name(Ty::Kind k);
// The C/C++ type of a numeric or bool kind ("uint32_t", "double", "bool");
// null for the others (char, string and unit differ between C and C++).
const char* primitive_c_type(Ty::Kind k);

enum class Direction : uint8_t {
  Import,  // guest calls host (slight's capabilities)
  Export,  // host calls guest (http-handler, http-server-export)
};

struct CoreSignature {
  std::vector<CoreType> params, results;
  bool retptr = false;           // the result lives in memory (import: trailing param; export: returned pointer)
  bool indirect_params = false;  // >16 flat params: one i32 pointer to a params record
};

constexpr size_t kMaxFlatParams = 16;
constexpr size_t kMaxFlatResults = 1;

uint32_t align_to(uint32_t v, uint32_t align);

class Model {
 public:
  explicit Model(const wit::Package& pkg) : pkg_(pkg) {}
  const wit::Package& package() const { return pkg_; }

  // {t} as written in {iface}. The package was checked, so names resolve.
  const Ty* type_of(const wit::Interface& iface, const wit::TypeRef& t);
  // A named definition's type.
  const Ty* type_of(const wit::Interface& iface, const wit::TypeDef& def);
  const Ty* primitive(Ty::Kind kind);
  const Ty* handle_of(const wit::Interface& iface, const std::string& resource);

  uint32_t size(const Ty* t) const;
  uint32_t align(const Ty* t) const;
  std::vector<CoreType> flat(const Ty* t) const;
  // Variant-like types: tag size in bytes and where every payload starts.
  uint32_t tag_size(const Ty* t) const;
  uint32_t payload_offset(const Ty* t) const;
  // Record/tuple field offsets.
  std::vector<uint32_t> field_offsets(const Ty* t) const;
  // Case types of a variant-like type (Option: none, some; Expected: ok, err).
  std::vector<const Ty*> cases(const Ty* t);
  std::vector<std::string> case_names(const Ty* t) const;

  // A function's parameters as types, `self` (a handle) first for methods.
  std::vector<std::pair<std::string, const Ty*>> params(const wit::Interface& iface, const wit::Function& f);
  CoreSignature signature(const wit::Interface& iface, const wit::Function& f, Direction dir);
  // The record of all params, used when indirect_params (and by describe()).
  uint32_t params_size(const wit::Interface& iface, const wit::Function& f);

  // Import field name: "<resource>::<func>" or the bare name (ABI.md §2.1).
  static std::string import_name(const wit::Function& f);

  // A WIT-ish name for diagnostics and the ABI listing: "expected<list<u8>,keyvalue-error>".
  std::string type_name(const Ty* t) const;

  // The Appendix-B style listing of one function (header line + return-area
  // layout) and of one type's memory layout; `silk bindgen --abi` prints these.
  std::string describe(const wit::Interface& iface, const wit::Function& f, Direction dir);
  std::string describe_layout(const Ty* t, uint32_t offset, const std::string& path, int indent);

 private:
  Ty* make(Ty::Kind kind);

  const wit::Package& pkg_;
  std::deque<Ty> types_;
  std::map<const wit::TypeDef*, const Ty*> named_;
  std::map<Ty::Kind, const Ty*> primitives_;
};

}  // namespace silk::slight::abi
