// silk vm: runs a wasm app (like silk run) inside silk's unikernel, or boots a
// kernel ELF directly, under silk's KVM monitor (src/vmm/monitor.h).
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <optional>

#include "cli/commands.h"
#include "slight/slightfile/slightfile.h"
#include "vmm/initrd/app_image.h"
#include "vmm/monitor.h"

extern char** environ;

namespace silk::cli {
namespace {

constexpr const char* kVmFooter = R"(
silk vm [OPTIONS] APP.wasm [ARGS...] runs APP.wasm as `silk run` would, with the
same options, output and exit status, inside a one-vCPU KVM virtual machine that
runs silk's own kernel (embedded in this binary). The VM's initrd holds this silk
binary and its shared libraries, the app, its slightfile and copies of the --dir
trees at their host paths (writes inside the VM stay in the VM). The console
carries the app's stdin, stdout and stderr.

silk vm [OPTIONS] KERNEL.elf [-- CMDLINE...] boots a kernel ELF (a fixed-address
x86-64 ELF) directly, in 64-bit mode; words after -- form its command line.

Devices (both modes): --net tap:IFNAME attaches an existing tap interface;
--net user gives the VM user-mode networking (libslirp, no privileges needed):
the guest is 10.0.2.15/24, 10.0.2.2 the gateway and the host's 127.0.0.1, 10.0.2.3
the DNS server (relayed to the host's resolver), and -p 8080:80 forwards
127.0.0.1:8080 on the host to port 80 in the guest (-p udp:5353:53 for UDP).
--disk FILE is the block device: FILE's whole 512-byte sectors, locked while the
VM runs; writes are durable once the guest flushes (--disk-readonly: no writes).

Exit status: the app's (or the guest's halt status); 123 if the VM was stopped
because the guest did something the monitor does not allow (a VM exit other than
a hypercall, such as hlt, a triple fault or I/O on another port, or a bad
hypercall argument); 125 if the VM could not start (no usable /dev/kvm, bad
kernel ELF, bad --mem/--initrd, an unreadable app, slightfile or --dir, a device
that cannot be opened).)";

enum class FileKind { kWasm, kElf, kOther };

FileKind sniff(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return FileKind::kOther;
  unsigned char magic[4] = {};
  ssize_t n = ::read(fd, magic, sizeof magic);
  ::close(fd);
  if (n == 4 && std::memcmp(magic, "\0asm", 4) == 0) return FileKind::kWasm;
  if (n == 4 && std::memcmp(magic, "\177ELF", 4) == 0) return FileKind::kElf;
  return FileKind::kOther;
}

// Clear words for the usual reasons /dev/kvm cannot be used.
std::string kvm_problem() {
  if (::access("/dev/kvm", F_OK) != 0)
    return "/dev/kvm does not exist: KVM is not available on this machine (no virtualization support, or the kvm "
           "module is not loaded)";
  if (::access("/dev/kvm", R_OK | W_OK) != 0)
    return "/dev/kvm is not accessible to this user (add the user to the kvm group, or run as root)";
  return "";
}

// --net, -p, --disk and --disk-readonly into {config}.
Result<void> configure_devices(const VmCommand& options, vmm::VmConfig& config) {
  if (!options.net.empty()) config.net = SILK_TRY(vmm::parse_net_option(options.net));
  for (const std::string& spec : options.publish)
    config.net.forwards.push_back(SILK_TRY(vmm::parse_port_forward(spec)));
  SILK_TRY(vmm::check_net_config(config.net));
  if (options.disk_readonly && options.disk.empty()) return make_error("--disk-readonly needs --disk FILE");
  config.disk = options.disk;
  config.disk_readonly = options.disk_readonly;
  return {};
}

}  // namespace

CLI::App* add_vm_command(CLI::App& app, VmCommand& options) {
  CLI::App* cmd = app.add_subcommand("vm", "Run a wasm app (or boot a kernel ELF) in silk's unikernel under KVM");
  cmd->add_option("--mem", options.mem_mib, "Guest RAM in MiB (even, 4 .. 65536)")->capture_default_str();
  cmd->add_option("--initrd", options.initrd, "Kernel mode: preload FILE after the kernel (boot info: initrd)")
      ->type_name("FILE");
  cmd->add_option("--kernel", options.kernel_override, "App mode: boot this kernel ELF instead of the embedded one")
      ->type_name("FILE");
  cmd->add_flag("--trace-boot", options.trace_boot, "Print boot timings and VM-exit counts to stderr");
  cmd->add_flag("--kernel-messages", options.kernel_messages, "App mode: keep the kernel's boot messages");
  cmd->add_option("--ip", options.ip, "App mode: the guest's IPv4 address (default: --net user's, else DHCP)")
      ->type_name("ADDR/PREFIX");
  cmd->add_option("--gateway", options.gateway, "App mode: the guest's default gateway")->type_name("ADDR");
  cmd->add_option("--net", options.net, "Network device: an existing tap interface, or user-mode networking")
      ->type_name("tap:IFNAME|user");
  cmd->add_option("-p,--publish", options.publish,
                  "With --net user: forward 127.0.0.1:HOSTPORT to the guest's GUESTPORT (TCP unless udp:); repeatable")
      ->type_name("[udp:]HOSTPORT:GUESTPORT");
  cmd->add_option("--disk", options.disk, "Block device backed by FILE (whole 512-byte sectors)")->type_name("FILE");
  cmd->add_flag("--disk-readonly", options.disk_readonly, "Open the --disk file read-only (BlockWrite fails)");
  add_app_options(cmd, options.run, options.file_and_args, "VM");
  cmd->footer(kVmFooter);
  return cmd;
}

