// silk::cli — the subcommands of the `silk` executable. Each one registers
// its options on the CLI11 app and runs from them; main.cc only dispatches.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vmm/initrd/app_image.h"

namespace CLI {
class App;
}

namespace silk::cli {

// silk wast FILE... [--verbose]: runs spec test scripts (wast_command.cc).
struct WastCommand {
  std::vector<std::string> files;
  bool verbose = false;
  bool trace = false;
  std::string bounds_checks = "guard";  // or "explicit"
};
CLI::App* add_wast_command(CLI::App& app, WastCommand& options);
int run_wast_command(const WastCommand& options);

// silk compile FILE.wasm: load + translate every function, and time it
// (compile_command.cc).
struct CompileCommand {
  std::string file;
};
CLI::App* add_compile_command(CLI::App& app, CompileCommand& options);
int run_compile_command(const CompileCommand& options);

// silk run [--dir HOST[::GUEST]]... [--env K=V]... [--inherit-env]
//          [--invoke NAME] APP.wasm [ARGS...]: runs a WASI command or
// reactor (run_command.cc). Returns the guest's exit status, 134 on a trap,
// 1 on bad input.
struct RunCommand {
  std::vector<std::string> dirs;
  std::vector<std::string> env;
  bool inherit_env = false;
  std::string invoke;
  std::vector<int> socket_fds;  // inherited host sockets for the guest
  std::vector<std::string> app_and_args;  // APP.wasm, then the guest's arguments
  // slight mode (a slightfile given: run's -c, else the top-level -c): the
  // app runs as `slight run` runs it (run_slight_command.cc).
  std::string config;
  bool link_all_capabilities = false;      // -l
  std::vector<std::string> process_args;   // silk's own argv: slight's guests see it
};
CLI::App* add_run_command(CLI::App& app, RunCommand& options);
int run_run_command(const RunCommand& options, const std::string& global_config = "");
// The slight mode of silk run, with {config} the slightfile.
int run_slight_app(const RunCommand& options, const std::string& config);

// silk [-c FILE] secret -k KEY -v VALUE [-c FILE]: encrypts VALUE as secret
// KEY of the slightfile (secret_command.cc). FILE: the subcommand's -c, else
// the top-level -c ({global_config}), else ./slightfile.toml. 0, or 1 on error.
struct SecretCommand {
  std::string key;
  std::string value;
  std::string config;
};
CLI::App* add_secret_command(CLI::App& app, SecretCommand& options);
int run_secret_command(const SecretCommand& options, const std::string& global_config);

// silk bindgen [--c|--host-cpp|--abi] [-o DIR] WIT... [--export WIT...]: bindings
// from slight's WIT files (bindgen_command.cc, src/slight/bindgen).
struct BindgenCommand {
  bool c = false, host_cpp = false, abi = false;
  std::string out_dir = ".";
  std::vector<std::string> imports, exports;
};
CLI::App* add_bindgen_command(CLI::App& app, BindgenCommand& options);
int run_bindgen_command(const BindgenCommand& options);

// silk run's app options (--dir, --env, --inherit-env, --invoke, -c, -l) on
// {cmd} (silk vm, silk image; {where}: "VM" or "image", for the help text);
// APP.wasm and everything after it go to {app_and_args} (app_options.cc).
void add_app_options(CLI::App* cmd, RunCommand& run, std::vector<std::string>& app_and_args, const char* where);
// What goes into the VM for those options and {app_and_args} (non-empty).
vmm::AppSpec app_spec(const RunCommand& run, const std::vector<std::string>& app_and_args);

// silk vm [--mem MiB] [--trace-boot] [silk run's options] APP.wasm [ARGS...]:
// runs a wasm app in silk's unikernel; silk vm [--initrd FILE] KERNEL.elf
// [-- CMDLINE...]: boots a kernel ELF (vm_command.cc, src/vmm). Returns the
// app's (guest's) status, 123 if the VM was stopped, 125 if it could not start.
struct VmCommand {
  uint64_t mem_mib = 256;
  std::string initrd;
  std::string kernel_override;
  bool trace_boot = false;
  bool kernel_messages = false;
  std::string ip, gateway;                  // app mode: the guest's IPv4 address (ADDR/PREFIX) and gateway
  std::string net;                          // --net tap:IFNAME | user
  std::vector<std::string> publish;         // -p [tcp:|udp:]HOSTPORT:GUESTPORT
  std::string disk;                         // --disk FILE
  bool disk_readonly = false;
  RunCommand run;                           // dirs, env, inherit_env, invoke, config, -l
  std::vector<std::string> file_and_args;  // APP.wasm or KERNEL.elf, then the rest
};
CLI::App* add_vm_command(CLI::App& app, VmCommand& options);
int run_vm_command(const VmCommand& options);

// silk image -o DIR [silk run's options] APP.wasm [ARGS...]: writes a bootable
// image of the app for QEMU and Firecracker (image_command.cc).
struct ImageCommand {
  std::string out_dir;
  uint64_t mem_mib = 256;
  std::string net;                   // --net user | tap:IFNAME (virtio-net in qemu.sh / firecracker.json)
  std::vector<std::string> publish;  // -p [tcp:|udp:]HOSTPORT:GUESTPORT (hostfwd, --net user)
  RunCommand run;
  std::vector<std::string> app_and_args;
};
CLI::App* add_image_command(CLI::App& app, ImageCommand& options);
int run_image_command(const ImageCommand& options);

}  // namespace silk::cli
