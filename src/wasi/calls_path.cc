// WASI calls on paths under a directory fd: path_*. Each one checks the
// directory's rights, resolves the guest path inside the sandbox
// (path_resolver.h) and finishes with one *at() call that never follows a
// symlink on its own.
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "wasi/abi.h"
#include "wasi/path_resolver.h"
#include "wasi/wasi_state.h"

namespace silk::wasi {

Errno store_filestat(const Call& c, GuestPtr ptr, const struct stat& st);
Errno times_from_fstflags(uint64_t atim, uint64_t mtim, uint16_t flags, timespec out[2]);

namespace {

// Looks up directory fd {fd} with {rights}, reads the guest path
// ({path_ptr}, {path_len}) and resolves it.
Errno resolve(Call& c, uint32_t fd, uint64_t rights, GuestPtr path_ptr, uint32_t path_len, bool follow,
              ResolvedPath& out) {
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(fd, rights, e); err != Errno::kSUCCESS) return err;
  if (e->filetype != abi::kFiletypeDirectory) return Errno::kNOTDIR;
  auto path = c.mem.string(path_ptr, path_len);
  if (!path) return Errno::kFAULT;
  return resolve_path(e->host_fd, *path, follow, out);
}

inline Errno ok_or_errno(int r) { return r == 0 ? Errno::kSUCCESS : last_errno(); }

}  // namespace

Errno call_path_open(Call& c) {
  using namespace abi;
  const uint32_t dirflags = c.u32(1), oflags = c.u32(4), fdflags = c.u32(7);
  const uint64_t base = c.u64(5), inheriting = c.u64(6);
  const GuestPtr opened_ptr = c.u32(8);
  uint64_t needed = kRightPathOpen;
  if (oflags & kOflagCreat) needed |= kRightPathCreateFile;
  if (oflags & kOflagTrunc) needed |= kRightPathFilestatSetSize;
  FdEntry* dir;
  if (Errno err = c.ctx.fds.get(c.u32(0), needed, dir); err != Errno::kSUCCESS) return err;
  // The new fd's rights must be among those the directory hands down.
  if ((base & ~dir->rights_inheriting) || (inheriting & ~dir->rights_inheriting)) return Errno::kNOTCAPABLE;
  if (oflags & ~uint32_t(kOflagCreat | kOflagDirectory | kOflagExcl | kOflagTrunc)) return Errno::kINVAL;
  if (!c.mem.in_bounds(opened_ptr, 4)) return Errno::kFAULT;
  ResolvedPath rp;
  if (Errno err = resolve(c, c.u32(0), needed, c.u32(2), c.u32(3), dirflags & kLookupSymlinkFollow, rp);
      err != Errno::kSUCCESS)
    return err;

  const bool read = base & (kRightFdRead | kRightFdReaddir);
  const bool write = base & (kRightFdWrite | kRightFdDatasync | kRightFdAllocate | kRightFdFilestatSetSize);
  int flags = O_CLOEXEC | O_NOFOLLOW;
  if (oflags & kOflagDirectory) flags |= O_DIRECTORY | O_RDONLY;
  else flags |= write ? (read ? O_RDWR : O_WRONLY) : O_RDONLY;
  if (oflags & kOflagCreat) flags |= O_CREAT;
  if (oflags & kOflagExcl) flags |= O_EXCL;
  if (oflags & kOflagTrunc) flags |= O_TRUNC;
  if (fdflags & kFdflagAppend) flags |= O_APPEND;
  if (fdflags & kFdflagDsync) flags |= O_DSYNC;
  if (fdflags & kFdflagNonblock) flags |= O_NONBLOCK;
  if (fdflags & (kFdflagSync | kFdflagRsync)) flags |= O_SYNC;
  int fd = openat(rp.parent.get(), rp.name.c_str(), flags, 0666);
  if (fd < 0) {
    // A directory opened for writing: Linux says EISDIR, and so do we.
    return last_errno();
  }
  FdEntry e;
  e.host_fd = fd;
  e.filetype = filetype_of_host_fd(fd);
  e.rights_base = base & max_rights_for(e.filetype, false);
  e.rights_inheriting = inheriting;
  e.rsync = (fdflags & kFdflagRsync) ? kFdflagRsync : 0;
  uint32_t guest_fd = c.ctx.fds.insert(std::move(e));
  c.mem.store<uint32_t>(opened_ptr, guest_fd);
  return Errno::kSUCCESS;
}

Errno call_path_create_directory(Call& c) {
  ResolvedPath rp;
  if (Errno err = resolve(c, c.u32(0), abi::kRightPathCreateDirectory, c.u32(1), c.u32(2), false, rp);
      err != Errno::kSUCCESS)
    return err;
  return ok_or_errno(mkdirat(rp.parent.get(), rp.name.c_str(), 0777));
}

