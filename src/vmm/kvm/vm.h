// silk::vmm::KvmVm — one KVM virtual machine: the /dev/kvm handle and the VM
// file descriptor. Move-only; the VM lives until it is destroyed.
#pragma once

#include <cstdint>

#include "common/result.h"
#include "vmm/kvm/fd.h"
#include "vmm/kvm/memory.h"

namespace silk::vmm {

class KvmVm {
 public:
  // Opens /dev/kvm, checks the KVM API version and creates an empty VM. The
  // error says what to do when /dev/kvm is missing or not accessible.
  static Result<KvmVm> create();

  // Maps {memory} at guest-physical 0 (slot 0). {memory} must outlive the VM.
  Result<void> map_memory(const GuestMemory& memory);

  int kvm_fd() const { return kvm_.get(); }
  int vm_fd() const { return vm_.get(); }

 private:
  KvmVm(Fd kvm, Fd vm) : kvm_(std::move(kvm)), vm_(std::move(vm)) {}
  Fd kvm_;
  Fd vm_;
};

}  // namespace silk::vmm
