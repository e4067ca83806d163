// WASI calls on open file descriptors: fd_* (read/write, seek, stat, flags,
// rights, sync, advise/allocate, preopens, readdir, renumber, close).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "wasi/abi.h"
#include "wasi/wasi_state.h"

namespace silk::wasi {

// Shared with calls_path.cc.
Errno store_filestat(const Call& c, GuestPtr ptr, const struct stat& st);
uint8_t filetype_of_mode(mode_t mode);
Errno times_from_fstflags(uint64_t atim, uint64_t mtim, uint16_t flags, timespec out[2]);

namespace {

uint64_t ns_of(const timespec& ts) { return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec); }

Errno store_size(const Call& c, GuestPtr ptr, uint64_t n, bool as_u64 = false) {
  bool ok = as_u64 ? c.mem.store<uint64_t>(ptr, n) : c.mem.store<uint32_t>(ptr, uint32_t(n));
  return ok ? Errno::kSUCCESS : Errno::kFAULT;
}

// fd_read/fd_write/fd_pread/fd_pwrite: {offset} < 0 means the current position.
Errno transfer(Call& c, bool write, int64_t offset) {
  const uint64_t rights =
      (write ? abi::kRightFdWrite : abi::kRightFdRead) | (offset >= 0 ? abi::kRightFdSeek : 0);
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(c.u32(0), rights, e); err != Errno::kSUCCESS) return err;
  std::vector<iovec> iov;
  if (Errno err = gather_iovecs(c, c.u32(1), c.u32(2), iov); err != Errno::kSUCCESS) return err;
  const GuestPtr result_ptr = c.u32(offset >= 0 ? 4 : 3);
  if (!c.mem.in_bounds(result_ptr, 4)) return Errno::kFAULT;
  ssize_t n;
  do {
    if (write)
      n = offset >= 0 ? pwritev(e->host_fd, iov.data(), int(iov.size()), offset)
                      : writev(e->host_fd, iov.data(), int(iov.size()));
    else
      n = offset >= 0 ? preadv(e->host_fd, iov.data(), int(iov.size()), offset)
                      : readv(e->host_fd, iov.data(), int(iov.size()));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return last_errno();
  return store_size(c, result_ptr, uint64_t(n));
}

}  // namespace

uint8_t filetype_of_mode(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return abi::kFiletypeRegularFile;
    case S_IFDIR: return abi::kFiletypeDirectory;
    case S_IFCHR: return abi::kFiletypeCharacterDevice;
    case S_IFBLK: return abi::kFiletypeBlockDevice;
    case S_IFLNK: return abi::kFiletypeSymbolicLink;
    case S_IFSOCK: return abi::kFiletypeSocketStream;
    default: return abi::kFiletypeUnknown;
  }
}

Errno store_filestat(const Call& c, GuestPtr ptr, const struct stat& st) {
  if (c.unstable) {
    abi::UnstableFilestat f{};
    f.dev = st.st_dev;
    f.ino = st.st_ino;
    f.filetype = filetype_of_mode(st.st_mode);
    f.nlink = uint32_t(st.st_nlink);
    f.size = uint64_t(st.st_size);
    f.atim = ns_of(st.st_atim);
    f.mtim = ns_of(st.st_mtim);
    f.ctim = ns_of(st.st_ctim);
    return c.mem.store(ptr, f) ? Errno::kSUCCESS : Errno::kFAULT;
  }
  abi::Filestat f{};
  f.dev = st.st_dev;
  f.ino = st.st_ino;
  f.filetype = filetype_of_mode(st.st_mode);
  f.nlink = st.st_nlink;
  f.size = uint64_t(st.st_size);
  f.atim = ns_of(st.st_atim);
  f.mtim = ns_of(st.st_mtim);
  f.ctim = ns_of(st.st_ctim);
  return c.mem.store(ptr, f) ? Errno::kSUCCESS : Errno::kFAULT;
}

