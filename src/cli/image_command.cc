// silk image: writes what QEMU or Firecracker need to boot an app in silk's
// unikernel: the kernel ELF, the initrd, the kernel command line, a QEMU
// microvm script and a Firecracker configuration.
#include <CLI/CLI.hpp>

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "cli/commands.h"
#include "vmm/embedded_kernel.h"
#include "vmm/initrd/app_image.h"
#include "vmm/net/net_config.h"

namespace silk::cli {
namespace {

constexpr const char* kImageFooter = R"(
Writes to DIR:
  silk-kernel.elf   the kernel (PVH entry for QEMU -M microvm and Firecracker)
  initrd.cpio       silk, its shared libraries, the app, its slightfile and the
                    --dir trees (cpio newc)
  cmdline.txt       the kernel command line
  qemu.sh           boots the image with qemu-system-x86_64 -M microvm (KVM when
                    /dev/kvm is usable, else TCG): the app's stdout on stdout,
                    its stderr on stderr, its exit status as the script's
  firecracker.json  a Firecracker configuration (firecracker --no-api
                    --config-file DIR/firecracker.json, run from DIR)
Exit status: 0, or 1 with a message when the app, a file or DIR cannot be used.)";

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

bool write_text(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return out.good() && ::chmod(path.c_str(), mode) == 0;
}

// QEMU's network arguments for --net/-p: a virtio-net device on the
// microvm's virtio-mmio bus, with user networking (hostfwd for each -p) or a tap.
std::string qemu_net_args(const vmm::NetConfig& net) {
  if (net.kind == vmm::NetConfig::Kind::kNone) return "";
  std::string netdev;
  if (net.kind == vmm::NetConfig::Kind::kUser) {
    netdev = "user,id=n0";
    for (const vmm::PortForward& f : net.forwards)
      netdev += std::string(",hostfwd=") + (f.udp ? "udp" : "tcp") + ":127.0.0.1:" + std::to_string(f.host_port) +
                "-:" + std::to_string(f.guest_port);
  } else {
    netdev = "tap,id=n0,ifname=" + net.tap_name + ",script=no,downscript=no";
  }
  return " \\\n  -netdev " + netdev + " -device virtio-net-device,netdev=n0";
}

std::string qemu_script(uint64_t mem_mib, const std::string& net_args) {
  return R"SH(#!/bin/sh
# Boots this silk image under QEMU -M microvm (written by silk image).
# COM1 is the app's stdout; COM2 its stderr (and the kernel's messages),
# copied to this script's stderr when QEMU exits; COM3 the exit status, which
# becomes this script's (isa-debug-exit alone carries only 7 bits).
dir=$(cd "$(dirname "$0")" && pwd)
accel="-accel tcg"
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then accel="-enable-kvm -cpu host,-arch-capabilities"; fi
err_file=$(mktemp)
status_file=$(mktemp)
trap 'rm -f "$err_file" "$status_file"' EXIT
qemu-system-x86_64 -M microvm,acpi=off $accel -m )SH" +
         std::to_string(mem_mib) + R"SH(M -nodefaults -no-user-config -nographic -no-reboot \
  -serial stdio -chardev "file,id=stderr,path=$err_file" -device isa-serial,chardev=stderr,iobase=0x2f8,irq=3 \
  -chardev "file,id=status,path=$status_file" -device isa-serial,chardev=status,iobase=0x3e8,irq=5 \
  -device isa-debug-exit,iobase=0xf4,iosize=4 \
  -kernel "$dir/silk-kernel.elf" -initrd "$dir/initrd.cpio" -append "$(cat "$dir/cmdline.txt")")SH" +
         net_args + R"SH(
qemu_status=$?
cat "$err_file" >&2
status=$(sed -n 's/^exit \([0-9][0-9]*\)$/\1/p' "$status_file" | tail -n 1)
if [ -n "$status" ]; then exit "$status"; fi
if [ $((qemu_status & 1)) -eq 1 ]; then exit $((qemu_status >> 1)); fi
echo "qemu.sh: the guest did not report an exit status (QEMU exited with $qemu_status)" >&2
exit 125
)SH";
}

