// System calls that make, copy and change descriptors: open, openat,
// close, dup, dup2, dup3, fcntl (proc/fd_table.h holds the table).
#include "fs/file.h"
#include "fs/node.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "proc/fd_table.h"
#include "syscalls/args.h"
#include "syscalls/syscalls.h"

namespace silk::kernel::syscalls {
namespace {

constexpr int kFDupfd = 0, kFGetfd = 1, kFSetfd = 2, kFGetfl = 3, kFSetfl = 4, kFGetlk = 5, kFSetlk = 6,
              kFSetlkw = 7, kFOfdGetlk = 36, kFOfdSetlk = 37, kFOfdSetlkw = 38, kFDupfdCloexec = 1030;
constexpr uint32_t kFdCloexec = 1;
constexpr uint16_t kFUnlck = 2;
// What F_SETFL may change (fs/fcntl.c SETFL_MASK; O_ASYNC = 020000).
constexpr uint32_t kSetflMask = fs::kOAppend | fs::kONonblock | 020000 | fs::kODirect | fs::kONoatime;
// Flags that only matter while opening.
constexpr uint32_t kOpenOnly = fs::kOCreat | fs::kOExcl | fs::kONoctty | fs::kOTrunc | fs::kOCloexec;

int64_t open_at(uint64_t dirfd, uint64_t path, uint64_t flags, uint64_t mode) {
  const char* p;
  if (int64_t r = copy_path(path, 0, &p); r != 0) return r;
  fs::Node* base;
  if (int64_t r = base_of(dirfd, p, &base); r != 0) return r;
  auto f = static_cast<uint32_t>(flags);
  if ((f & fs::kOPath) != 0) f &= fs::kOPath | fs::kODirectory | fs::kONofollow | fs::kOCloexec;
  fs::Node* node;
  uint32_t masked = static_cast<uint32_t>(mode) & ~proc::fds::umask() & 07777;
  if (int r = fs::open(base, p, f, masked, &node); r != 0) return r;
  fs::File* file = fs::file_new(node, (f & ~kOpenOnly) | fs::kOLargefile);
  if (file == nullptr) {
    fs::free_if_unused(node);  // a generated /proc file nobody holds yet
    return -err::kNomem;
  }
  return proc::fds::install(file, (f & fs::kOCloexec) != 0);
}

// One advisory lock query (struct flock starts with a short l_type): no
// other process can hold a lock, so every range is unlocked.
int64_t report_unlocked(uint64_t flock) {
  uint16_t type = kFUnlck;
  return copy_to_user(flock, &type, sizeof type) ? 0 : -err::kFault;
}

}  // namespace

int64_t sys_open(uint64_t path, uint64_t flags, uint64_t mode, uint64_t, uint64_t, uint64_t) {
  return open_at(static_cast<uint64_t>(kAtFdcwd), path, flags, mode);
}
int64_t sys_openat(uint64_t dirfd, uint64_t path, uint64_t flags, uint64_t mode, uint64_t, uint64_t) {
  return open_at(dirfd, path, flags, mode);
}
int64_t sys_creat(uint64_t path, uint64_t mode, uint64_t, uint64_t, uint64_t, uint64_t) {
  return open_at(static_cast<uint64_t>(kAtFdcwd), path, fs::kOCreat | fs::kOWronly | fs::kOTrunc, mode);
}

int64_t sys_close(uint64_t fd, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return proc::fds::close(static_cast<int32_t>(fd));
}

int64_t sys_dup(uint64_t fd, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  fs::File* file = file_of(fd);
  if (file == nullptr) return -err::kBadf;
  fs::file_ref(file);
  return proc::fds::install(file, false);
}

int64_t sys_dup3(uint64_t old_fd, uint64_t new_fd, uint64_t flags, uint64_t, uint64_t, uint64_t) {
  if ((flags & ~uint64_t{fs::kOCloexec}) != 0) return -err::kInval;
  fs::File* file = file_of(old_fd);
  if (file == nullptr) return -err::kBadf;
  if (static_cast<int32_t>(old_fd) == static_cast<int32_t>(new_fd)) return -err::kInval;
  return proc::fds::install_at(static_cast<int32_t>(new_fd), file, flags != 0);
}

int64_t sys_dup2(uint64_t old_fd, uint64_t new_fd, uint64_t, uint64_t, uint64_t, uint64_t) {
  fs::File* file = file_of(old_fd);
  if (file == nullptr) return -err::kBadf;
  if (static_cast<int32_t>(old_fd) == static_cast<int32_t>(new_fd)) return static_cast<int32_t>(new_fd);
  return proc::fds::install_at(static_cast<int32_t>(new_fd), file, false);
}

int64_t sys_fcntl(uint64_t fd, uint64_t cmd, uint64_t arg, uint64_t, uint64_t, uint64_t) {
  fs::File* file = file_of(fd);
  if (file == nullptr) return -err::kBadf;
  auto n = static_cast<int32_t>(fd);
  switch (static_cast<int32_t>(cmd)) {
    case kFDupfd:
    case kFDupfdCloexec:
      if (static_cast<int32_t>(arg) < 0 || static_cast<int32_t>(arg) >= proc::fds::kMaxFds) return -err::kInval;
      fs::file_ref(file);
      return proc::fds::install(file, cmd == kFDupfdCloexec, static_cast<int32_t>(arg));
    case kFGetfd:
      return proc::fds::cloexec(n) ? kFdCloexec : 0;
    case kFSetfd:
      proc::fds::set_cloexec(n, (arg & kFdCloexec) != 0);
      return 0;
    case kFGetfl:
      return file->flags;
    case kFSetfl:
      if ((file->flags & fs::kOPath) != 0) return -err::kBadf;
      file->flags = (file->flags & ~kSetflMask) | (static_cast<uint32_t>(arg) & kSetflMask);
      return 0;
    case kFGetlk:
    case kFOfdGetlk:
      return report_unlocked(arg);
    case kFSetlk:
    case kFSetlkw:
    case kFOfdSetlk:
    case kFOfdSetlkw:
      return 0;  // one process: every lock is granted
    default:
      return -err::kInval;
  }
}

}  // namespace silk::kernel::syscalls
