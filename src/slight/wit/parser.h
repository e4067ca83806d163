// silk::slight::wit — parsing slight's WIT files and resolving the names they use.
//
//   auto pkg = Package::load({"wit/keyvalue.wit", "wit/http-server.wit"});
//   for (auto* iface : pkg->roots()) ...            // the files asked for
//   pkg->resolve(*iface, "request")                 // -> {http-types, record request}
//
// Grammar accepted (wit-bindgen 0.2): `resource r { [static] f: func(a: T, ...) [-> T] ... }`,
// `record`, `variant`, `enum`, `flags`, `union`, `type x = T`, free functions,
// `use { a, b as c } from file` / `use * from file`, `option<T>`, `expected<T, E>`
// (`_` = unit), `list<T>`, `tuple<...>`, `handle r`, primitive types, `//`, `///`
// (kept as docs) and nested `/* */` comments. Names are kebab-case; `%name` escapes a keyword.
// Errors: ErrorKind::Invalid (syntax, unknown or duplicate names) or Io, with a
// message that starts with "file:line:col: ".
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "slight/wit/ast.h"
#include "wasm/result.h"

namespace silk::slight::wit {

// Parses one file's text. {path} names it in errors; its stem names the interface.
wasm::Result<Interface> parse_interface(std::string_view text, const std::string& path);

class Package {
 public:
  // Loads {paths} and, transitively, the files they `use` (from the same
  // directory as the user, `<name>.wit`), then checks every name resolves.
  static wasm::Result<std::unique_ptr<Package>> load(const std::vector<std::string>& paths);
  // Same, from texts already in memory ({name} -> text); `use` finds other entries.
  static wasm::Result<std::unique_ptr<Package>> load_texts(
      const std::vector<std::pair<std::string, std::string>>& files, const std::vector<std::string>& roots);

  // Every interface loaded, dependencies before their users.
  const std::vector<std::unique_ptr<Interface>>& interfaces() const { return interfaces_; }
  // The interfaces that were asked for (in the order asked).
  const std::vector<const Interface*>& roots() const { return roots_; }
  const Interface* find(std::string_view name) const;

  struct Resolved {
    const Interface* iface = nullptr;  // where it is defined
    const TypeDef* def = nullptr;
  };
  // What {name}, as written in {iface}, refers to (following `use`, not aliases).
  std::optional<Resolved> resolve(const Interface& iface, std::string_view name) const;

 private:
  std::vector<std::unique_ptr<Interface>> interfaces_;
  std::vector<const Interface*> roots_;
};

}  // namespace silk::slight::wit
