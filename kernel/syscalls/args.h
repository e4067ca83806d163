// Checking and copying the arguments of the file system calls: user memory
// (proc::memory::prepare before every direct access), path strings,
// descriptors and the directory a *at() call starts from. Paths are copied
// into one of two static buffers (calls take at most two paths; nothing
// nests), which keeps the kernel stack small.
#pragma once

#include <stdint.h>

namespace silk::kernel::fs {
struct File;
struct Node;
}  // namespace silk::kernel::fs

namespace silk::kernel::syscalls {

inline constexpr int kAtFdcwd = -100;
// *at() flags (include/uapi/linux/fcntl.h).
inline constexpr uint64_t kAtSymlinkNofollow = 0x100, kAtRemovedir = 0x200, kAtEaccess = 0x200,
                          kAtSymlinkFollow = 0x400, kAtNoAutomount = 0x800, kAtEmptyPath = 0x1000;

bool user_readable(uint64_t address, uint64_t size);
bool user_writable(uint64_t address, uint64_t size);
// Copies to and from user memory; false: -EFAULT.
bool copy_to_user(uint64_t address, const void* src, uint64_t size);
bool copy_from_user(void* dst, uint64_t address, uint64_t size);

// Copies the user string at {address} into path buffer {slot} (0 or 1) and
// points {out} at it. 0, -EFAULT, -ENAMETOOLONG (no NUL in 4096 bytes).
int64_t copy_path(uint64_t address, int slot, const char** out);

// The open file of descriptor {fd} (the low 32 bits of the register, as
// Linux reads an int); nullptr for -EBADF.
fs::File* file_of(uint64_t fd);

// Where a *at() call's path {path} starts: the cwd for AT_FDCWD, else the
// directory open at {dirfd}. An absolute path ignores {dirfd}. -EBADF,
// -ENOTDIR.
int64_t base_of(uint64_t dirfd, const char* path, fs::Node** out);

// Resolves {path} from {dirfd} the way the stat/access family does:
// AT_EMPTY_PATH with "" names {dirfd}'s own node (any type), otherwise ""
// is -ENOENT; {follow}: follow a final symlink.
int64_t lookup_at(uint64_t dirfd, const char* path, bool follow, bool empty_path, fs::Node** out);

}  // namespace silk::kernel::syscalls
