// silk-bindgen: the build-time generator (the same code as `silk bindgen`,
// without the rest of silk, so it can be built before the bindings it makes).
//   silk-bindgen (--host-cpp | --c | --abi) [-o DIR] [--quiet] FILE.wit... [--export FILE.wit...]
#include <cstdio>
#include <cstring>

#include "slight/bindgen/generators.h"

int main(int argc, char** argv) {
  silk::slight::bindgen::BindgenOptions o;
  bool exporting = false;
  for (int i = 1; i < argc; i++) {
    const char* a = argv[i];
    if (!std::strcmp(a, "--host-cpp")) o.mode = silk::slight::bindgen::BindgenOptions::Mode::HostCpp;
    else if (!std::strcmp(a, "--c")) o.mode = silk::slight::bindgen::BindgenOptions::Mode::C;
    else if (!std::strcmp(a, "--abi")) o.mode = silk::slight::bindgen::BindgenOptions::Mode::Abi;
    else if (!std::strcmp(a, "--quiet")) o.quiet = true;
    else if (!std::strcmp(a, "--export")) exporting = true;
    else if (!std::strcmp(a, "--import")) exporting = false;
    else if (!std::strcmp(a, "-o") && i + 1 < argc) o.out_dir = argv[++i];
    else if (a[0] == '-') {
      std::fprintf(stderr, "usage: silk-bindgen (--host-cpp|--c|--abi) [-o DIR] FILE.wit... [--export FILE.wit...]\n");
      return 2;
    } else (exporting ? o.exports : o.imports).push_back(a);
  }
  return silk::slight::bindgen::run_bindgen(o);
}
