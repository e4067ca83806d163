// silk::vmm — silk's KVM monitor (KERNEL.md, "The monitor"): boots a kernel
// ELF in a VM with one vCPU, directly in 64-bit mode, and serves the hvt
// hypercalls of include/silk/hvt_abi.h until the guest halts. No device
// emulation and no interrupts: any VM exit other than a hypercall stops the
// VM with a message naming the exit and the guest's RIP.
//
// Single-threaded: run_vm() runs the vCPU on the calling thread.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "vmm/initrd/cpio_archive.h"

namespace silk::vmm {

struct VmConfig {
  std::string kernel;        // the kernel ELF (elf_loader.h); empty: the one embedded in silk
  std::string initrd;        // a file preloaded after the kernel, or empty
  const CpioArchive* initrd_archive = nullptr;  // or an archive built in memory (its big files are mapped)
  std::string cmdline;       // the kernel's command line
  uint64_t mem_bytes = 256ull << 20;  // guest RAM: 4 MiB .. 64 GiB, a multiple of 2 MiB
  int console_fd = 1;        // where ConsoleWrite goes
  int console_err_fd = 2;    // where ConsoleWrite of stream 2 goes
  int console_in_fd = 0;     // what ConsoleRead reads
  bool trace_boot = false;   // print timings and VM-exit counts to stderr
  bool seccomp = true;       // run the vCPU loop under the seccomp allowlist (sandbox/seccomp_filter.h)
};

// silk vm's exit status when it is not the guest's own (the guest's halt
// status is passed through, truncated to 8 bits by the OS).
inline constexpr int kExitGuestFault = 123;   // the VM was stopped: forbidden exit or bad hypercall
inline constexpr int kExitSetupFailed = 125;  // the VM could not start: KVM, kernel, initrd, options

struct VmExit {
  bool halted = false;  // the guest called Halt; else it was stopped
  int exit_status = 0;  // halted: the guest's status; stopped: kExitGuestFault
  std::string message;  // stopped: why ("KVM_EXIT_SHUTDOWN (triple fault) at RIP 0x...")
};

// Boots {config}.kernel and runs it to its end. An error means the VM could
// not be set up (/dev/kvm missing, bad ELF, ...), with a message naming the
// file or device and the problem.
Result<VmExit> run_vm(const VmConfig& config);

}  // namespace silk::vmm
