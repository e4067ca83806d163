// System calls on names and metadata: the stat family (stat, lstat, fstat,
// newfstatat, statx), access/faccessat(2), mkdir(at), rmdir, unlink(at),
// rename(at, at2), link(at), symlink(at), readlink(at), chdir, fchdir,
// getcwd, utimensat, chmod/fchmod/fchmodat and umask (fs/vfs.h does the
// work).
#include "fs/devices.h"
#include "fs/durable/durable.h"
#include "fs/file.h"
#include "fs/node.h"
#include "fs/path.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "proc/fd_table.h"
#include "syscalls/args.h"
#include "syscalls/syscalls.h"

namespace silk::kernel::syscalls {
namespace {

struct Stat {  // struct stat, x86-64 (arch/x86/include/uapi/asm/stat.h)
  uint64_t dev, ino, nlink;
  uint32_t mode, uid, gid, pad0;
  uint64_t rdev;
  int64_t size, blksize, blocks;
  int64_t atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
  int64_t reserved[3];
};
static_assert(sizeof(Stat) == 144);

struct StatxTime {
  int64_t sec;
  uint32_t nsec;
  int32_t reserved;
};
struct Statx {  // struct statx (include/uapi/linux/stat.h)
  uint32_t mask, blksize;
  uint64_t attributes;
  uint32_t nlink, uid, gid;
  uint16_t mode, spare0;
  uint64_t ino, size, blocks, attributes_mask;
  StatxTime atime, btime, ctime, mtime;
  uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
  uint64_t mnt_id;
  uint32_t dio_mem_align, dio_offset_align;
  uint64_t spare3[12];
};
static_assert(sizeof(Statx) == 256);

constexpr uint32_t kStatxBasicStats = 0x7ff, kStatxMntId = 0x1000, kStatxReserved = 0x80000000u;
constexpr uint64_t kAtStatxSyncType = 0x6000;
constexpr int64_t kUtimeNow = (1 << 30) - 1, kUtimeOmit = (1 << 30) - 2;
constexpr uint64_t kRenameNoreplace = 1;

uint32_t major_of(uint32_t dev) { return (dev & 0xfff00) >> 8; }
uint32_t minor_of(uint32_t dev) { return (dev & 0xff) | ((dev >> 12) & 0xfff00); }

int64_t size_of(const fs::Node* node) {
  if (node->is_dir()) return 4096;
  return node->is_regular() || node->is_symlink() ? static_cast<int64_t>(node->size) : 0;
}
int64_t blocks_of(const fs::Node* node) {
  if (node->is_dir()) return 8;
  return node->is_regular() ? static_cast<int64_t>(align_up(node->size, 4096) / 512) : 0;
}

int64_t put_stat(const fs::Node* node, uint64_t buf) {
  Stat st{};
  st.dev = fs::devices::encode(fs::kDeviceMajor, fs::kDeviceMinor);
  st.ino = node->ino;
  st.nlink = node->nlink;
  st.mode = node->mode;
  st.rdev = node->rdev;
  st.size = size_of(node);
  st.blksize = 4096;
  st.blocks = blocks_of(node);
  st.atime = node->atime.sec, st.atime_ns = node->atime.nsec;
  st.mtime = node->mtime.sec, st.mtime_ns = node->mtime.nsec;
  st.ctime = node->ctime.sec, st.ctime_ns = node->ctime.nsec;
  return copy_to_user(buf, &st, sizeof st) ? 0 : -err::kFault;
}

StatxTime statx_time(fs::Time t) { return StatxTime{t.sec, static_cast<uint32_t>(t.nsec), 0}; }

int64_t put_statx(const fs::Node* node, uint64_t buf) {
  Statx sx{};
  sx.mask = kStatxBasicStats | kStatxMntId;
  sx.blksize = 4096;
  sx.nlink = node->nlink;
  sx.mode = static_cast<uint16_t>(node->mode);
  sx.ino = node->ino;
  sx.size = static_cast<uint64_t>(size_of(node));
  sx.blocks = static_cast<uint64_t>(blocks_of(node));
  sx.atime = statx_time(node->atime);
  sx.ctime = statx_time(node->ctime);
  sx.mtime = statx_time(node->mtime);
  sx.rdev_major = major_of(node->rdev);
  sx.rdev_minor = minor_of(node->rdev);
  sx.dev_major = fs::kDeviceMajor;
  sx.dev_minor = fs::kDeviceMinor;
  sx.mnt_id = 1;
  return copy_to_user(buf, &sx, sizeof sx) ? 0 : -err::kFault;
}

// A *at() call's path; with AT_EMPTY_PATH a null pointer means "" (Linux
// 6.11).
int64_t path_or_empty(uint64_t path, uint64_t flags, const char** out) {
  if (path == 0 && (flags & kAtEmptyPath) != 0) {
    *out = "";
    return 0;
  }
  return copy_path(path, 0, out);
}

// The node {path} names relative to {dirfd}, as the *at calls take it:
// AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH (a null or empty path: {dirfd} itself).
int64_t lookup_with_at_flags(uint64_t dirfd, uint64_t path, uint64_t flags, fs::Node** node) {
  const char* p;
  if (int64_t r = path_or_empty(path, flags, &p); r != 0) return r;
  return lookup_at(dirfd, p, (flags & kAtSymlinkNofollow) == 0, (flags & kAtEmptyPath) != 0, node);
}

int64_t stat_at(uint64_t dirfd, uint64_t path, uint64_t buf, uint64_t flags) {
  if ((flags & ~(kAtSymlinkNofollow | kAtEmptyPath | kAtNoAutomount)) != 0) return -err::kInval;
  fs::Node* node;
  if (int64_t r = lookup_with_at_flags(dirfd, path, flags, &node); r != 0) return r;
  return put_stat(node, buf);
}

int64_t access_at(uint64_t dirfd, uint64_t path, uint64_t mode, uint64_t flags) {
  if ((mode & ~uint64_t{7}) != 0) return -err::kInval;
  if ((flags & ~(kAtEaccess | kAtSymlinkNofollow | kAtEmptyPath)) != 0) return -err::kInval;
  const char* p;
  if (int64_t r = copy_path(path, 0, &p); r != 0) return r;
  fs::Node* node;
  if (int64_t r = lookup_at(dirfd, p, (flags & kAtSymlinkNofollow) == 0, (flags & kAtEmptyPath) != 0, &node);
      r != 0) {
    return r;
  }
  // Root may read and write anything; it may execute what has an x bit.
  if ((mode & 1) != 0 && !node->is_dir() && (node->mode & 0111) == 0) return -err::kAcces;
  return 0;
}

// Copies a *at() call's path and finds the directory it starts from.
int64_t path_and_base(uint64_t dirfd, uint64_t path, int slot, const char** p, fs::Node** base) {
  if (int64_t r = copy_path(path, slot, p); r != 0) return r;
  return base_of(dirfd, *p, base);
}

int64_t mkdir_at(uint64_t dirfd, uint64_t path, uint64_t mode) {
  const char* p;
  fs::Node* base;
  if (int64_t r = path_and_base(dirfd, path, 0, &p, &base); r != 0) return r;
  return fs::mkdir(base, p, static_cast<uint32_t>(mode) & ~proc::fds::umask() & 07777);
}

int64_t unlink_at(uint64_t dirfd, uint64_t path, uint64_t flags) {
  if ((flags & ~kAtRemovedir) != 0) return -err::kInval;
  const char* p;
  fs::Node* base;
  if (int64_t r = path_and_base(dirfd, path, 0, &p, &base); r != 0) return r;
  return (flags & kAtRemovedir) != 0 ? fs::rmdir(base, p) : fs::unlink(base, p);
}

int64_t rename_at(uint64_t old_dirfd, uint64_t old_path, uint64_t new_dirfd, uint64_t new_path, uint64_t flags) {
  if ((flags & ~kRenameNoreplace) != 0) return -err::kInval;
  const char *a, *b;
  fs::Node *old_base, *new_base;
  if (int64_t r = path_and_base(old_dirfd, old_path, 0, &a, &old_base); r != 0) return r;
  if (int64_t r = path_and_base(new_dirfd, new_path, 1, &b, &new_base); r != 0) return r;
  return fs::rename(old_base, a, new_base, b, static_cast<uint32_t>(flags));
}

int64_t link_at(uint64_t old_dirfd, uint64_t old_path, uint64_t new_dirfd, uint64_t new_path, uint64_t flags) {
  if ((flags & ~(kAtSymlinkFollow | kAtEmptyPath)) != 0) return -err::kInval;
  const char *a, *b;
  if (int64_t r = copy_path(old_path, 0, &a); r != 0) return r;
  fs::Node* new_base;
  if (int64_t r = path_and_base(new_dirfd, new_path, 1, &b, &new_base); r != 0) return r;
  fs::Node* node;
  if (int64_t r = lookup_at(old_dirfd, a, (flags & kAtSymlinkFollow) != 0, (flags & kAtEmptyPath) != 0, &node);
      r != 0) {
    return r;
  }
  return fs::link(node, new_base, b);
}

int64_t symlink_at(uint64_t target, uint64_t new_dirfd, uint64_t path) {
  const char *t, *p;
  if (int64_t r = copy_path(target, 0, &t); r != 0) return r;
  fs::Node* base;
  if (int64_t r = path_and_base(new_dirfd, path, 1, &p, &base); r != 0) return r;
  return fs::symlink(t, base, p);
}

int64_t readlink_at(uint64_t dirfd, uint64_t path, uint64_t buf, uint64_t size) {
  if (static_cast<int32_t>(size) <= 0) return -err::kInval;
  const char* p;
  if (int64_t r = copy_path(path, 0, &p); r != 0) return r;
  fs::Node* node;
  if (int64_t r = lookup_at(dirfd, p, false, true, &node); r != 0) return r;
  if (!node->is_symlink()) return p[0] == '\0' ? -err::kNoent : -err::kInval;
  const char* target = fs::link_target(node);
  uint64_t n = strlen(target);
  if (n > static_cast<uint32_t>(size)) n = static_cast<uint32_t>(size);
  return copy_to_user(buf, target, n) ? static_cast<int64_t>(n) : -err::kFault;
}

int64_t chmod_node(fs::Node* node, uint64_t mode) {
  if (int r = fs::durable::prepare(node); r != 0) return r;
  node->mode = (node->mode & fs::kIfMt) | (static_cast<uint32_t>(mode) & 07777);
  node->ctime = fs::now();
  return fs::durable::attributes_changed(node);
}

// Applies utimensat's {times} (nullptr: both now) to {node}.
int64_t set_times(fs::Node* node, uint64_t times) {
  int64_t t[4] = {0, kUtimeNow, 0, kUtimeNow};
  if (times != 0 && !copy_from_user(t, times, sizeof t)) return -err::kFault;
  for (int i = 1; i < 4; i += 2) {
    if (t[i] != kUtimeNow && t[i] != kUtimeOmit && (t[i] < 0 || t[i] >= 1000000000)) return -err::kInval;
  }
  if (t[1] == kUtimeOmit && t[3] == kUtimeOmit) return 0;
  if (int r = fs::durable::prepare(node); r != 0) return r;
  fs::Time now = fs::now();
  fs::Time* fields[2] = {&node->atime, &node->mtime};
  for (int i = 0; i < 2; ++i) {
    int64_t nsec = t[2 * i + 1];
    if (nsec == kUtimeOmit) continue;
    *fields[i] = nsec == kUtimeNow ? now : fs::Time{t[2 * i], nsec};
  }
  node->ctime = now;
  return fs::durable::attributes_changed(node);
}

}  // namespace

int64_t sys_stat(uint64_t path, uint64_t buf, uint64_t, uint64_t, uint64_t, uint64_t) {
  return stat_at(static_cast<uint64_t>(kAtFdcwd), path, buf, 0);
}
int64_t sys_lstat(uint64_t path, uint64_t buf, uint64_t, uint64_t, uint64_t, uint64_t) {
  return stat_at(static_cast<uint64_t>(kAtFdcwd), path, buf, kAtSymlinkNofollow);
}
int64_t sys_fstat(uint64_t fd, uint64_t buf, uint64_t, uint64_t, uint64_t, uint64_t) {
  fs::File* file = file_of(fd);
  if (file == nullptr) return -err::kBadf;
  return put_stat(file->node, buf);
}
int64_t sys_newfstatat(uint64_t dirfd, uint64_t path, uint64_t buf, uint64_t flags, uint64_t, uint64_t) {
  return stat_at(dirfd, path, buf, flags);
}

int64_t sys_statx(uint64_t dirfd, uint64_t path, uint64_t flags, uint64_t mask, uint64_t buf, uint64_t) {
  if ((flags & ~(kAtSymlinkNofollow | kAtEmptyPath | kAtNoAutomount | kAtStatxSyncType)) != 0 ||
      (flags & kAtStatxSyncType) == kAtStatxSyncType || (mask & kStatxReserved) != 0) {
    return -err::kInval;
  }
  fs::Node* node;
  if (int64_t r = lookup_with_at_flags(dirfd, path, flags, &node); r != 0) return r;
  return put_statx(node, buf);
}

int64_t sys_access(uint64_t path, uint64_t mode, uint64_t, uint64_t, uint64_t, uint64_t) {
  return access_at(static_cast<uint64_t>(kAtFdcwd), path, mode, 0);
}
int64_t sys_faccessat(uint64_t dirfd, uint64_t path, uint64_t mode, uint64_t, uint64_t, uint64_t) {
  return access_at(dirfd, path, mode, 0);
}
int64_t sys_faccessat2(uint64_t dirfd, uint64_t path, uint64_t mode, uint64_t flags, uint64_t, uint64_t) {
  return access_at(dirfd, path, mode, flags);
}

int64_t sys_mkdir(uint64_t path, uint64_t mode, uint64_t, uint64_t, uint64_t, uint64_t) {
  return mkdir_at(static_cast<uint64_t>(kAtFdcwd), path, mode);
}
int64_t sys_mkdirat(uint64_t dirfd, uint64_t path, uint64_t mode, uint64_t, uint64_t, uint64_t) {
  return mkdir_at(dirfd, path, mode);
}
int64_t sys_rmdir(uint64_t path, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return unlink_at(static_cast<uint64_t>(kAtFdcwd), path, kAtRemovedir);
}
int64_t sys_unlink(uint64_t path, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return unlink_at(static_cast<uint64_t>(kAtFdcwd), path, 0);
}
int64_t sys_unlinkat(uint64_t dirfd, uint64_t path, uint64_t flags, uint64_t, uint64_t, uint64_t) {
  return unlink_at(dirfd, path, flags);
}

int64_t sys_rename(uint64_t old_path, uint64_t new_path, uint64_t, uint64_t, uint64_t, uint64_t) {
  return rename_at(static_cast<uint64_t>(kAtFdcwd), old_path, static_cast<uint64_t>(kAtFdcwd), new_path, 0);
}
int64_t sys_renameat(uint64_t old_dirfd, uint64_t old_path, uint64_t new_dirfd, uint64_t new_path, uint64_t,
                     uint64_t) {
  return rename_at(old_dirfd, old_path, new_dirfd, new_path, 0);
}
int64_t sys_renameat2(uint64_t old_dirfd, uint64_t old_path, uint64_t new_dirfd, uint64_t new_path, uint64_t flags,
                      uint64_t) {
  return rename_at(old_dirfd, old_path, new_dirfd, new_path, flags);
}

int64_t sys_link(uint64_t old_path, uint64_t new_path, uint64_t, uint64_t, uint64_t, uint64_t) {
  return link_at(static_cast<uint64_t>(kAtFdcwd), old_path, static_cast<uint64_t>(kAtFdcwd), new_path, 0);
}
int64_t sys_linkat(uint64_t old_dirfd, uint64_t old_path, uint64_t new_dirfd, uint64_t new_path, uint64_t flags,
                   uint64_t) {
  return link_at(old_dirfd, old_path, new_dirfd, new_path, flags);
}
int64_t sys_symlink(uint64_t target, uint64_t path, uint64_t, uint64_t, uint64_t, uint64_t) {
  return symlink_at(target, static_cast<uint64_t>(kAtFdcwd), path);
}
int64_t sys_symlinkat(uint64_t target, uint64_t dirfd, uint64_t path, uint64_t, uint64_t, uint64_t) {
  return symlink_at(target, dirfd, path);
}
int64_t sys_readlink(uint64_t path, uint64_t buf, uint64_t size, uint64_t, uint64_t, uint64_t) {
  return readlink_at(static_cast<uint64_t>(kAtFdcwd), path, buf, size);
}
int64_t sys_readlinkat(uint64_t dirfd, uint64_t path, uint64_t buf, uint64_t size, uint64_t, uint64_t) {
  return readlink_at(dirfd, path, buf, size);
}

int64_t sys_chdir(uint64_t path, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  const char* p;
  if (int64_t r = copy_path(path, 0, &p); r != 0) return r;
  fs::Node* node;
  if (int r = fs::resolve(proc::fds::cwd(), p, true, &node); r != 0) return r;
  if (!node->is_dir()) return -err::kNotdir;
  proc::fds::set_cwd(node);
  return 0;
}

int64_t sys_fchdir(uint64_t fd, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  fs::File* file = file_of(fd);
  if (file == nullptr) return -err::kBadf;
  if (!file->node->is_dir()) return -err::kNotdir;
  proc::fds::set_cwd(file->node);
  return 0;
}

int64_t sys_getcwd(uint64_t buf, uint64_t size, uint64_t, uint64_t, uint64_t, uint64_t) {
  // The second path buffer is free here (no path argument).
  static char path[fs::kPathMax];
  int64_t len = fs::path_of(proc::fds::cwd(), path, sizeof path);
  if (len < 0) return len;  // -ENOENT: the cwd was removed
  if (static_cast<uint64_t>(len) + 1 > size) return -err::kRange;
  return copy_to_user(buf, path, static_cast<uint64_t>(len) + 1) ? len + 1 : -err::kFault;
}

int64_t sys_utimensat(uint64_t dirfd, uint64_t path, uint64_t times, uint64_t flags, uint64_t, uint64_t) {
  if ((flags & ~(kAtSymlinkNofollow | kAtEmptyPath)) != 0) return -err::kInval;
  fs::Node* node;
  if (path == 0) {
    // futimens: the file open at {dirfd}.
    if (static_cast<int32_t>(dirfd) == kAtFdcwd) return -err::kFault;
    fs::File* file = file_of(dirfd);
    if (file == nullptr) return -err::kBadf;
    node = file->node;
  } else {
    const char* p;
    if (int64_t r = copy_path(path, 0, &p); r != 0) return r;
    if (int64_t r = lookup_at(dirfd, p, (flags & kAtSymlinkNofollow) == 0, (flags & kAtEmptyPath) != 0, &node);
        r != 0) {
      return r;
    }
  }
  return set_times(node, times);
}

int64_t sys_chmod(uint64_t path, uint64_t mode, uint64_t, uint64_t, uint64_t, uint64_t) {
  return sys_fchmodat(static_cast<uint64_t>(kAtFdcwd), path, mode, 0, 0, 0);
}
int64_t sys_fchmod(uint64_t fd, uint64_t mode, uint64_t, uint64_t, uint64_t, uint64_t) {
  fs::File* file = file_of(fd);
  if (file == nullptr || (file->flags & fs::kOPath) != 0) return -err::kBadf;
  return chmod_node(file->node, mode);
}
// The fchmodat system call has no flags (glibc handles AT_SYMLINK_NOFOLLOW;
// fchmodat2 came later): the fourth register is not an argument.
int64_t sys_fchmodat(uint64_t dirfd, uint64_t path, uint64_t mode, uint64_t, uint64_t, uint64_t) {
  const char* p;
  if (int64_t r = copy_path(path, 0, &p); r != 0) return r;
  fs::Node* node;
  if (int64_t r = lookup_at(dirfd, p, true, false, &node); r != 0) return r;
  return chmod_node(node, mode);
}

int64_t sys_umask(uint64_t mask, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return proc::fds::set_umask(static_cast<uint32_t>(mask));
}

}  // namespace silk::kernel::syscalls