Errno times_from_fstflags(uint64_t atim, uint64_t mtim, uint16_t flags, timespec out[2]) {
  using namespace abi;
  if ((flags & kFstflagAtim) && (flags & kFstflagAtimNow)) return Errno::kINVAL;
  if ((flags & kFstflagMtim) && (flags & kFstflagMtimNow)) return Errno::kINVAL;
  if (flags & ~uint16_t(kFstflagAtim | kFstflagAtimNow | kFstflagMtim | kFstflagMtimNow)) return Errno::kINVAL;
  auto one = [](bool set, bool now, uint64_t ns, timespec& ts) {
    if (now) ts = {0, UTIME_NOW};
    else if (set) ts = {time_t(ns / 1000000000ull), long(ns % 1000000000ull)};
    else ts = {0, UTIME_OMIT};
  };
  one(flags & kFstflagAtim, flags & kFstflagAtimNow, atim, out[0]);
  one(flags & kFstflagMtim, flags & kFstflagMtimNow, mtim, out[1]);
  return Errno::kSUCCESS;
}

Errno call_fd_read(Call& c) { return transfer(c, false, -1); }
Errno call_fd_write(Call& c) { return transfer(c, true, -1); }
Errno call_fd_pread(Call& c) {
  if (int64_t(c.u64(3)) < 0) return Errno::kINVAL;
  return transfer(c, false, int64_t(c.u64(3)));
}
Errno call_fd_pwrite(Call& c) {
  if (int64_t(c.u64(3)) < 0) return Errno::kINVAL;
  return transfer(c, true, int64_t(c.u64(3)));
}

Errno call_fd_seek(Call& c) {
  using namespace abi;
  const uint32_t whence = c.u32(2);
  int host_whence;
  if (c.unstable) {
    host_whence = whence == kUnstableWhenceSet ? SEEK_SET
                : whence == kUnstableWhenceCur ? SEEK_CUR
                : whence == kUnstableWhenceEnd ? SEEK_END : -1;
  } else {
    host_whence = whence == kWhenceSet ? SEEK_SET : whence == kWhenceCur ? SEEK_CUR : whence == kWhenceEnd ? SEEK_END : -1;
  }
  if (host_whence < 0) return Errno::kINVAL;
  const int64_t offset = int64_t(c.u64(1));
  // Like wasmtime: a plain "where am I" needs only the tell right.
  const uint64_t rights = (offset == 0 && host_whence == SEEK_CUR) ? kRightFdTell : kRightFdSeek | kRightFdTell;
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(c.u32(0), rights, e); err != Errno::kSUCCESS) return err;
  if (!c.mem.in_bounds(c.u32(3), 8)) return Errno::kFAULT;
  off_t pos = lseek(e->host_fd, offset, host_whence);
  if (pos < 0) return last_errno();
  return store_size(c, c.u32(3), uint64_t(pos), true);
}

Errno call_fd_tell(Call& c) {
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(c.u32(0), abi::kRightFdTell, e); err != Errno::kSUCCESS) return err;
  if (!c.mem.in_bounds(c.u32(1), 8)) return Errno::kFAULT;
  off_t pos = lseek(e->host_fd, 0, SEEK_CUR);
  if (pos < 0) return last_errno();
  return store_size(c, c.u32(1), uint64_t(pos), true);
}

Errno call_fd_close(Call& c) { return c.ctx.fds.close(c.u32(0)); }

Errno call_fd_renumber(Call& c) { return c.ctx.fds.renumber(c.u32(0), c.u32(1)); }

Errno call_fd_sync(Call& c) {
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(c.u32(0), abi::kRightFdSync, e); err != Errno::kSUCCESS) return err;
  return fsync(e->host_fd) == 0 ? Errno::kSUCCESS : last_errno();
}

Errno call_fd_datasync(Call& c) {
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(c.u32(0), abi::kRightFdDatasync, e); err != Errno::kSUCCESS) return err;
  return fdatasync(e->host_fd) == 0 ? Errno::kSUCCESS : last_errno();
}

Errno call_fd_advise(Call& c) {
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(c.u32(0), abi::kRightFdAdvise, e); err != Errno::kSUCCESS) return err;
  static constexpr int kAdvice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                    POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
  const uint32_t advice = c.u32(3);
  if (advice >= std::size(kAdvice)) return Errno::kINVAL;
  int r = posix_fadvise(e->host_fd, off_t(c.u64(1)), off_t(c.u64(2)), kAdvice[advice]);
  return errno_from_host(r);
}

Errno call_fd_allocate(Call& c) {
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(c.u32(0), abi::kRightFdAllocate, e); err != Errno::kSUCCESS) return err;
  if (int64_t(c.u64(1)) < 0 || int64_t(c.u64(2)) <= 0) return Errno::kINVAL;
  int r = posix_fallocate(e->host_fd, off_t(c.u64(1)), off_t(c.u64(2)));
  return errno_from_host(r);
}