// A slight server (the slightfile declares `http`) in a VM without a network
// device, or without a way in, serves nobody: say how to reach it (the app
// still runs; a bad slightfile is reported by silk run inside).
void warn_if_unreachable_server(const VmCommand& options) {
  if (options.run.config.empty() || (!options.net.empty() && options.net != "user") || !options.publish.empty())
    return;
  auto file = slight::load_slightfile(options.run.config);
  if (!file || !file->has(slight::CapabilityGroup::Http)) return;
  std::fprintf(stderr,
               "silk vm: %s declares an http server, but nothing outside the VM can reach it: add --net user "
               "-p HOSTPORT:PORT (the app's port; slight's demo listens on 0.0.0.0:3000), or --net tap:IF\n",
               options.run.config.c_str());
}

int run_vm_command(const VmCommand& options) {
  if (options.file_and_args.empty()) {
    std::fprintf(stderr, "silk vm: missing APP.wasm or KERNEL.elf (see silk vm --help)\n");
    return vmm::kExitSetupFailed;
  }
  const std::string& file = options.file_and_args.front();
  std::vector<std::string> rest(options.file_and_args.begin() + 1, options.file_and_args.end());

  vmm::VmConfig config;
  config.mem_bytes = options.mem_mib << 20;
  config.trace_boot = options.trace_boot;
  if (auto devices = configure_devices(options, config); !devices) {
    std::fprintf(stderr, "silk vm: %s\n", devices.error().message.c_str());
    return vmm::kExitSetupFailed;
  }
  std::optional<vmm::AppImage> image;
  switch (sniff(file)) {
    case FileKind::kElf:
      config.kernel = file;
      config.initrd = options.initrd;
      if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
      for (const std::string& word : rest) {
        if (!config.cmdline.empty()) config.cmdline += ' ';
        config.cmdline += word;
      }
      break;
    case FileKind::kWasm:
    case FileKind::kOther: {  // silk run inside reports what is wrong with it, as hosted
      vmm::AppSpec spec = app_spec(options.run, options.file_and_args);
      warn_if_unreachable_server(options);
      for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        // With a disk, $TMPDIR is the disk (below): slight keeps keyvalue.filesystem there.
        if (!options.disk.empty() && std::strncmp(*e, "TMPDIR=", 7) == 0) continue;
        spec.runtime_environment.emplace_back(*e);
      }
      if (!options.disk.empty()) spec.runtime_environment.push_back(std::string("TMPDIR=") + vmm::kAppDiskPath);
      auto built = vmm::build_app_image(spec);
      if (!built) {
        std::fprintf(stderr, "silk vm: %s\n", built.error().message.c_str());
        return vmm::kExitSetupFailed;
      }
      image.emplace(std::move(*built));
      config.kernel = options.kernel_override;
      config.initrd_archive = &image->initrd;
      config.cmdline = vmm::app_kernel_cmdline(*image, !options.kernel_messages);
      // The kernel's network words (kernel/README.md): a static address
      // instead of DHCP, e.g. on a tap device.
      if (!options.gateway.empty()) config.cmdline = "gw=" + options.gateway + " " + config.cmdline;
      if (!options.ip.empty()) config.cmdline = "ip=" + options.ip + " " + config.cmdline;
      // The disk's file system is mounted at kAppDiskPath rather than the
      // kernel's default /tmp, which would hide app files the initrd holds
      // under the host's /tmp.
      if (!options.disk.empty()) config.cmdline = std::string("disk=") + vmm::kAppDiskPath + " " + config.cmdline;
      if (options.trace_boot) config.cmdline = "trace-boot " + config.cmdline;
      break;
    }
  }
  if (std::string problem = kvm_problem(); !problem.empty()) {
    std::fprintf(stderr, "silk vm: %s\n", problem.c_str());
    return vmm::kExitSetupFailed;
  }
  auto exit = vmm::run_vm(config);
  if (!exit) {
    std::fprintf(stderr, "silk vm: %s\n", exit.error().message.c_str());
    return vmm::kExitSetupFailed;
  }
  if (!exit->halted) std::fprintf(stderr, "silk vm: VM stopped: %s\n", exit->message.c_str());
  return exit->exit_status;
}

}  // namespace silk::cli
