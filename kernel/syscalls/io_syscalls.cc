// System calls on open descriptors' data: read/write and their positional
// and vectored forms, lseek, getdents64, ftruncate/truncate, fsync,
// fdatasync, fadvise64, ioctl. Transfers go in chunks: each chunk of the
// user buffer is checked and made present, then moved (fs/file.h).
#include "fs/durable/durable.h"
#include "fs/file.h"
#include "fs/file_data.h"
#include "fs/node.h"
#include "fs/path.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "proc/fd_table.h"
#include "proc/memory.h"
#include "syscalls/args.h"
#include "syscalls/syscalls.h"

namespace silk::kernel::syscalls {
namespace {

constexpr uint64_t kChunk = 64 * 1024;
constexpr uint64_t kMaxIov = 1024;  // UIO_MAXIOV
constexpr uint64_t kMaxTransfer = 0x7ffff000;  // MAX_RW_COUNT: Linux's cap per call

// Moves up to {n} bytes between the user buffer {buf} and {file} at
// {offset}; the bytes moved (stopping at the first short chunk) or -errno
// when nothing moved.
int64_t transfer(fs::File* file, uint64_t buf, uint64_t n, uint64_t offset, bool write) {
  if (n > kMaxTransfer) n = kMaxTransfer;
  const fs::Node* node = file->node;
  if (!write && node->is_regular() && fs::can_read(file)) {
    // Only as much of the buffer as the file can fill is made present.
    if (offset >= node->size) return 0;
    if (n > node->size - offset) n = node->size - offset;
  }
  uint64_t done = 0;
  while (done < n) {
    uint64_t chunk = n - done < kChunk ? n - done : kChunk;
    // A read fills the user buffer: it must be writable (and the reverse).
    if (!proc::memory::prepare(buf + done, chunk, !write)) {
      return done != 0 ? static_cast<int64_t>(done) : -err::kFault;
    }
    auto* p = reinterpret_cast<void*>(buf + done);
    int64_t r = write ? fs::write_at(file, p, chunk, offset + done) : fs::read_at(file, p, chunk, offset + done);
    if (r < 0) return done != 0 ? static_cast<int64_t>(done) : r;
    done += static_cast<uint64_t>(r);
    if (static_cast<uint64_t>(r) < chunk) break;
  }
  return static_cast<int64_t>(done);
}

// I/O on an object file (a socket, eventfd, ...): its ops move the data
// from or to the user buffers in one call.
int64_t object_io(fs::File* file, const fs::IoVec* iov, uint64_t count, bool write) {
  if (write ? !fs::can_write(file) : !fs::can_read(file)) return -err::kBadf;
  return write ? file->ops->write(file, iov, count) : file->ops->read(file, iov, count);
}

// read/write at the file's position (O_APPEND: at its end), which advances.
int64_t stream(uint64_t fd, uint64_t buf, uint64_t n, bool write) {
  fs::File* file = file_of(fd);
  if (file == nullptr) return -err::kBadf;
  if (file->ops != nullptr) {
    fs::IoVec v{buf, n};
    return object_io(file, &v, 1, write);
  }
  bool seekable = fs::seekable(file);
  uint64_t offset = file->offset;
  if (write && (file->flags & fs::kOAppend) != 0 && file->node->is_regular()) offset = file->node->size;
  int64_t r = transfer(file, buf, n, offset, write);
  if (r > 0 && seekable) file->offset = offset + static_cast<uint64_t>(r);
  return r;
}

int64_t positional(uint64_t fd, uint64_t buf, uint64_t n, int64_t offset, bool write) {
  fs::File* file = file_of(fd);
  if (file == nullptr) return -err::kBadf;
  if ((write && !fs::can_write(file)) || (!write && !fs::can_read(file))) return -err::kBadf;
  if (!fs::seekable(file)) return -err::kSpipe;
  if (offset < 0) return -err::kInval;
  // Linux's pwrite appends under O_APPEND, whatever the offset (pwrite(2), BUGS).
  if (write && (file->flags & fs::kOAppend) != 0 && file->node->is_regular()) offset = file->node->size;
  return transfer(file, buf, n, static_cast<uint64_t>(offset), write);
}

// readv/writev/preadv/pwritev; {offset} < 0: at (and advancing) the file's
// position.
int64_t vectored(uint64_t fd, uint64_t iov, uint64_t count, int64_t offset, bool positioned, bool write) {
  fs::File* file = file_of(fd);
  if (file == nullptr) return -err::kBadf;
  if ((write && !fs::can_write(file)) || (!write && !fs::can_read(file))) return -err::kBadf;
  if (count > kMaxIov) return -err::kInval;
  if (positioned && !fs::seekable(file)) return -err::kSpipe;
  if (positioned && offset < 0) return -err::kInval;
  if (!user_readable(iov, count * 16)) return -err::kFault;
  const auto* v = reinterpret_cast<const uint64_t*>(iov);
  uint64_t total = 0;
  for (uint64_t i = 0; i < count; ++i) {
    if (v[2 * i + 1] > kMaxTransfer || total + v[2 * i + 1] > kMaxTransfer) return -err::kInval;
    total += v[2 * i + 1];
  }
  // SAFETY: the array was checked readable above.
  if (file->ops != nullptr) return object_io(file, reinterpret_cast<const fs::IoVec*>(iov), count, write);
  uint64_t at = positioned ? static_cast<uint64_t>(offset) : file->offset;
  if (!positioned && write && (file->flags & fs::kOAppend) != 0 && file->node->is_regular()) at = file->node->size;
  uint64_t done = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t len = v[2 * i + 1];
    if (len == 0) continue;
    int64_t r = transfer(file, v[2 * i], len, at + done, write);
    if (r < 0) {
      if (done == 0) return r;
      break;
    }
    done += static_cast<uint64_t>(r);
    if (static_cast<uint64_t>(r) < len) break;
  }
  if (!positioned && fs::seekable(file)) file->offset = at + done;
  return static_cast<int64_t>(done);
}

int64_t truncate_node(fs::Node* node, int64_t length) {
  if (length < 0) return -err::kInval;
  if (node->is_dir()) return -err::kIsdir;
  if (!node->is_regular()) return -err::kInval;
  if (int r = fs::durable::prepare(node); r != 0) return r;
  if (int r = fs::data::truncate(node, static_cast<uint64_t>(length)); r != 0) return r;
  node->mtime = node->ctime = fs::now();
  return fs::durable::resized(node);
}

}  // namespace