Errno call_fd_fdstat_get(Call& c) {
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(c.u32(0), 0, e); err != Errno::kSUCCESS) return err;
  int fl = fcntl(e->host_fd, F_GETFL);
  if (fl < 0) return last_errno();
  abi::Fdstat st{};
  st.fs_filetype = e->filetype;
  if (fl & O_APPEND) st.fs_flags |= abi::kFdflagAppend;
  if (fl & O_NONBLOCK) st.fs_flags |= abi::kFdflagNonblock;
  if ((fl & O_SYNC) == O_SYNC) st.fs_flags |= abi::kFdflagSync;
  else if (fl & O_DSYNC) st.fs_flags |= abi::kFdflagDsync;
  st.fs_flags |= e->rsync;
  st.fs_rights_base = e->rights_base;
  st.fs_rights_inheriting = e->rights_inheriting;
  return c.mem.store(c.u32(1), st) ? Errno::kSUCCESS : Errno::kFAULT;
}

Errno call_fd_fdstat_set_flags(Call& c) {
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(c.u32(0), abi::kRightFdFdstatSetFlags, e); err != Errno::kSUCCESS) return err;
  const uint32_t flags = c.u32(1);
  // Linux's F_SETFL changes only O_APPEND and O_NONBLOCK; the sync flags are fixed at open.
  if (flags & ~uint32_t(abi::kFdflagAppend | abi::kFdflagNonblock)) return Errno::kNOTSUP;
  int fl = fcntl(e->host_fd, F_GETFL);
  if (fl < 0) return last_errno();
  fl &= ~(O_APPEND | O_NONBLOCK);
  if (flags & abi::kFdflagAppend) fl |= O_APPEND;
  if (flags & abi::kFdflagNonblock) fl |= O_NONBLOCK;
  return fcntl(e->host_fd, F_SETFL, fl) == 0 ? Errno::kSUCCESS : last_errno();
}

Errno call_fd_fdstat_set_rights(Call& c) {
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(c.u32(0), 0, e); err != Errno::kSUCCESS) return err;
  const uint64_t base = c.u64(1), inheriting = c.u64(2);
  // Rights can only be dropped, never gained.
  if ((base & ~e->rights_base) || (inheriting & ~e->rights_inheriting)) return Errno::kNOTCAPABLE;
  e->rights_base = base;
  e->rights_inheriting = inheriting;
  return Errno::kSUCCESS;
}

Errno call_fd_filestat_get(Call& c) {
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(c.u32(0), abi::kRightFdFilestatGet, e); err != Errno::kSUCCESS) return err;
  struct stat st;
  if (fstat(e->host_fd, &st) != 0) return last_errno();
  return store_filestat(c, c.u32(1), st);
}

Errno call_fd_filestat_set_size(Call& c) {
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(c.u32(0), abi::kRightFdFilestatSetSize, e); err != Errno::kSUCCESS) return err;
  if (int64_t(c.u64(1)) < 0) return Errno::kINVAL;
  return ftruncate(e->host_fd, off_t(c.u64(1))) == 0 ? Errno::kSUCCESS : last_errno();
}

Errno call_fd_filestat_set_times(Call& c) {
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(c.u32(0), abi::kRightFdFilestatSetTimes, e); err != Errno::kSUCCESS) return err;
  timespec ts[2];
  if (Errno err = times_from_fstflags(c.u64(1), c.u64(2), uint16_t(c.u32(3)), ts); err != Errno::kSUCCESS) return err;
  return futimens(e->host_fd, ts) == 0 ? Errno::kSUCCESS : last_errno();
}

Errno call_fd_prestat_get(Call& c) {
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(c.u32(0), 0, e); err != Errno::kSUCCESS) return err;
  if (!e->is_preopen) return Errno::kBADF;
  abi::Prestat p{};
  p.tag = abi::kPreopentypeDir;
  p.pr_name_len = uint32_t(e->preopen_name.size());
  return c.mem.store(c.u32(1), p) ? Errno::kSUCCESS : Errno::kFAULT;
}

