// silk bindgen: generates bindings from slight's WIT files (src/slight/bindgen).
//   silk bindgen --c [-o DIR] keyvalue.wit http-server.wit --export http-handler.wit
//   silk bindgen --abi keyvalue.wit          (the ABI.md Appendix B listing)
//   silk bindgen --host-cpp -o DIR ...       (what the build generates for silk itself)
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "slight/bindgen/generators.h"

namespace silk::cli {

CLI::App* add_bindgen_command(CLI::App& app, BindgenCommand& o) {
  CLI::App* cmd = app.add_subcommand("bindgen", "generate C guest bindings (or host glue) from slight WIT files");
  cmd->add_flag("--c", o.c, "C guest bindings: <iface>.h + <iface>.c per WIT file (default)");
  cmd->add_flag("--host-cpp", o.host_cpp, "silk's host-side C++ glue");
  cmd->add_flag("--abi", o.abi, "print each function's core signature and return-area layout");
  cmd->add_option("-o,--out-dir", o.out_dir, "output directory")->default_val(".");
  cmd->add_option("wit", o.imports, "WIT files whose functions the guest imports");
  cmd->add_option("--export", o.exports, "WIT files whose functions the guest exports (http-handler, ...)");
  return cmd;
}

int run_bindgen_command(const BindgenCommand& o) {
  slight::bindgen::BindgenOptions b;
  if (int(o.c) + int(o.host_cpp) + int(o.abi) > 1) {
    std::fprintf(stderr, "silk bindgen: choose one of --c, --host-cpp, --abi\n");
    return 2;
  }
  b.mode = o.host_cpp ? slight::bindgen::BindgenOptions::Mode::HostCpp
           : o.abi    ? slight::bindgen::BindgenOptions::Mode::Abi
                      : slight::bindgen::BindgenOptions::Mode::C;
  b.out_dir = o.out_dir;
  b.imports = o.imports;
  b.exports = o.exports;
  return slight::bindgen::run_bindgen(b);
}

}  // namespace silk::cli