int64_t sys_read(uint64_t fd, uint64_t buf, uint64_t count, uint64_t, uint64_t, uint64_t) {
  return stream(fd, buf, count, false);
}
int64_t sys_write(uint64_t fd, uint64_t buf, uint64_t count, uint64_t, uint64_t, uint64_t) {
  return stream(fd, buf, count, true);
}
int64_t sys_pread64(uint64_t fd, uint64_t buf, uint64_t count, uint64_t offset, uint64_t, uint64_t) {
  return positional(fd, buf, count, static_cast<int64_t>(offset), false);
}
int64_t sys_pwrite64(uint64_t fd, uint64_t buf, uint64_t count, uint64_t offset, uint64_t, uint64_t) {
  return positional(fd, buf, count, static_cast<int64_t>(offset), true);
}
int64_t sys_readv(uint64_t fd, uint64_t iov, uint64_t count, uint64_t, uint64_t, uint64_t) {
  return vectored(fd, iov, count, -1, false, false);
}
int64_t sys_writev(uint64_t fd, uint64_t iov, uint64_t count, uint64_t, uint64_t, uint64_t) {
  return vectored(fd, iov, count, -1, false, true);
}
// preadv/pwritev pass the offset split in two registers (pos_l, pos_h); on
// x86-64 pos_l holds all of it.
int64_t sys_preadv(uint64_t fd, uint64_t iov, uint64_t count, uint64_t offset, uint64_t, uint64_t) {
  return vectored(fd, iov, count, static_cast<int64_t>(offset), true, false);
}
int64_t sys_pwritev(uint64_t fd, uint64_t iov, uint64_t count, uint64_t offset, uint64_t, uint64_t) {
  return vectored(fd, iov, count, static_cast<int64_t>(offset), true, true);
}

int64_t sys_lseek(uint64_t fd, uint64_t offset, uint64_t whence, uint64_t, uint64_t, uint64_t) {
  fs::File* file = file_of(fd);
  if (file == nullptr || (file->flags & fs::kOPath) != 0) return -err::kBadf;
  return fs::seek(file, static_cast<int64_t>(offset), static_cast<int>(whence));
}

