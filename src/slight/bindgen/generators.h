// silk::slight::bindgen — code generators over a parsed WIT package.
//
// * Host C++ glue (generate_host_cpp): per interface a header and a source,
//   "slight/bindings/<iface>.h/.cc": the interface's types as C++ (structs for
//   records, tagged structs for variants, enum classes for enums), an abstract
//   class per resource and one `<Iface>Host` class (static functions and free
//   functions) that capability backends implement, and
//   `register_<iface>_imports(store, resolver, host)` which binds the module's
//   imports to host functions doing the canonical ABI work. For interfaces the
//   guest exports (http-handler, http-server-export), `call_<func>(store,
//   instance, args..., export_name)` lowers the arguments, calls the export,
//   lifts the result and frees the guest's buffers.
// * C guest bindings (generate_c): per interface "<iface>.h" + "<iface>.c" in
//   wit-bindgen 0.2's C style (ABI.md §8), for imports or exports.
// Errors: a WIT construct the generator does not support (handles crossing an
// export, handles of another interface's resource) is an Invalid error naming it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "slight/abi/canonical_abi.h"

namespace silk::slight::bindgen {

struct GeneratedFile {
  std::string name;  // relative path, e.g. "slight/bindings/keyvalue.h"
  std::string text;
};

struct InterfaceRole {
  const wit::Interface* iface = nullptr;
  bool exported = false;  // the guest exports its functions (host calls them)
};

wasm::Result<std::vector<GeneratedFile>> generate_host_cpp(abi::Model& model, const std::vector<InterfaceRole>& roles);
wasm::Result<std::vector<GeneratedFile>> generate_c(abi::Model& model, const std::vector<InterfaceRole>& roles);

// The listing of ABI.md Appendix B for {roles}.
std::string describe_abi(abi::Model& model, const std::vector<InterfaceRole>& roles);

// Command line shared by the build-time tool and `silk bindgen`:
//   --c | --host-cpp | --abi, -o DIR, [--export] FILE.wit ...
struct BindgenOptions {
  enum class Mode { C, HostCpp, Abi } mode = Mode::C;
  std::string out_dir = ".";
  std::vector<std::string> imports;  // WIT files the guest imports
  std::vector<std::string> exports;  // WIT files the guest exports
  bool quiet = false;
};
// Runs bindgen; prints errors to stderr; returns a process exit code.
int run_bindgen(const BindgenOptions& options);

}  // namespace silk::slight::bindgen