Errno call_fd_prestat_dir_name(Call& c) {
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(c.u32(0), 0, e); err != Errno::kSUCCESS) return err;
  if (!e->is_preopen) return Errno::kBADF;
  auto buf = c.mem.bytes(c.u32(1), c.u32(2));
  if (!buf) return Errno::kFAULT;
  if (buf->size() < e->preopen_name.size()) return Errno::kNAMETOOLONG;
  std::memcpy(buf->data(), e->preopen_name.data(), e->preopen_name.size());
  return Errno::kSUCCESS;
}

namespace {

uint8_t filetype_of_dirent(DIR* dir, const dirent* d) {
  switch (d->d_type) {
    case DT_REG: return abi::kFiletypeRegularFile;
    case DT_DIR: return abi::kFiletypeDirectory;
    case DT_LNK: return abi::kFiletypeSymbolicLink;
    case DT_CHR: return abi::kFiletypeCharacterDevice;
    case DT_BLK: return abi::kFiletypeBlockDevice;
    case DT_SOCK: return abi::kFiletypeSocketStream;
    default: {
      struct stat st;
      return fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? filetype_of_mode(st.st_mode)
                                                                          : abi::kFiletypeUnknown;
    }
  }
}

// Positions {e}'s directory stream so that the next entry read is entry
// number {cookie}: sequential reads continue where they are, a retry of
// the last (cut-short) entry seeks back to it, anything else rewinds and skips.
Errno seek_dir_to(FdEntry& e, uint64_t cookie) {
  if (cookie == e.dir_next_index && cookie != 0) return Errno::kSUCCESS;
  if (cookie == e.dir_last_index && e.dir_last_pos >= 0 && cookie != 0) {
    seekdir(e.dir, e.dir_last_pos);
    e.dir_next_index = cookie;
    return Errno::kSUCCESS;
  }
  rewinddir(e.dir);
  e.dir_next_index = 0;
  e.dir_last_pos = -1;
  while (e.dir_next_index < cookie) {
    errno = 0;
    if (!readdir(e.dir)) return errno ? last_errno() : Errno::kSUCCESS;  // past the end: nothing more
    ++e.dir_next_index;
  }
  return Errno::kSUCCESS;
}

}  // namespace

// fd_readdir: entries from {cookie} on, each a dirent header followed by the
// name. Cookies are entry indices (0 = the start; d_next = index + 1), as in
// wasmtime: Linux's own telldir positions are 64-bit hashes on ext4, and
// wasi-libc keeps cookies in a 32-bit `long` (telldir/seekdir). When the
// buffer fills up, the last entry is cut short and bufused == buf_len, which
// tells the caller to come back from that entry's cookie with more room.
Errno call_fd_readdir(Call& c) {
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(c.u32(0), abi::kRightFdReaddir, e); err != Errno::kSUCCESS) return err;
  auto buf = c.mem.bytes(c.u32(1), c.u32(2));
  if (!buf) return Errno::kFAULT;
  const GuestPtr bufused_ptr = c.u32(4);
  if (!c.mem.in_bounds(bufused_ptr, 4)) return Errno::kFAULT;
  if (!e->dir) {
    // A new open file description (not a dup, which would share the
    // directory offset with every context sharing this descriptor).
    int dup_fd = openat(e->host_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dup_fd < 0) return last_errno();
    e->dir = fdopendir(dup_fd);
    if (!e->dir) {
      Errno err = last_errno();
      ::close(dup_fd);
      return err;
    }
  }
  if (Errno err = seek_dir_to(*e, c.u64(3)); err != Errno::kSUCCESS) return err;

  size_t used = 0;
  while (used < buf->size()) {
    const long pos = telldir(e->dir);
    errno = 0;
    dirent* d = readdir(e->dir);
    if (!d) {
      if (errno != 0) return last_errno();
      break;
    }
    e->dir_last_index = e->dir_next_index++;
    e->dir_last_pos = pos;
    abi::Dirent de{};
    de.d_next = e->dir_next_index;
    de.d_ino = d->d_ino;
    de.d_namlen = uint32_t(std::strlen(d->d_name));
    de.d_type = filetype_of_dirent(e->dir, d);
    size_t n = std::min(sizeof de, buf->size() - used);
    std::memcpy(buf->data() + used, &de, n);
    used += n;
    n = std::min<size_t>(de.d_namlen, buf->size() - used);
    std::memcpy(buf->data() + used, d->d_name, n);
    used += n;
  }
  return store_size(c, bufused_ptr, used);
}

}  // namespace silk::wasi
