// run_bindgen: the command line shared by the build-time tool and `silk bindgen`.
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "slight/bindgen/generators.h"

namespace silk::slight::bindgen {
namespace {

bool make_dirs(const std::string& path) {
  std::string cur;
  std::stringstream ss(path);
  std::string part;
  if (!path.empty() && path[0] == '/') cur = "/";
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    cur += part + "/";
    if (mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) return false;
  }
  return true;
}

// Writes {text} unless the file already has it (so the build does not recompile what did not change).
bool write_if_changed(const std::string& path, const std::string& text) {
  {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      if (ss.str() == text) return true;
    }
  }
  size_t slash = path.find_last_of('/');
  if (slash != std::string::npos && !make_dirs(path.substr(0, slash))) return false;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return bool(out);
}

}  // namespace

int run_bindgen(const BindgenOptions& o) {
  std::vector<std::string> all = o.imports;
  all.insert(all.end(), o.exports.begin(), o.exports.end());
  if (all.empty()) {
    std::fprintf(stderr, "silk bindgen: no WIT files given\n");
    return 2;
  }
  auto pkg = wit::Package::load(all);
  if (!pkg.ok()) {
    std::fprintf(stderr, "silk bindgen: %s\n", pkg.error().message.c_str());
    return 1;
  }
  abi::Model model(**pkg);
  std::vector<InterfaceRole> roles;
  for (size_t i = 0; i < all.size(); i++) roles.push_back({(*pkg)->roots()[i], i >= o.imports.size()});
  if (o.mode == BindgenOptions::Mode::Abi) {
    std::fputs(describe_abi(model, roles).c_str(), stdout);
    return 0;
  }
  auto files = o.mode == BindgenOptions::Mode::C ? generate_c(model, roles) : generate_host_cpp(model, roles);
  if (!files.ok()) {
    std::fprintf(stderr, "silk bindgen: %s\n", files.error().message.c_str());
    return 1;
  }
  for (auto& f : *files) {
    std::string path = o.out_dir + "/" + f.name;
    if (!write_if_changed(path, f.text)) {
      std::fprintf(stderr, "silk bindgen: cannot write %s\n", path.c_str());
      return 1;
    }
    if (!o.quiet) std::printf("%s\n", path.c_str());
  }
  return 0;
}

}  // namespace silk::slight::bindgen
