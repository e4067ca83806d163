// silk::cli — the `spectest` host module that the spec test scripts import
// from (the reference interpreter's interpreter/host/spectest.ml):
//
//   func   print, print_i32, print_i64, print_f32, print_f64,
//          print_i32_f32, print_f64_f64     (print their arguments, or not)
//   global global_i32 = 666, global_i64 = 666,
//          global_f32 = 666.6, global_f64 = 666.6  (all immutable)
//   table  table: funcref, min 10, max 20
//   memory memory: min 1, max 2 pages
//
// Its objects live in the Store it was created in.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "wasm/engine.h"

namespace silk::cli {

class SpectestHost {
 public:
  // Creates every spectest object in {store}; the print functions write
  // their arguments to stdout only when {print} is set.
  static wasm::Result<SpectestHost> create(wasm::Store& store, bool print);

  // The export called {name}, or nothing if spectest has none.
  std::optional<wasm::Extern> find(std::string_view name) const;

 private:
  std::map<std::string, wasm::Extern, std::less<>> exports_;
};

}  // namespace silk::cli
