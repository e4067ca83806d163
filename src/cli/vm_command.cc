// silk vm: boots a kernel ELF under silk's KVM monitor (src/vmm/monitor.h).
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "vmm/monitor.h"

namespace silk::cli {
namespace {

constexpr const char* kVmFooter = R"(
Boots KERNEL.elf (a fixed-address x86-64 ELF) in a one-vCPU KVM virtual machine,
directly in 64-bit mode, and serves the hvt hypercalls of include/silk/hvt_abi.h.
Words after -- form the kernel's command line.

Exit status: the guest's halt status; 123 if the VM was stopped because the guest
did something the monitor does not allow (a VM exit other than a hypercall, such
as hlt, a triple fault or I/O on another port, or a bad hypercall argument);
125 if the VM could not start (no /dev/kvm, bad kernel ELF, bad --mem/--initrd).)";

}  // namespace

CLI::App* add_vm_command(CLI::App& app, VmCommand& options) {
  CLI::App* cmd = app.add_subcommand("vm", "Boot a kernel ELF under silk's KVM monitor");
  cmd->add_option("--mem", options.mem_mib, "Guest RAM in MiB (even, 4 .. 65536)")->capture_default_str();
  cmd->add_option("--initrd", options.initrd, "Preload FILE after the kernel (boot info: initrd)")
      ->type_name("FILE");
  cmd->add_flag("--trace-boot", options.trace_boot, "Print boot timings and VM-exit counts to stderr");
  cmd->add_option("kernel", options.kernel, "The kernel ELF")->required()->type_name("KERNEL.elf");
  cmd->add_option("cmdline", options.cmdline, "The kernel command line (after --)");
  cmd->footer(kVmFooter);
  return cmd;
}

int run_vm_command(const VmCommand& options) {
  vmm::VmConfig config;
  config.kernel = options.kernel;
  config.initrd = options.initrd;
  for (const std::string& word : options.cmdline) {
    if (!config.cmdline.empty()) config.cmdline += ' ';
    config.cmdline += word;
  }
  config.mem_bytes = options.mem_mib << 20;
  config.trace_boot = options.trace_boot;
  auto exit = vmm::run_vm(config);
  if (!exit) {
    std::fprintf(stderr, "silk vm: %s\n", exit.error().message.c_str());
    return vmm::kExitSetupFailed;
  }
  if (!exit->halted) std::fprintf(stderr, "silk vm: VM stopped: %s\n", exit->message.c_str());
  return exit->exit_status;
}

}  // namespace silk::cli