int64_t sys_getdents64(uint64_t fd, uint64_t dirp, uint64_t count, uint64_t, uint64_t, uint64_t) {
  fs::File* file = file_of(fd);
  if (file == nullptr) return -err::kBadf;
  if (!file->node->is_dir()) return -err::kNotdir;
  count = static_cast<uint32_t>(count);
  if (count > kChunk) count = kChunk;
  if (!user_writable(dirp, count)) return -err::kFault;
  return fs::getdents(file, reinterpret_cast<void*>(dirp), count);
}

int64_t sys_ftruncate(uint64_t fd, uint64_t length, uint64_t, uint64_t, uint64_t, uint64_t) {
  fs::File* file = file_of(fd);
  if (file == nullptr || (file->flags & fs::kOPath) != 0) return -err::kBadf;
  if (!fs::can_write(file) || !file->node->is_regular()) return -err::kInval;
  return truncate_node(file->node, static_cast<int64_t>(length));
}

// fallocate(2): mode 0 grows the file to offset + len (the new bytes read as
// zero; memory is taken when they are written, as with truncate), and
// FALLOC_FL_KEEP_SIZE changes nothing: everything is in memory. Other modes
// (punching holes, collapsing, zeroing ranges) -EOPNOTSUPP.
int64_t sys_fallocate(uint64_t fd, uint64_t mode, uint64_t offset, uint64_t len, uint64_t, uint64_t) {
  constexpr uint64_t kKeepSize = 1;
  fs::File* file = file_of(fd);
  if (file == nullptr || (file->flags & fs::kOPath) != 0 || !fs::can_write(file)) return -err::kBadf;
  auto off = static_cast<int64_t>(offset), n = static_cast<int64_t>(len);
  if (off < 0 || n <= 0) return -err::kInval;
  if (mode != 0 && mode != kKeepSize) return -err::kOpnotsupp;
  fs::Node* node = file->node;
  if (node->is_dir()) return -err::kIsdir;
  if (!node->is_regular()) return -err::kNodev;
  uint64_t end = offset + len;
  if (end < offset || end > fs::data::kMaxFileSize) return -err::kFbig;
  if (mode == kKeepSize || end <= node->size) return 0;
  return truncate_node(node, static_cast<int64_t>(end));
}

int64_t sys_truncate(uint64_t path, uint64_t length, uint64_t, uint64_t, uint64_t, uint64_t) {
  const char* p;
  if (int64_t r = copy_path(path, 0, &p); r != 0) return r;
  fs::Node* node;
  if (int r = fs::resolve(proc::fds::cwd(), p, true, &node); r != 0) return r;
  return truncate_node(node, static_cast<int64_t>(length));
}

int64_t sys_fsync(uint64_t fd, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  fs::File* file = file_of(fd);
  return file == nullptr || (file->flags & fs::kOPath) != 0 ? -err::kBadf : 0;  // all in memory
}
int64_t sys_fdatasync(uint64_t fd, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return sys_fsync(fd, 0, 0, 0, 0, 0);
}

int64_t sys_fadvise64(uint64_t fd, uint64_t, uint64_t, uint64_t advice, uint64_t, uint64_t) {
  fs::File* file = file_of(fd);
  if (file == nullptr || (file->flags & fs::kOPath) != 0) return -err::kBadf;
  return advice <= 5 ? 0 : -err::kInval;  // POSIX_FADV_NORMAL..NOREUSE: nothing to do
}

int64_t sys_ioctl(uint64_t fd, uint64_t request, uint64_t arg, uint64_t, uint64_t, uint64_t) {
  constexpr uint32_t kFionclex = 0x5450, kFioclex = 0x5451, kFionbio = 0x5421;
  fs::File* file = file_of(fd);
  if (file == nullptr || (file->flags & fs::kOPath) != 0) return -err::kBadf;
  switch (static_cast<uint32_t>(request)) {
    case kFioclex:
    case kFionclex:
      proc::fds::set_cloexec(static_cast<int32_t>(fd), request == kFioclex);
      return 0;
    case kFionbio: {
      int32_t on;
      if (!copy_from_user(&on, arg, sizeof on)) return -err::kFault;
      file->flags = on != 0 ? file->flags | fs::kONonblock : file->flags & ~fs::kONonblock;
      return 0;
    }
    default:
      // Objects' own requests (FIONREAD on sockets); TCGETS and the rest:
      // nothing is a terminal (stdout is fully buffered).
      if (file->ops != nullptr && file->ops->ioctl != nullptr) return file->ops->ioctl(file, request, arg);
      return -err::kNotty;
  }
}

}  // namespace silk::kernel::syscalls