Errno call_path_filestat_get(Call& c) {
  ResolvedPath rp;
  if (Errno err = resolve(c, c.u32(0), abi::kRightPathFilestatGet, c.u32(2), c.u32(3),
                          c.u32(1) & abi::kLookupSymlinkFollow, rp);
      err != Errno::kSUCCESS)
    return err;
  struct stat st;
  if (fstatat(rp.parent.get(), rp.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return last_errno();
  return store_filestat(c, c.u32(4), st);
}

Errno call_path_filestat_set_times(Call& c) {
  timespec ts[2];
  if (Errno err = times_from_fstflags(c.u64(4), c.u64(5), uint16_t(c.u32(6)), ts); err != Errno::kSUCCESS)
    return err;
  ResolvedPath rp;
  if (Errno err = resolve(c, c.u32(0), abi::kRightPathFilestatSetTimes, c.u32(2), c.u32(3),
                          c.u32(1) & abi::kLookupSymlinkFollow, rp);
      err != Errno::kSUCCESS)
    return err;
  return ok_or_errno(utimensat(rp.parent.get(), rp.name.c_str(), ts, AT_SYMLINK_NOFOLLOW));
}

Errno call_path_link(Call& c) {
  ResolvedPath from, to;
  if (Errno err = resolve(c, c.u32(0), abi::kRightPathLinkSource, c.u32(2), c.u32(3),
                          c.u32(1) & abi::kLookupSymlinkFollow, from);
      err != Errno::kSUCCESS)
    return err;
  if (Errno err = resolve(c, c.u32(4), abi::kRightPathLinkTarget, c.u32(5), c.u32(6), false, to);
      err != Errno::kSUCCESS)
    return err;
  return ok_or_errno(linkat(from.parent.get(), from.name.c_str(), to.parent.get(), to.name.c_str(), 0));
}

Errno call_path_readlink(Call& c) {
  ResolvedPath rp;
  if (Errno err = resolve(c, c.u32(0), abi::kRightPathReadlink, c.u32(1), c.u32(2), false, rp);
      err != Errno::kSUCCESS)
    return err;
  auto buf = c.mem.bytes(c.u32(3), c.u32(4));
  if (!buf || !c.mem.in_bounds(c.u32(5), 4)) return Errno::kFAULT;
  char target[PATH_MAX];
  ssize_t n = readlinkat(rp.parent.get(), rp.name.c_str(), target, sizeof target);
  if (n < 0) return last_errno();
  // Truncated to the buffer, as readlink(2) does.
  size_t copied = std::min(size_t(n), buf->size());
  std::memcpy(buf->data(), target, copied);
  c.mem.store<uint32_t>(c.u32(5), uint32_t(copied));
  return Errno::kSUCCESS;
}

Errno call_path_remove_directory(Call& c) {
  ResolvedPath rp;
  if (Errno err = resolve(c, c.u32(0), abi::kRightPathRemoveDirectory, c.u32(1), c.u32(2), false, rp);
      err != Errno::kSUCCESS)
    return err;
  return ok_or_errno(unlinkat(rp.parent.get(), rp.name.c_str(), AT_REMOVEDIR));
}

Errno call_path_rename(Call& c) {
  ResolvedPath from, to;
  if (Errno err = resolve(c, c.u32(0), abi::kRightPathRenameSource, c.u32(1), c.u32(2), false, from);
      err != Errno::kSUCCESS)
    return err;
  if (Errno err = resolve(c, c.u32(3), abi::kRightPathRenameTarget, c.u32(4), c.u32(5), false, to);
      err != Errno::kSUCCESS)
    return err;
  return ok_or_errno(renameat(from.parent.get(), from.name.c_str(), to.parent.get(), to.name.c_str()));
}

Errno call_path_symlink(Call& c) {
  auto target = c.mem.string(c.u32(0), c.u32(1));
  if (!target) return Errno::kFAULT;
  ResolvedPath rp;
  if (Errno err = resolve(c, c.u32(2), abi::kRightPathSymlink, c.u32(3), c.u32(4), false, rp);
      err != Errno::kSUCCESS)
    return err;
  // The link must not point outside the sandbox, even if nothing follows it here.
  if (target->find('\0') != std::string_view::npos) return Errno::kINVAL;
  if (!symlink_target_stays_inside(*target, rp.depth)) return Errno::kNOTCAPABLE;
  std::string t(*target);
  return ok_or_errno(symlinkat(t.c_str(), rp.parent.get(), rp.name.c_str()));
}

Errno call_path_unlink_file(Call& c) {
  ResolvedPath rp;
  if (Errno err = resolve(c, c.u32(0), abi::kRightPathUnlinkFile, c.u32(1), c.u32(2), false, rp);
      err != Errno::kSUCCESS)
    return err;
  return ok_or_errno(unlinkat(rp.parent.get(), rp.name.c_str(), 0));
}

}  // namespace silk::wasi
