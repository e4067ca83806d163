// silk::vmm — what `silk vm APP.wasm` and `silk image` put in the VM: the
// runtime (this silk binary and the shared objects the dynamic loader gave
// it, at the paths it found them), the app, its slightfile and the --dir
// trees at their absolute host paths, and the kernel command line that runs
// `silk run` on them with the host's working directory. The app therefore
// sees the same argv, the same paths and the same exit status as under
// `silk run`.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "vmm/initrd/cpio_archive.h"

namespace silk::vmm {

// silk run's options, as the user gave them.
struct AppSpec {
  std::string app;                  // APP.wasm as given
  std::vector<std::string> args;    // the guest's arguments after APP.wasm
  std::vector<std::string> dirs;    // HOST[::GUEST]
  std::vector<std::string> env;     // K=V
  bool inherit_env = false;         // copied into the image as --env values
  std::string invoke;
  std::string slightfile;           // slight mode when not empty
  bool link_all_capabilities = false;
  // The runtime's own environment inside the VM (/etc/silk/environ): silk vm
  // passes its own, as a process it started would inherit it (slight's
  // configs.envvars and $TMPDIR read it); silk image passes none.
  std::vector<std::string> runtime_environment;
};

struct AppImage {
  CpioArchive initrd;
  std::vector<std::string> argv;  // the runtime's argv inside the VM
  std::string cwd;                // its working directory
};

// Where the runtime lives inside the VM.
inline constexpr const char* kRuntimePath = "/usr/bin/silk";
// Where silk vm --disk mounts the disk's file system in app mode; the
// runtime's $TMPDIR points there (slight's keyvalue.filesystem lives in
// $TMPDIR/<name>, so its keys outlive the VM).
inline constexpr const char* kAppDiskPath = "/var/lib/silk/disk";

// Builds the image for {spec}. Errors name the file or directory that cannot
// be read (the app, the slightfile, a --dir, a shared object).
Result<AppImage> build_app_image(const AppSpec& spec);

// The kernel command line for {image}: "quiet cwd=DIR -- ARGV...", each word
// double-quoted (\" and \\ escaped) when it is empty or holds a space, a
// quote or a backslash. {quiet} = false keeps the kernel's boot messages.
std::string app_kernel_cmdline(const AppImage& image, bool quiet);

}  // namespace silk::vmm
