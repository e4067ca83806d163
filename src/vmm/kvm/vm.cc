#include "vmm/kvm/vm.h"

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace silk::vmm {

Result<KvmVm> KvmVm::create() {
  Fd kvm(::open("/dev/kvm", O_RDWR | O_CLOEXEC));
  if (!kvm.valid()) {
    int err = errno;
    std::string why = std::strerror(err);
    if (err == ENOENT) return make_error("/dev/kvm: " + why + " (KVM is not available on this machine)");
    if (err == EACCES || err == EPERM)
      return make_error("/dev/kvm: " + why + " (add yourself to the group owning /dev/kvm, usually 'kvm')");
    return make_error("/dev/kvm: " + why);
  }
  int version = ::ioctl(kvm.get(), KVM_GET_API_VERSION, 0);
  if (version != KVM_API_VERSION)
    return make_error("/dev/kvm: KVM API version " + std::to_string(version) + ", silk needs " +
                      std::to_string(KVM_API_VERSION));
  Fd vm(::ioctl(kvm.get(), KVM_CREATE_VM, 0));
  if (!vm.valid()) return make_error(std::string("KVM_CREATE_VM: ") + std::strerror(errno));
  return KvmVm(std::move(kvm), std::move(vm));
}

Result<void> KvmVm::map_memory(const GuestMemory& memory) {
  kvm_userspace_memory_region region{};
  region.slot = 0;
  region.guest_phys_addr = 0;
  region.memory_size = memory.size();
  region.userspace_addr = reinterpret_cast<uint64_t>(memory.host_base());
  if (::ioctl(vm_.get(), KVM_SET_USER_MEMORY_REGION, &region) < 0)
    return make_error(std::string("KVM_SET_USER_MEMORY_REGION: ") + std::strerror(errno));
  return {};
}

}  // namespace silk::vmm
