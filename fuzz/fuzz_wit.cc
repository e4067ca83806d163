// libFuzzer target for the WIT parser (src/slight/wit) and everything built on
// a parsed package: the canonical ABI model (sizes, alignments, flattening,
// signatures, the Appendix-B listing) and both generators (host C++ glue, C
// guest bindings).
//
// Input: one or more WIT texts separated by NUL bytes. The first is the root
// interface "fuzz"; the next ones are named "http-types", "blob-types",
// "types", "other" (so `use ... from` reaches them); after those come slight's
// own WIT files (SILK_SLIGHT_WIT_DIR), which `use` finds unless the input
// defines the same name. The root is loaded as an import interface and, when
// the model allows, as an export. Checked:
//  * no crash, sanitizer report or hang on any input;
//  * a refusal is an error whose message starts with "file:line:col: " or
//    names the missing file;
//  * sizes are multiples of alignments (records, tuples), alignments are
//    1, 2, 4 or 8, and a function's flat signature obeys the 16/1 limits.
//
// Build: cmake -DSILK_FUZZ=ON (build-fuzz/), ninja fuzz_wit; run:
//   scripts/fuzz wit [seconds]   (seeds: /work/shared/slight/wit)
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "slight/abi/canonical_abi.h"
#include "slight/bindgen/generators.h"
#include "slight/wit/parser.h"

namespace {

using namespace silk::slight;

std::vector<std::pair<std::string, std::string>> g_slight_wit;  // name.wit -> text

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_wit: %s: %s\n", what, detail.c_str());
  std::abort();
}

void check_type(abi::Model& model, const abi::Ty* t) {
  uint32_t size = model.size(t), align = model.align(t);
  if (align != 1 && align != 2 && align != 4 && align != 8) fail("bad alignment", model.type_name(t));
  if ((t->kind == abi::Ty::Kind::Record || t->kind == abi::Ty::Kind::Tuple) && size % align != 0)
    fail("record size not a multiple of its alignment", model.type_name(t));
  (void)model.flat(t);
  switch (t->kind) {
    case abi::Ty::Kind::Record:
    case abi::Ty::Kind::Tuple: {
      auto offsets = model.field_offsets(t);
      if (offsets.size() != t->args.size()) fail("field offsets", model.type_name(t));
      for (size_t i = 0; i < offsets.size(); i++)
        if (offsets[i] + model.size(t->args[i]) > size) fail("field past the end", model.type_name(t));
      break;
    }
    case abi::Ty::Kind::Variant:
    case abi::Ty::Kind::Enum:
    case abi::Ty::Kind::Union:
    case abi::Ty::Kind::Option:
    case abi::Ty::Kind::Expected:
      (void)model.tag_size(t);
      (void)model.payload_offset(t);
      (void)model.cases(t);
      (void)model.case_names(t);
      break;
    default: break;
  }
  (void)model.describe_layout(t, 0, "x", 0);
}

void exercise(const wit::Package& pkg) {
  abi::Model model(pkg);
  for (const auto& iface : pkg.interfaces()) {
    for (const wit::TypeDef& def : iface->types) {
      if (def.kind == wit::DefKind::Resource) {
        (void)model.handle_of(*iface, def.name);
        for (const wit::Function& f : def.functions)
          for (auto dir : {abi::Direction::Import, abi::Direction::Export}) {
            auto sig = model.signature(*iface, f, dir);
            if (sig.params.size() > abi::kMaxFlatParams + 1 || sig.results.size() > abi::kMaxFlatResults)
              fail("flat signature over the limits", f.name);
          }
        continue;
      }
      check_type(model, model.type_of(*iface, def));
    }
    for (const wit::Function& f : iface->functions) {
      for (auto& [name, t] : model.params(*iface, f)) check_type(model, t);
      check_type(model, model.type_of(*iface, f.result));
      for (auto dir : {abi::Direction::Import, abi::Direction::Export}) {
        auto sig = model.signature(*iface, f, dir);
        if (sig.params.size() > abi::kMaxFlatParams + 1 || sig.results.size() > abi::kMaxFlatResults)
          fail("flat signature over the limits", f.name);
        (void)model.params_size(*iface, f);
        (void)model.describe(*iface, f, dir);
      }
      (void)abi::Model::import_name(f);
    }
  }
  // Generators over the root, imported and exported.
  for (bool exported : {false, true}) {
    std::vector<bindgen::InterfaceRole> roles = {{pkg.roots()[0], exported}};
    (void)bindgen::describe_abi(model, roles);
    (void)bindgen::generate_host_cpp(model, roles);
    (void)bindgen::generate_c(model, roles);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (DIR* d = opendir(SILK_SLIGHT_WIT_DIR)) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (!name.ends_with(".wit")) continue;
      std::ifstream in(std::string(SILK_SLIGHT_WIT_DIR) + "/" + name, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      g_slight_wit.emplace_back(name, ss.str());
    }
    closedir(d);
  }
  if (g_slight_wit.empty()) fail("no WIT files in", SILK_SLIGHT_WIT_DIR);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const char* const kNames[] = {"fuzz.wit", "http-types.wit", "blob-types.wit", "types.wit", "other.wit"};
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::pair<std::string, std::string>> files;
  for (size_t i = 0; i < std::size(kNames); i++) {
    size_t nul = i + 1 < std::size(kNames) ? input.find('\0') : std::string_view::npos;
    files.emplace_back(kNames[i], std::string(input.substr(0, nul)));
    if (nul == std::string_view::npos) break;
    input.remove_prefix(nul + 1);
  }

  // The single-file parser on the root text.
  auto one = wit::parse_interface(files[0].second, files[0].first);
  if (!one.ok() && !one.error().message.starts_with("fuzz.wit:")) fail("error without a place", one.error().message);

  files.insert(files.end(), g_slight_wit.begin(), g_slight_wit.end());
  auto pkg = wit::Package::load_texts(files, {"fuzz.wit"});
  if (!pkg.ok()) {
    const std::string& m = pkg.error().message;
    if (m.empty()) fail("empty error", m);
    return 0;
  }
  if (!one.ok()) fail("the package loads but its root does not parse", one.error().message);
  exercise(**pkg);
  return 0;
}
