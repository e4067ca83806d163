// Open files (Linux's "open file descriptions"): a node, the open flags and
// a position, shared by every descriptor dup'ed from one open. I/O goes to
// the node's kind: regular files (fs/file_data.h), directories (getdents64),
// character devices (fs/devices.h). Buffers are kernel-accessible pointers:
// the system call layer checks and prepares user memory first, and splits
// large transfers.
//
// Object files (sockets, epoll, eventfd, signalfd) have no data in a node:
// their FileOps do the I/O straight from user iovecs (the object checks and
// prepares user memory itself, since a socket transfer is one call however
// large), report readiness and free the object with the last reference.
// Their node is anonymous (a socket's is S_IFSOCK, for fstat).
#pragma once

#include <stdint.h>

#include "fs/node.h"

namespace silk::kernel::event {
struct Watch;
}  // namespace silk::kernel::event

namespace silk::kernel::fs {

struct File;

// struct iovec: a user buffer (not yet checked).
struct IoVec {
  uint64_t base;
  uint64_t len;
};

struct FileOps {
  // read(2)/readv(2) and write(2)/writev(2): {count} user buffers; the bytes
  // moved or -errno. Blocking follows the file's O_NONBLOCK.
  int64_t (*read)(File* file, const IoVec* iov, uint64_t count);
  int64_t (*write)(File* file, const IoVec* iov, uint64_t count);
  // The EPOLL* bits that hold now (poll(2) semantics, no side effects).
  uint32_t (*poll)(File* file);
  // ioctl(2) requests other than the generic ones; nullptr: -ENOTTY.
  int64_t (*ioctl)(File* file, uint32_t request, uint64_t arg);
  // The last reference is gone: free the object.
  void (*release)(File* file);
};

struct File {
  uint32_t refs;
  uint32_t flags;   // open(2) flags that stay: access mode, O_APPEND, O_NONBLOCK, O_PATH, ...
  Node* node;       // referenced
  uint64_t offset;  // bytes; for a directory, the getdents64 position (an entry cookie)
  int stream;       // the console: which of its streams writes go to (1 stdout, 2 stderr: the fd 2 set up at start)
  const FileOps* ops;     // object files only (sockets, epoll, ...), else nullptr
  void* object;           // what ops work on
  event::Watch* watches;  // the epoll entries watching this file (event/epoll.h)
};

// A new open file of {node} (refs 1; takes a node reference), nullptr when
// the heap is exhausted.
File* file_new(Node* node, uint32_t flags);
// An object file: {node} as above, I/O through {ops} on {object}.
File* file_new_object(Node* node, uint32_t flags, const FileOps* ops, void* object);
void file_ref(File* file);
void file_unref(File* file);

bool can_read(const File* file);
bool can_write(const File* file);
// Whether the node has a position (pread/pwrite/lseek work): regular files,
// directories (lseek only) and all devices but the console; never objects.
bool seekable(const File* file);

// The EPOLL* bits that hold for {file} now: the object's, else regular
// files and devices are always readable and writable (the console: only
// writable, it has no input).
uint32_t poll_mask(File* file);

// At {offset} (ignored by devices); the bytes moved or -errno: -EBADF (the
// access mode forbids it, O_PATH), -EISDIR, -EINVAL (a symlink), -ENOSPC,
// -EFBIG. Writes update mtime/ctime.
int64_t read_at(File* file, void* dst, uint64_t n, uint64_t offset);
int64_t write_at(File* file, const void* src, uint64_t n, uint64_t offset);

// lseek(2): SEEK_SET/CUR/END/DATA/HOLE. -EINVAL, -ENXIO, -ESPIPE.
int64_t seek(File* file, int64_t offset, int whence);

// Fills {dst} with struct linux_dirent64 records from the file's position on
// and advances it; bytes written (0 at the end), -EINVAL when not even one
// record fits, -ENOTDIR.
int64_t getdents(File* file, void* dst, uint64_t cap);

}  // namespace silk::kernel::fs
