// The sandboxed path resolver (path_resolver.h).
#include "wasi/path_resolver.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <vector>

namespace silk::wasi {

DirFd& DirFd::operator=(DirFd&& o) noexcept {
  if (this != &o) {
    if (owned_) ::close(fd_);
    fd_ = o.fd_;
    owned_ = o.owned_;
    o.owned_ = false;
  }
  return *this;
}

DirFd::~DirFd() {
  if (owned_) ::close(fd_);
}

namespace {

// Splits {path} at '/' and puts its components in front of {pending}, in order.
void push_components_front(std::string_view path, std::deque<std::string>& pending) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    parts.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) pending.push_front(std::move(*it));
}

// The open intermediate directories, innermost last; the root itself is not owned.
class DirStack {
 public:
  explicit DirStack(int root) : root_(root) {}
  ~DirStack() {
    for (int fd : fds_) ::close(fd);
  }
  int top() const { return fds_.empty() ? root_ : fds_.back(); }
  uint32_t depth() const { return uint32_t(fds_.size()); }
  void push(int fd) { fds_.push_back(fd); }
  bool pop() {
    if (fds_.empty()) return false;
    ::close(fds_.back());
    fds_.pop_back();
    return true;
  }
  DirFd take_top() {
    if (fds_.empty()) return DirFd(root_, false);
    int fd = fds_.back();
    fds_.pop_back();
    return DirFd(fd, true);
  }

 private:
  int root_;
  std::vector<int> fds_;
};

}  // namespace

Errno resolve_path(int root_fd, std::string_view path, bool follow_final, ResolvedPath& out) {
  if (path.empty()) return Errno::kNOENT;
  if (path.find('\0') != std::string_view::npos) return Errno::kINVAL;
  if (path.front() == '/') return Errno::kNOTCAPABLE;
  // "dir/" names dir itself, which must be a directory: keep the slash on the
  // final name so the host's *at() call checks that.
  bool trailing_slash = path.back() == '/';
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);

  std::deque<std::string> pending;
  push_components_front(path, pending);
  DirStack dirs(root_fd);
  std::string name;
  int symlinks = 0;
  char target[PATH_MAX + 1];

  while (!pending.empty()) {
    std::string c = std::move(pending.front());
    pending.pop_front();
    const bool last = pending.empty();
    name.clear();
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (!dirs.pop()) return Errno::kNOTCAPABLE;  // above the root
      continue;
    }
    if (last && !follow_final && !trailing_slash) {
      name = std::move(c);
      break;
    }
    ssize_t n = readlinkat(dirs.top(), c.c_str(), target, sizeof target - 1);
    if (n >= 0) {  // a symlink: splice its target into the path
      if (++symlinks > kMaxSymlinks) return Errno::kLOOP;
      if (n == 0) return Errno::kNOENT;
      if (target[0] == '/') return Errno::kNOTCAPABLE;
      if (last && target[n - 1] == '/') trailing_slash = true;
      push_components_front(std::string_view(target, size_t(n)), pending);
      continue;
    }
    if (errno != EINVAL && errno != ENOENT) return errno_from_host(errno);
    if (last) {  // not a symlink (or not there yet): the final name
      name = std::move(c);
      break;
    }
    if (errno == ENOENT) return Errno::kNOENT;
    int fd = openat(dirs.top(), c.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno_from_host(errno);
    dirs.push(fd);
  }

  if (name.empty()) name = ".";
  else if (trailing_slash) name += '/';
  out.depth = dirs.depth();
  out.parent = dirs.take_top();
  out.name = std::move(name);
  return Errno::kSUCCESS;
}

bool symlink_target_stays_inside(std::string_view target, uint32_t depth) {
  if (target.empty() || target.front() == '/') return false;
  int64_t level = depth;
  size_t start = 0;
  while (start <= target.size()) {
    size_t slash = target.find('/', start);
    if (slash == std::string_view::npos) slash = target.size();
    std::string_view c = target.substr(start, slash - start);
    if (c == "..") {
      if (--level < 0) return false;
    } else if (!c.empty() && c != ".") {
      ++level;
    }
    start = slash + 1;
  }
  return true;
}

}  // namespace silk::wasi
