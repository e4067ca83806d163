// silk::wasi — the sandbox: resolves a guest path under a directory fd one
// component at a time (openat with O_NOFOLLOW, readlinkat for symlinks), so a
// lookup can never leave the tree below that directory:
//   * an absolute path, or `..` above the root           -> ENOTCAPABLE
//   * a symlink whose target is absolute                  -> ENOTCAPABLE
//   * a relative symlink whose target climbs above root   -> ENOTCAPABLE
//   * more than kMaxSymlinks symlinks on the way (loops)  -> ELOOP
// The result is the directory holding the last component, and that
// component's name; callers finish with an *at() call on the two using
// O_NOFOLLOW / AT_SYMLINK_NOFOLLOW, so the host never follows a link itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "wasi/errno.h"

namespace silk::wasi {

// A directory fd that the resolver may have opened (and then closes).
class DirFd {
 public:
  DirFd() = default;
  DirFd(int fd, bool owned) : fd_(fd), owned_(owned) {}
  DirFd(DirFd&& o) noexcept : fd_(o.fd_), owned_(o.owned_) { o.owned_ = false; }
  DirFd& operator=(DirFd&& o) noexcept;
  DirFd(const DirFd&) = delete;
  DirFd& operator=(const DirFd&) = delete;
  ~DirFd();
  int get() const { return fd_; }

 private:
  int fd_ = -1;
  bool owned_ = false;
};

struct ResolvedPath {
  DirFd parent;      // the directory that holds {name}
  std::string name;  // one component: ".", or a name (with "/" appended if the path had a trailing slash)
  uint32_t depth = 0;  // how many directories {parent} lies below the root
};

inline constexpr int kMaxSymlinks = 40;  // as Linux's MAXSYMLINKS

// Resolves {path} relative to the directory {root_fd}. Symlinks in the middle
// of the path are always followed (inside the sandbox); the last component's
// symlink only if {follow_final} (or the path ends in "/").
Errno resolve_path(int root_fd, std::string_view path, bool follow_final, ResolvedPath& out);

// Whether a symlink with target {target}, created in a directory {depth}
// levels below the root, stays inside the root when read lexically
// (path_symlink refuses absolute and escaping targets).
bool symlink_target_stays_inside(std::string_view target, uint32_t depth);

}  // namespace silk::wasi
