#include "vmm/kvm/vcpu.h"

#include <sys/ioctl.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

namespace silk::vmm {
namespace {

Error ioctl_error(const char* what) { return make_error(std::string(what) + ": " + std::strerror(errno)); }

// struct kvm_cpuid2 is {u32 nent; u32 padding; kvm_cpuid_entry2 entries[];}.
// In C++, the uapi header's __DECLARE_FLEX_ARRAY adds an empty struct before
// the array, so sizeof(kvm_cpuid2) is 12 rather than the kernel's 8 and the
// _IOW/_IOWR numbers built from it are wrong (EINVAL): spell them with 8.
constexpr uint32_t kCpuidHeaderSize = 8;
constexpr unsigned long kGetSupportedCpuid = _IOC(_IOC_READ | _IOC_WRITE, KVMIO, 0x05, kCpuidHeaderSize);
constexpr unsigned long kSetCpuid2 = _IOC(_IOC_WRITE, KVMIO, 0x90, kCpuidHeaderSize);

}  // namespace

Result<KvmVcpu> KvmVcpu::create(const KvmVm& vm, unsigned id) {
  int run_size = ::ioctl(vm.kvm_fd(), KVM_GET_VCPU_MMAP_SIZE, 0);
  if (run_size < static_cast<int>(sizeof(kvm_run))) return ioctl_error("KVM_GET_VCPU_MMAP_SIZE");
  Fd fd(::ioctl(vm.vm_fd(), KVM_CREATE_VCPU, id));
  if (!fd.valid()) return ioctl_error("KVM_CREATE_VCPU");
  void* run = ::mmap(nullptr, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (run == MAP_FAILED) return ioctl_error("mmap(kvm_run)");
  return KvmVcpu(std::move(fd), static_cast<kvm_run*>(run), static_cast<size_t>(run_size));
}

KvmVcpu::KvmVcpu(KvmVcpu&& other) noexcept
    : fd_(std::move(other.fd_)), run_(std::exchange(other.run_, nullptr)), run_size_(other.run_size_) {}

KvmVcpu::~KvmVcpu() {
  if (run_ != nullptr) ::munmap(run_, run_size_);
}

Result<void> KvmVcpu::run() {
  if (::ioctl(fd_.get(), KVM_RUN, 0) < 0) {
    if (errno == EINTR || errno == EAGAIN) {
      run_->exit_reason = KVM_EXIT_INTR;
      return {};
    }
    return ioctl_error("KVM_RUN");
  }
  return {};
}

Result<kvm_regs> KvmVcpu::regs() const {
  kvm_regs r{};
  if (::ioctl(fd_.get(), KVM_GET_REGS, &r) < 0) return ioctl_error("KVM_GET_REGS");
  return r;
}

Result<void> KvmVcpu::set_regs(const kvm_regs& regs) {
  if (::ioctl(fd_.get(), KVM_SET_REGS, &regs) < 0) return ioctl_error("KVM_SET_REGS");
  return {};
}

Result<kvm_sregs> KvmVcpu::sregs() const {
  kvm_sregs s{};
  if (::ioctl(fd_.get(), KVM_GET_SREGS, &s) < 0) return ioctl_error("KVM_GET_SREGS");
  return s;
}

Result<void> KvmVcpu::set_sregs(const kvm_sregs& sregs) {
  if (::ioctl(fd_.get(), KVM_SET_SREGS, &sregs) < 0) return ioctl_error("KVM_SET_SREGS");
  return {};
}

Result<void> KvmVcpu::set_supported_cpuid(const KvmVm& vm) {
  // kvm_cpuid2 ends in a flexible array: allocate room for the entries.
  constexpr uint32_t kMaxEntries = 256;
  size_t bytes = kCpuidHeaderSize + kMaxEntries * sizeof(kvm_cpuid_entry2);
  auto storage = std::make_unique<uint32_t[]>((bytes + 3) / 4);
  // Only the header's nent is touched here (the entries go straight back to
  // KVM), so the C++ layout of kvm_cpuid2 never matters.
  storage[0] = kMaxEntries;
  if (::ioctl(vm.kvm_fd(), kGetSupportedCpuid, storage.get()) < 0) return ioctl_error("KVM_GET_SUPPORTED_CPUID");
  if (::ioctl(fd_.get(), kSetCpuid2, storage.get()) < 0) return ioctl_error("KVM_SET_CPUID2");
  return {};
}

Result<uint64_t> KvmVcpu::tsc_khz() const {
  int khz = ::ioctl(fd_.get(), KVM_GET_TSC_KHZ, 0);
  if (khz <= 0) return ioctl_error("KVM_GET_TSC_KHZ");
  return static_cast<uint64_t>(khz);
}

const char* exit_reason_name(uint32_t reason) {
  switch (reason) {
    case KVM_EXIT_UNKNOWN: return "KVM_EXIT_UNKNOWN";
    case KVM_EXIT_EXCEPTION: return "KVM_EXIT_EXCEPTION";
    case KVM_EXIT_IO: return "KVM_EXIT_IO";
    case KVM_EXIT_HYPERCALL: return "KVM_EXIT_HYPERCALL";
    case KVM_EXIT_DEBUG: return "KVM_EXIT_DEBUG";
    case KVM_EXIT_HLT: return "KVM_EXIT_HLT (the guest executed hlt)";
    case KVM_EXIT_MMIO: return "KVM_EXIT_MMIO (access outside guest RAM)";
    case KVM_EXIT_IRQ_WINDOW_OPEN: return "KVM_EXIT_IRQ_WINDOW_OPEN";
    case KVM_EXIT_SHUTDOWN: return "KVM_EXIT_SHUTDOWN (triple fault)";
    case KVM_EXIT_FAIL_ENTRY: return "KVM_EXIT_FAIL_ENTRY (invalid vCPU state)";
    case KVM_EXIT_INTR: return "KVM_EXIT_INTR";
    case KVM_EXIT_NMI: return "KVM_EXIT_NMI";
    case KVM_EXIT_INTERNAL_ERROR: return "KVM_EXIT_INTERNAL_ERROR";
    case KVM_EXIT_SYSTEM_EVENT: return "KVM_EXIT_SYSTEM_EVENT";
    case KVM_EXIT_X86_RDMSR: return "KVM_EXIT_X86_RDMSR";
    case KVM_EXIT_X86_WRMSR: return "KVM_EXIT_X86_WRMSR";
    case KVM_EXIT_X86_BUS_LOCK: return "KVM_EXIT_X86_BUS_LOCK";
    case KVM_EXIT_NOTIFY: return "KVM_EXIT_NOTIFY";
    default: return "KVM exit";
  }
}

}  // namespace silk::vmm
