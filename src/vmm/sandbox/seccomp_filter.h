// silk::vmm — the monitor's seccomp allowlist (Firecracker's seccompiler,
// Solo5's hvt seccomp). Installed after set-up, right before the vCPU loop:
// from then on the monitor can only run the vCPU, serve the hypercalls
// (console, clock, poll, and the devices it was given: the tap fd, the disk
// fd, libslirp's sockets) and exit. Any other system call kills the process
// with SIGSYS, so a monitor bug the guest manages to exploit cannot open
// files or start programs, nor make sockets unless the VM has user-mode
// networking (whose NAT makes sockets on the guest's behalf). The rules and
// why each one is there: seccomp_filter.cc and src/vmm/README.md.
#pragma once

#include "common/result.h"

namespace silk::vmm {

struct SeccompPolicy {
  int vcpu_fd = -1;        // ioctl: KVM_RUN (and register reads for fault reports) on this fd only
  int console_out_fd = 1;  // write
  int console_err_fd = 2;  // write
  int console_in_fd = 0;   // read
  int tap_fd = -1;         // read, write: the tap device's frames
  int disk_fd = -1;        // pread64; pwrite64 and fdatasync unless disk_readonly
  bool disk_readonly = false;
  bool user_networking = false;  // libslirp: AF_INET sockets for its NAT and port forwards
};

// Loads the filter for {policy} into this thread (and those it creates).
// Irreversible. An error means the kernel refused the filter.
Result<void> install_seccomp_filter(const SeccompPolicy& policy);

// How many rules the filter for {policy} has (for --trace-boot).
int seccomp_allowed_syscall_count(const SeccompPolicy& policy = {});

}  // namespace silk::vmm
