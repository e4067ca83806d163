// silk::vmm::KvmVcpu — one virtual CPU of a KvmVm: its fd and the shared
// kvm_run page through which KVM reports each exit. Move-only; used by one
// thread at a time.
#pragma once

#include <linux/kvm.h>

#include <cstdint>

#include "common/result.h"
#include "vmm/kvm/fd.h"
#include "vmm/kvm/vm.h"

namespace silk::vmm {

class KvmVcpu {
 public:
  static Result<KvmVcpu> create(const KvmVm& vm, unsigned id);

  KvmVcpu(KvmVcpu&& other) noexcept;
  KvmVcpu& operator=(KvmVcpu&&) = delete;
  KvmVcpu(const KvmVcpu&) = delete;
  ~KvmVcpu();

  // Runs the vCPU until its next exit; the reason is then in state().
  // A signal interrupting KVM_RUN reports KVM_EXIT_INTR.
  Result<void> run();
  kvm_run& state() { return *run_; }
  int fd() const { return fd_.get(); }

  Result<kvm_regs> regs() const;
  Result<void> set_regs(const kvm_regs& regs);
  Result<kvm_sregs> sregs() const;
  Result<void> set_sregs(const kvm_sregs& sregs);
  // Gives the guest every CPUID leaf KVM supports on this host.
  Result<void> set_supported_cpuid(const KvmVm& vm);
  // The guest's TSC frequency (KVM_GET_TSC_KHZ), or an error when KVM does
  // not know it.
  Result<uint64_t> tsc_khz() const;

 private:
  KvmVcpu(Fd fd, kvm_run* run, size_t run_size) : fd_(std::move(fd)), run_(run), run_size_(run_size) {}
  Fd fd_;
  kvm_run* run_ = nullptr;
  size_t run_size_ = 0;
};

// "KVM_EXIT_SHUTDOWN (triple fault)"-style name of a kvm_run exit_reason.
const char* exit_reason_name(uint32_t reason);

}  // namespace silk::vmm
