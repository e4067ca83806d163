// silk::vmm — the monitor's seccomp allowlist (Firecracker's seccompiler,
// Solo5's hvt seccomp). Installed after set-up, right before the vCPU loop:
// from then on the monitor can only run the vCPU, serve the hypercalls
// (console, clock, poll) and exit. Any other system call kills the process
// with SIGSYS, so a monitor bug the guest manages to exploit cannot open
// files, make sockets or start programs.
#pragma once

#include "common/result.h"

namespace silk::vmm {

struct SeccompPolicy {
  int vcpu_fd = -1;        // ioctl: KVM_RUN (and register reads for fault reports) on this fd only
  int console_out_fd = 1;  // write
  int console_err_fd = 2;  // write
  int console_in_fd = 0;   // read
};

// Loads the filter for {policy} into this thread (and those it creates).
// Irreversible. An error means the kernel refused the filter.
Result<void> install_seccomp_filter(const SeccompPolicy& policy);

// How many system calls the filter allows (for --trace-boot).
int seccomp_allowed_syscall_count();

}  // namespace silk::vmm
