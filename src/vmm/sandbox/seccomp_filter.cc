#include "vmm/sandbox/seccomp_filter.h"

#include <fcntl.h>
#include <linux/kvm.h>
#include <netinet/in.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

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
    add(SCMP_ACT_ALLOW, nr, cmp...);
  }
  // The call fails with {err} instead of killing: for calls a library makes
  // and copes with being refused.
  template <typename... Cmp>
  void refuse(int err, int nr, Cmp... cmp) {
    add(SCMP_ACT_ERRNO(static_cast<uint32_t>(err)), nr, cmp...);
  }
  int load() { return ctx_ == nullptr ? ENOMEM : -seccomp_load(ctx_); }

 private:
  template <typename... Cmp>
  void add(uint32_t action, int nr, Cmp... cmp) {
    if (ctx_ == nullptr || error_ != 0) return;
    constexpr unsigned n = sizeof...(Cmp);
    int rc = n == 0 ? seccomp_rule_add(ctx_, action, nr, 0) : seccomp_rule_add(ctx_, action, nr, n, cmp...);
    if (rc < 0) error_ = -rc;
    ++count_;
  }

  scmp_filter_ctx ctx_;
  int error_ = 0;
  int count_ = 0;
};

scmp_datum_t datum(long v) { return static_cast<scmp_datum_t>(v); }

// The devices' file descriptors, each only for its own calls.
void add_device_rules(Filter& f, const SeccompPolicy& policy) {
  if (policy.tap_fd >= 0) {  // NetRead / NetWrite of one frame (tap.cc)
    f.allow(SCMP_SYS(read), SCMP_A0(SCMP_CMP_EQ, datum(policy.tap_fd)));
    f.allow(SCMP_SYS(write), SCMP_A0(SCMP_CMP_EQ, datum(policy.tap_fd)));
  }
  if (policy.disk_fd >= 0) {  // BlockRead; BlockWrite and BlockFlush (file_disk.cc)
    f.allow(SCMP_SYS(pread64), SCMP_A0(SCMP_CMP_EQ, datum(policy.disk_fd)));
    if (!policy.disk_readonly) {
      f.allow(SCMP_SYS(pwrite64), SCMP_A0(SCMP_CMP_EQ, datum(policy.disk_fd)));
      f.allow(SCMP_SYS(fdatasync), SCMP_A0(SCMP_CMP_EQ, datum(policy.disk_fd)));
    }
  }
}

// libslirp (net/slirp.cc) is a NAT: while the VM runs it makes a host socket
// for each TCP connection, UDP flow and ICMP echo the guest starts, and
// accepts connections on the -p ports, so these calls cannot be tied to file
// descriptors known now. They are limited instead by what they can make:
// socket() only for IPv4 TCP (SOCK_STREAM, protocol 0), UDP (SOCK_DGRAM,
// protocol 0) and unprivileged ICMP echo (SOCK_DGRAM, IPPROTO_ICMP); no bind
// or listen (the -p listeners are bound during set-up), no other address
// family, no raw sockets (a raw ICMP one is refused with EPERM, below).
// Files stay closed: slirp's own DNS forwarding, which opens
// /etc/resolv.conf, is replaced by net/dns_relay.h.
void add_user_networking_rules(Filter& f) {
  // Any SOCK_CLOEXEC / SOCK_NONBLOCK flags (slirp_socket adds SOCK_CLOEXEC);
  // the upper 32 bits of an int argument are ignored.
  const scmp_datum_t type_mask = ~scmp_datum_t(SOCK_CLOEXEC | SOCK_NONBLOCK) & 0xffffffffu;
  f.allow(SCMP_SYS(socket), SCMP_A0(SCMP_CMP_EQ, AF_INET), SCMP_A1(SCMP_CMP_MASKED_EQ, type_mask, SOCK_STREAM),
          SCMP_A2(SCMP_CMP_EQ, 0));
  f.allow(SCMP_SYS(socket), SCMP_A0(SCMP_CMP_EQ, AF_INET), SCMP_A1(SCMP_CMP_MASKED_EQ, type_mask, SOCK_DGRAM),
          SCMP_A2(SCMP_CMP_EQ, 0));
  f.allow(SCMP_SYS(socket), SCMP_A0(SCMP_CMP_EQ, AF_INET), SCMP_A1(SCMP_CMP_MASKED_EQ, type_mask, SOCK_DGRAM),
          SCMP_A2(SCMP_CMP_EQ, IPPROTO_ICMP));
  // When ping sockets are not permitted (net.ipv4.ping_group_range), slirp
  // tries a raw ICMP socket, which would let it write any ICMP packet: refused
  // with EPERM, as for an unprivileged user, and slirp falls back to a UDP
  // probe of the echo port.
  f.refuse(EPERM, SCMP_SYS(socket), SCMP_A0(SCMP_CMP_EQ, AF_INET), SCMP_A1(SCMP_CMP_MASKED_EQ, type_mask, SOCK_RAW),
           SCMP_A2(SCMP_CMP_EQ, IPPROTO_ICMP));
  for (int nr : {
           SCMP_SYS(connect),      // tcp_fconnect: the guest's outgoing TCP connection
           SCMP_SYS(accept),       // tcp_connect: a host connection to a -p port
           SCMP_SYS(accept4),      //   (glibc may use either)
           SCMP_SYS(sendto),       // send/sendto: TCP data, UDP datagrams, ICMP echo, DNS queries
           SCMP_SYS(recvfrom),     // recv/recvfrom: the same, back
           SCMP_SYS(shutdown),     // half-closes a TCP connection when the guest or the peer sends FIN
           SCMP_SYS(setsockopt),   // SO_REUSEADDR, SO_OOBINLINE, TCP_NODELAY, IP_RECVERR, IP_TTL on new sockets
           SCMP_SYS(getsockopt),   // SO_ERROR after a failed connect or read
           SCMP_SYS(getsockname),  // the local address of an accepted connection
           SCMP_SYS(getpeername),  // whether a TCP peer is still connected (soread)
       })
    f.allow(nr);
  // slirp_set_nonblock(): fcntl(F_GETFL) then fcntl(F_SETFL, flags | O_NONBLOCK).
  f.allow(SCMP_SYS(fcntl), SCMP_A1(SCMP_CMP_EQ, F_GETFL));
  f.allow(SCMP_SYS(fcntl), SCMP_A1(SCMP_CMP_EQ, F_SETFL));
  // UDP flows have IP_RECVERR set: slirp reads the ICMP errors the host got
  // for them (to tell the guest) with recvmsg(MSG_ERRQUEUE), and only so.
  f.allow(SCMP_SYS(recvmsg), SCMP_A2(SCMP_CMP_MASKED_EQ, MSG_ERRQUEUE, MSG_ERRQUEUE));
  // sorecvfrom(): how many bytes the next UDP datagram holds.
  f.allow(SCMP_SYS(ioctl), SCMP_A1(SCMP_CMP_EQ, FIONREAD));
}

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
  add_device_rules(f, policy);
  if (policy.user_networking) add_user_networking_rules(f);
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

int seccomp_allowed_syscall_count(const SeccompPolicy& policy) {
  Filter filter;
  add_rules(filter, policy);
  return filter.count();
}

}  // namespace silk::vmm
