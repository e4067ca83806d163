// The monitor's seccomp allowlist (src/vmm/sandbox/seccomp_filter.h), loaded
// in a forked child: allowed calls work, anything else kills it with SIGSYS.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "vmm/sandbox/seccomp_filter.h"

namespace silk::vmm {
namespace {

// Runs {body} in a child under the filter; its wait status.
template <typename F>
int run_filtered(F body) {
  int pipe_fds[2];
  EXPECT_EQ(pipe(pipe_fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    SeccompPolicy policy{/*vcpu_fd=*/-1, pipe_fds[1], pipe_fds[1], 0};
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

}  // namespace
}  // namespace silk::vmm
