// The monitor's seccomp allowlist (src/vmm/sandbox/seccomp_filter.h), loaded
// in a forked child: allowed calls work, anything else kills it with SIGSYS.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/ioctl.h>

#include <csignal>
#include <cstdlib>
#include <functional>

#include "vmm/sandbox/seccomp_filter.h"

namespace silk::vmm {
namespace {

// Runs {body} in a child under the filter (the policy's console is a pipe;
// {adjust} adds devices); its wait status.
template <typename F>
int run_filtered(F body, const std::function<void(SeccompPolicy&)>& adjust = {}) {
  int pipe_fds[2];
  EXPECT_EQ(pipe(pipe_fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    SeccompPolicy policy{/*vcpu_fd=*/-1, pipe_fds[1], pipe_fds[1], 0};
    if (adjust) adjust(policy);
    if (!install_seccomp_filter(policy)) _exit(100);
    body(pipe_fds[1]);
    _exit(0);
  }
  close(pipe_fds[1]);
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

TEST(SeccompFilter, AllowsTheConsoleAndExit) {
  int status = run_filtered([](int out) {
    if (write(out, "x", 1) != 1) _exit(1);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    void* p = malloc(1 << 20);  // may mmap
    free(p);
  });
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(SeccompFilter, KillsOpen) {
  int status = run_filtered([](int) { open("/etc/hostname", O_RDONLY); });
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

TEST(SeccompFilter, KillsSocketAndExecAndWritesElsewhere) {
  EXPECT_EQ(WTERMSIG(run_filtered([](int) { socket(AF_INET, SOCK_STREAM, 0); })), SIGSYS);
  EXPECT_EQ(WTERMSIG(run_filtered([](int) { execl("/bin/true", "true", nullptr); })), SIGSYS);
  EXPECT_EQ(WTERMSIG(run_filtered([](int out) { (void)write(out + 1, "x", 1); })), SIGSYS);
}

TEST(SeccompFilter, RefusesExecutableMemory) {
  int status = run_filtered([](int) {
    mmap(nullptr, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  });
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

bool killed_by_sigsys(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS; }
bool exited_ok(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

TEST(SeccompFilter, TapFdReadsAndWritesOnlyIt) {
  int tap[2];  // a socketpair stands in for the tap device
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, tap), 0);
  auto with_tap = [&](SeccompPolicy& p) { p.tap_fd = tap[0]; };
  EXPECT_TRUE(exited_ok(run_filtered(
      [&](int) {
        char frame[60] = {};
        if (write(tap[0], frame, sizeof frame) != sizeof frame) _exit(1);
        if (read(tap[0], frame, sizeof frame) != -1) _exit(2);  // nothing sent to this end: EAGAIN
      },
      with_tap)));
  EXPECT_TRUE(killed_by_sigsys(run_filtered([&](int) { (void)!write(tap[1], "x", 1); }, with_tap)));
  EXPECT_TRUE(killed_by_sigsys(run_filtered([&](int) { (void)!write(tap[0], "x", 1); })));  // no tap in the policy
  close(tap[0]);
  close(tap[1]);
}

TEST(SeccompFilter, DiskFdReadsWritesAndSyncsOnlyIt) {
  char path[] = "/tmp/silk_seccomp_disk_XXXXXX";
  int disk = mkstemp(path);
  ASSERT_GE(disk, 0);
  unlink(path);
  ASSERT_EQ(ftruncate(disk, 4096), 0);
  auto writable = [&](SeccompPolicy& p) { p.disk_fd = disk; };
  auto readonly = [&](SeccompPolicy& p) {
    p.disk_fd = disk;
    p.disk_readonly = true;
  };
  EXPECT_TRUE(exited_ok(run_filtered(
      [&](int) {
        char sector[512] = {1};
        if (pwrite(disk, sector, sizeof sector, 512) != sizeof sector) _exit(1);
        if (pread(disk, sector, sizeof sector, 0) != sizeof sector) _exit(2);
        if (fdatasync(disk) != 0) _exit(3);
      },
      writable)));
  char sector[512] = {};
  EXPECT_TRUE(exited_ok(run_filtered([&](int) { (void)!pread(disk, sector, sizeof sector, 0); }, readonly)));
  EXPECT_TRUE(killed_by_sigsys(run_filtered([&](int) { (void)!pwrite(disk, sector, sizeof sector, 0); }, readonly)));
  EXPECT_TRUE(killed_by_sigsys(run_filtered([&](int) { fdatasync(disk); }, readonly)));
  EXPECT_TRUE(killed_by_sigsys(run_filtered([&](int out) { (void)!pread(out, sector, 1, 0); }, writable)));
  EXPECT_TRUE(killed_by_sigsys(run_filtered([&](int) { (void)!pread(disk, sector, 1, 0); })));  // no disk
  close(disk);
}

TEST(SeccompFilter, UserNetworkingMakesOnlyIpv4TcpUdpAndPingSockets) {
  auto user = [](SeccompPolicy& p) { p.user_networking = true; };
  EXPECT_TRUE(exited_ok(run_filtered(
      [](int) {
        // What libslirp does for a UDP flow to the host: a datagram over
        // loopback, its size, the reply, the error queue.
        int rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        int tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (rx < 0 || tx < 0) _exit(1);
        sockaddr_in addr{};
        socklen_t len = sizeof addr;
        int one = 1;
        if (setsockopt(tx, SOL_IP, IP_RECVERR, &one, sizeof one) != 0) _exit(2);
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(9);  // discard: nobody listens, an ICMP error comes back
        if (sendto(tx, "x", 1, 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 1) _exit(3);
        if (getsockname(tx, reinterpret_cast<sockaddr*>(&addr), &len) != 0) _exit(4);
        int pending = 0;
        if (ioctl(tx, FIONREAD, &pending) != 0) _exit(5);
        char buf[256];
        msghdr msg{};
        iovec iov{buf, sizeof buf};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        (void)recvmsg(tx, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
        (void)recvfrom(tx, buf, sizeof buf, MSG_DONTWAIT, nullptr, nullptr);
        int flags = fcntl(rx, F_GETFL);  // slirp_set_nonblock()
        if (flags < 0 || fcntl(rx, F_SETFL, flags | O_NONBLOCK) != 0) _exit(6);
        int tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (tcp < 0) _exit(7);
        addr.sin_port = htons(9);
        (void)connect(tcp, reinterpret_cast<sockaddr*>(&addr), sizeof addr);  // refused, not killed
        shutdown(tcp, SHUT_RDWR);
        // Unprivileged ping sockets may be refused (ping_group_range), never killed.
        int ping = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
        if (ping >= 0) close(ping);
        close(tcp);
        close(tx);
        close(rx);
      },
      user)));
  EXPECT_TRUE(killed_by_sigsys(run_filtered([](int) { socket(AF_UNIX, SOCK_STREAM, 0); }, user)));
  EXPECT_TRUE(killed_by_sigsys(run_filtered([](int) { socket(AF_INET6, SOCK_DGRAM, 0); }, user)));
  EXPECT_TRUE(killed_by_sigsys(run_filtered([](int) { socket(AF_INET, SOCK_RAW, IPPROTO_TCP); }, user)));
  // A raw ICMP socket (slirp's fallback for ping) is refused, not fatal.
  EXPECT_TRUE(exited_ok(run_filtered(
      [](int) {
        if (socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP) != -1 || errno != EPERM) _exit(1);
      },
      user)));
  EXPECT_TRUE(killed_by_sigsys(run_filtered([](int) { socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP); }, user)));
  EXPECT_TRUE(killed_by_sigsys(run_filtered(
      [](int) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr);  // no new listeners
      },
      user)));
  EXPECT_TRUE(killed_by_sigsys(run_filtered(
      [](int) {
        int s = socket(AF_INET, SOCK_DGRAM, 0);
        char buf[8];
        msghdr msg{};
        iovec iov{buf, sizeof buf};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        recvmsg(s, &msg, MSG_DONTWAIT);  // only the error queue
      },
      user)));
  EXPECT_TRUE(killed_by_sigsys(run_filtered([](int) { fcntl(0, F_DUPFD, 10); }, user)));
  EXPECT_TRUE(killed_by_sigsys(run_filtered([](int) { open("/etc/resolv.conf", O_RDONLY); }, user)));
}

TEST(SeccompFilter, CountsMoreRulesForDevices) {
  SeccompPolicy devices;
  devices.tap_fd = 5;
  devices.disk_fd = 6;
  devices.user_networking = true;
  EXPECT_GT(seccomp_allowed_syscall_count(devices), seccomp_allowed_syscall_count());
}

}  // namespace
}  // namespace silk::vmm
