// The process's file state: its descriptor table (kMaxFds slots, each an
// open file, fs/file.h, and the close-on-exec flag), its working directory
// and its umask. Descriptors are allocated lowest-free, as POSIX requires;
// 0, 1 and 2 start as /dev/console (O_RDWR).
#pragma once

#include <stdint.h>

namespace silk::kernel::fs {
struct File;
struct Node;
}  // namespace silk::kernel::fs

namespace silk::kernel::proc::fds {

inline constexpr int kMaxFds = 1024;  // RLIMIT_NOFILE

// Opens the standard descriptors and sets the cwd to the root.
void init();

// The open file behind {fd}; nullptr when {fd} is not open (-EBADF).
fs::File* get(int64_t fd);

// Gives {file} the lowest free descriptor >= {min_fd}; takes over the
// caller's reference. The descriptor, or -EMFILE (the reference is then
// dropped) / -EINVAL ({min_fd} out of range).
int install(fs::File* file, bool cloexec, int64_t min_fd = 0);
// Points {fd} at {file} (closing what was there), taking a new reference.
// -EBADF when {fd} is out of range.
int install_at(int64_t fd, fs::File* file, bool cloexec);
// -EBADF when not open.
int close(int64_t fd);

bool cloexec(int64_t fd);
void set_cloexec(int64_t fd, bool on);

// The working directory (referenced) and changing it.
fs::Node* cwd();
void set_cwd(fs::Node* dir);

// The umask (0022 at start); set_umask returns the previous one.
uint32_t umask();
uint32_t set_umask(uint32_t mask);

}  // namespace silk::kernel::proc::fds
