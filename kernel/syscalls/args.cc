#include "syscalls/args.h"

#include "fs/file.h"
#include "fs/node.h"
#include "fs/path.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "proc/fd_table.h"
#include "proc/memory.h"

namespace silk::kernel::syscalls {
namespace {

char g_paths[2][fs::kPathMax];

}  // namespace

bool user_readable(uint64_t address, uint64_t size) { return proc::memory::prepare(address, size, false); }
bool user_writable(uint64_t address, uint64_t size) { return proc::memory::prepare(address, size, true); }

bool copy_to_user(uint64_t address, const void* src, uint64_t size) {
  if (!user_writable(address, size)) return false;
  memcpy(reinterpret_cast<void*>(address), src, size);
  return true;
}

bool copy_from_user(void* dst, uint64_t address, uint64_t size) {
  if (!user_readable(address, size)) return false;
  memcpy(dst, reinterpret_cast<const void*>(address), size);
  return true;
}

int64_t copy_path(uint64_t address, int slot, const char** out) {
  char* buffer = g_paths[slot];
  uint64_t copied = 0;
  while (copied < fs::kPathMax) {
    // A page (or what is left of the limit) at a time: each page is checked
    // before it is read.
    uint64_t at = address + copied;
    if (at < address || !user_readable(at, 1)) return -err::kFault;
    uint64_t chunk = align_up(at + 1, 4096) - at;
    if (chunk > fs::kPathMax - copied) chunk = fs::kPathMax - copied;
    const auto* src = reinterpret_cast<const char*>(at);
    uint64_t len = strnlen(src, chunk);
    memcpy(buffer + copied, src, len);
    copied += len;
    if (len < chunk) {
      buffer[copied] = '\0';
      *out = buffer;
      return 0;
    }
  }
  return -err::kNametoolong;
}

fs::File* file_of(uint64_t fd) { return proc::fds::get(static_cast<int32_t>(fd)); }

int64_t base_of(uint64_t dirfd, const char* path, fs::Node** out) {
  if (path[0] == '/' || static_cast<int32_t>(dirfd) == kAtFdcwd) {
    *out = proc::fds::cwd();
    return 0;
  }
  fs::File* file = file_of(dirfd);
  if (file == nullptr) return -err::kBadf;
  if (!file->node->is_dir()) return -err::kNotdir;
  *out = file->node;
  return 0;
}

int64_t lookup_at(uint64_t dirfd, const char* path, bool follow, bool empty_path, fs::Node** out) {
  if (path[0] == '\0') {
    if (!empty_path) return -err::kNoent;
    if (static_cast<int32_t>(dirfd) == kAtFdcwd) {
      *out = proc::fds::cwd();
      return 0;
    }
    fs::File* file = file_of(dirfd);
    if (file == nullptr) return -err::kBadf;
    *out = file->node;
    return 0;
  }
  fs::Node* base;
  if (int64_t r = base_of(dirfd, path, &base); r != 0) return r;
  return fs::resolve(base, path, follow, out);
}

}  // namespace silk::kernel::syscalls
