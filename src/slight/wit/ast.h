// silk::slight::wit — the syntax tree of slight's WIT dialect (the wit-bindgen
// 0.2 era: `resource` with `static` functions, `expected<T, E>`, `unit`,
// `use { a, b } from file`). One .wit file is one Interface, named after the
// file stem; that name is also the wasm import module (ABI.md §2.1).
//
// Every node carries the place it came from, so later stages (name
// resolution, the ABI model, the generators) can report "file:line:col".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace silk::slight::wit {

struct SourceLoc {
  std::string file;
  uint32_t line = 0, col = 0;
  std::string str() const { return file + ":" + std::to_string(line) + ":" + std::to_string(col); }
};

enum class TypeKind : uint8_t {
  Bool, U8, S8, U16, S16, U32, S32, U64, S64, Float32, Float64, Char, String, Unit,
  Named,     // {name}: a type definition or a resource (then it is a handle)
  List,      // args[0]
  Option,    // args[0]
  Expected,  // args[0] = ok, args[1] = err
  Tuple,     // args
};

// A use of a type, as written.
struct TypeRef {
  TypeKind kind = TypeKind::Unit;
  std::string name;            // Named
  std::vector<TypeRef> args;   // List, Option, Expected, Tuple
  SourceLoc loc;
};

struct Field {  // record field or function parameter
  std::string name;
  TypeRef type;
  std::string docs;
  SourceLoc loc;
};

struct Case {  // variant/union case, enum/flags member
  std::string name;                // for unions: the case index as text
  std::optional<TypeRef> type;     // variant/union payload; none for enum/flags and payload-less cases
  std::string docs;
  SourceLoc loc;
};

struct Function {
  std::string name;
  std::string resource;  // owning resource, "" for a free function
  bool is_static = false;
  std::vector<Field> params;  // without the implicit `self` of a method
  TypeRef result;             // Unit when the function has no `->`
  std::string docs;
  SourceLoc loc;

  bool is_method() const { return !resource.empty() && !is_static; }
};

enum class DefKind : uint8_t { Record, Variant, Enum, Flags, Union, Alias, Resource };

struct TypeDef {
  DefKind kind = DefKind::Alias;
  std::string name;
  std::vector<Field> fields;        // Record
  std::vector<Case> cases;          // Variant, Enum, Flags, Union
  TypeRef alias;                    // Alias
  std::vector<Function> functions;  // Resource
  std::string docs;
  SourceLoc loc;
};

struct UseName {
  std::string name;   // in the other interface
  std::string alias;  // local name (== name unless `as`)
  SourceLoc loc;
};

struct Use {
  std::string from;            // interface (file stem)
  bool all = false;            // use * from x
  std::vector<UseName> names;
  SourceLoc loc;
};

struct Interface {
  std::string name;  // file stem: the import module name
  std::string path;
  std::string docs;
  std::vector<Use> uses;
  std::vector<TypeDef> types;       // in source order, resources included
  std::vector<Function> functions;  // free functions

  const TypeDef* find_local(std::string_view n) const {
    for (auto& t : types)
      if (t.name == n) return &t;
    return nullptr;
  }
};

}  // namespace silk::slight::wit
