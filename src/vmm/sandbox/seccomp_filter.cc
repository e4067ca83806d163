#include "vmm/sandbox/seccomp_filter.h"

#include <linux/kvm.h>
#include <seccomp.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace silk::vmm {
namespace {

// System calls allowed with any arguments: memory for the C++ runtime
// (mmap without PROT_EXEC below), time, waiting, and leaving.
constexpr int kAnyArguments[] = {
    SCMP_SYS(brk),           SCMP_SYS(munmap),        SCMP_SYS(mremap),          SCMP_SYS(madvise),
    SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday),  SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep),
    SCMP_SYS(ppoll),         SCMP_SYS(poll),          SCMP_SYS(futex),           SCMP_SYS(rt_sigreturn),
    SCMP_SYS(rt_sigprocmask), SCMP_SYS(fstat),        SCMP_SYS(newfstatat),      SCMP_SYS(close),
    SCMP_SYS(exit),          SCMP_SYS(exit_group),    SCMP_SYS(getpid),          SCMP_SYS(gettid),
    SCMP_SYS(tgkill),  // abort() after a failed assertion still reports
};
constexpr unsigned long kVcpuIoctls[] = {KVM_RUN, KVM_GET_REGS, KVM_GET_SREGS};

class Filter {
 public:
  Filter() : ctx_(seccomp_init(SCMP_ACT_KILL_PROCESS)) {}
  ~Filter() {
    if (ctx_ != nullptr) seccomp_release(ctx_);
  }
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;

  bool ok() const { return ctx_ != nullptr && error_ == 0; }
  int error() const { return error_ != 0 ? error_ : ENOMEM; }
  int count() const { return count_; }

  template <typename... Cmp>
  void allow(int nr, Cmp... cmp) {
    if (ctx_ == nullptr || error_ != 0) return;
    constexpr unsigned n = sizeof...(Cmp);
    int rc = n == 0 ? seccomp_rule_add(ctx_, SCMP_ACT_ALLOW, nr, 0) : seccomp_rule_add(ctx_, SCMP_ACT_ALLOW, nr, n, cmp...);
    if (rc < 0) error_ = -rc;
    ++count_;
  }
  int load() { return ctx_ == nullptr ? ENOMEM : -seccomp_load(ctx_); }

 private:
  scmp_filter_ctx ctx_;
  int error_ = 0;
  int count_ = 0;
};

void add_rules(Filter& f, const SeccompPolicy& policy) {
  for (int nr : kAnyArguments) f.allow(nr);
  for (unsigned long request : kVcpuIoctls)
    f.allow(SCMP_SYS(ioctl), SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(policy.vcpu_fd)),
            SCMP_A1(SCMP_CMP_EQ, request));
  f.allow(SCMP_SYS(write), SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(policy.console_out_fd)));
  if (policy.console_err_fd != policy.console_out_fd)
    f.allow(SCMP_SYS(write), SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(policy.console_err_fd)));
  f.allow(SCMP_SYS(read), SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(policy.console_in_fd)));
  // malloc may need fresh memory, never executable memory.
  f.allow(SCMP_SYS(mmap), SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
  f.allow(SCMP_SYS(mprotect), SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
}

}  // namespace

Result<void> install_seccomp_filter(const SeccompPolicy& policy) {
  Filter filter;
  add_rules(filter, policy);
  if (!filter.ok()) return make_error(std::string("seccomp: building the filter: ") + std::strerror(filter.error()));
  if (int rc = filter.load(); rc != 0)
    return make_error(std::string("seccomp: loading the filter: ") + std::strerror(rc));
  return {};
}

int seccomp_allowed_syscall_count() {
  Filter filter;
  add_rules(filter, SeccompPolicy{});
  return filter.count();
}

}  // namespace silk::vmm