std::string firecracker_config(const std::string& cmdline, uint64_t mem_mib, const vmm::NetConfig& net) {
  // Firecracker's network device is a tap (it has no user-mode networking).
  std::string interfaces = net.kind == vmm::NetConfig::Kind::kTap
                               ? "[{ \"iface_id\": \"eth0\", \"host_dev_name\": " + json_string(net.tap_name) +
                                     ", \"guest_mac\": \"52:54:00:12:34:56\" }]"
                               : "[]";
  return "{\n"
         "  \"boot-source\": {\n"
         "    \"kernel_image_path\": \"silk-kernel.elf\",\n"
         "    \"initrd_path\": \"initrd.cpio\",\n"
         "    \"boot_args\": " + json_string(cmdline) + "\n"
         "  },\n"
         "  \"drives\": [],\n"
         "  \"network-interfaces\": " + interfaces + ",\n"
         "  \"machine-config\": { \"vcpu_count\": 1, \"mem_size_mib\": " + std::to_string(mem_mib) + " }\n"
         "}\n";
}

}  // namespace

CLI::App* add_image_command(CLI::App& app, ImageCommand& options) {
  CLI::App* cmd = app.add_subcommand("image", "Write a bootable image of a wasm app for QEMU microvm and Firecracker");
  cmd->add_option("-o,--output", options.out_dir, "Directory to write (created if missing)")
      ->required()
      ->type_name("DIR");
  cmd->add_option("--mem", options.mem_mib, "Guest RAM in MiB for the QEMU script and Firecracker config")
      ->capture_default_str();
  cmd->add_option("--net", options.net, "A network device: user (QEMU user networking) or tap:IFNAME")
      ->type_name("user|tap:IFNAME");
  cmd->add_option("-p", options.publish, "With --net user: forward 127.0.0.1:HOSTPORT to the guest's GUESTPORT")
      ->type_name("[tcp:|udp:]HOSTPORT:GUESTPORT");
  add_app_options(cmd, options.run, options.app_and_args, "image");
  cmd->footer(kImageFooter);
  return cmd;
}

int run_image_command(const ImageCommand& options) {
  auto fail = [](const std::string& what) {
    std::fprintf(stderr, "silk image: %s\n", what.c_str());
    return 1;
  };
  if (options.app_and_args.empty()) return fail("missing APP.wasm (see silk image --help)");
  std::span<const uint8_t> kernel = vmm::embedded_kernel();
  if (kernel.empty()) return fail("this silk was built without the kernel (-DSILK_KERNEL=OFF)");

  vmm::NetConfig net;
  if (!options.net.empty()) {
    auto parsed = vmm::parse_net_option(options.net);
    if (!parsed) return fail(parsed.error().message);
    net = *parsed;
  }
  for (const std::string& p : options.publish) {
    auto forward = vmm::parse_port_forward(p);
    if (!forward) return fail(forward.error().message);
    net.forwards.push_back(*forward);
  }
  if (auto r = vmm::check_net_config(net); !r) return fail(r.error().message);

  vmm::AppSpec spec = app_spec(options.run, options.app_and_args);
  auto image = vmm::build_app_image(spec);
  if (!image) return fail(image.error().message);

  const std::string& dir = options.out_dir;
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return fail(dir + ": " + std::strerror(errno));
  std::string cmdline = vmm::app_kernel_cmdline(*image, true);
  if (!write_text(dir + "/silk-kernel.elf", std::string(kernel.begin(), kernel.end()), 0644))
    return fail(dir + "/silk-kernel.elf: cannot write");
  if (auto r = image->initrd.write_file(dir + "/initrd.cpio"); !r) return fail(r.error().message);
  if (!write_text(dir + "/cmdline.txt", cmdline + "\n", 0644)) return fail(dir + "/cmdline.txt: cannot write");
  if (!write_text(dir + "/qemu.sh", qemu_script(options.mem_mib, qemu_net_args(net)), 0755)) return fail(dir + "/qemu.sh: cannot write");
  if (!write_text(dir + "/firecracker.json", firecracker_config(cmdline, options.mem_mib, net), 0644))
    return fail(dir + "/firecracker.json: cannot write");
  std::printf("silk image: wrote %s (kernel %zu KiB, initrd %llu KiB); boot it with %s/qemu.sh\n", dir.c_str(),
              kernel.size() >> 10, static_cast<unsigned long long>(image->initrd.size() >> 10), dir.c_str());
  return 0;
}

}  // namespace silk::cli
