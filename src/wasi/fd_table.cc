// The guest fd table (fd_table.h).
#include "wasi/fd_table.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi/abi.h"

namespace silk::wasi {

FdTable::~FdTable() {
  for (FdEntry& e : entries_) release(e);
}

void FdTable::release(FdEntry& e) {
  if (e.dir) closedir(e.dir);
  if (e.owned && e.host_fd >= 0) ::close(e.host_fd);
  e = FdEntry{};
}

void FdTable::share_from(const FdTable& base) {
  entries_.clear();
  entries_.reserve(base.entries_.size());
  for (const FdEntry& b : base.entries_) {
    FdEntry e;
    e.host_fd = b.host_fd;
    e.owned = false;
    e.filetype = b.filetype;
    e.rights_base = b.rights_base;
    e.rights_inheriting = b.rights_inheriting;
    e.rsync = b.rsync;
    e.is_preopen = b.is_preopen;
    e.preopen_name = b.preopen_name;
    entries_.push_back(std::move(e));  // no readdir stream: each table opens its own
  }
}

Errno FdTable::get(uint32_t fd, uint64_t rights, FdEntry*& out) {
  if (fd >= entries_.size() || !entries_[fd].in_use()) return Errno::kBADF;
  FdEntry& e = entries_[fd];
  if ((e.rights_base & rights) != rights) return Errno::kNOTCAPABLE;
  out = &e;
  return Errno::kSUCCESS;
}

uint32_t FdTable::insert(FdEntry e, uint32_t min_fd) {
  uint32_t fd = min_fd;
  while (fd < entries_.size() && entries_[fd].in_use()) ++fd;
  put(fd, std::move(e));
  return fd;
}

void FdTable::put(uint32_t fd, FdEntry e) {
  if (fd >= entries_.size()) entries_.resize(fd + 1);
  release(entries_[fd]);
  entries_[fd] = std::move(e);
}

Errno FdTable::close(uint32_t fd) {
  if (fd >= entries_.size() || !entries_[fd].in_use()) return Errno::kBADF;
  release(entries_[fd]);
  return Errno::kSUCCESS;
}

Errno FdTable::renumber(uint32_t from, uint32_t to) {
  if (from >= entries_.size() || !entries_[from].in_use()) return Errno::kBADF;
  if (to >= entries_.size() || !entries_[to].in_use()) return Errno::kBADF;
  if (from == to) return Errno::kSUCCESS;
  release(entries_[to]);
  entries_[to] = std::move(entries_[from]);
  entries_[from] = FdEntry{};
  return Errno::kSUCCESS;
}

uint8_t filetype_of_host_fd(int host_fd) {
  struct stat st;
  if (fstat(host_fd, &st) != 0) return abi::kFiletypeUnknown;
  switch (st.st_mode & S_IFMT) {
    case S_IFREG: return abi::kFiletypeRegularFile;
    case S_IFDIR: return abi::kFiletypeDirectory;
    case S_IFCHR: return abi::kFiletypeCharacterDevice;
    case S_IFBLK: return abi::kFiletypeBlockDevice;
    case S_IFLNK: return abi::kFiletypeSymbolicLink;
    case S_IFSOCK: {
      int type = 0;
      socklen_t len = sizeof type;
      if (getsockopt(host_fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM)
        return abi::kFiletypeSocketDgram;
      return abi::kFiletypeSocketStream;
    }
    default: return abi::kFiletypeUnknown;  // FIFOs: WASI has no filetype for them
  }
}

uint64_t max_rights_for(uint8_t filetype, bool tty) {
  switch (filetype) {
    case abi::kFiletypeDirectory: return abi::kRightsDirectory;
    case abi::kFiletypeSocketStream:
    case abi::kFiletypeSocketDgram: return abi::kRightsSocket;
    default: return tty ? abi::kRightsTty : abi::kRightsRegularFile;
  }
}

}  // namespace silk::wasi
