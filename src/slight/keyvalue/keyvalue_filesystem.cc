// keyvalue.filesystem: slight's on-disk layout (ABI.md §6.1), made safe and
// durable.
//
// Layout (as slight): the store of open name N is the directory
// std::env::temp_dir()/N — $TMPDIR (or /tmp when $TMPDIR is unset or empty)
// read at open — created (mkdir -p, mode 0777 & ~umask) at open and again
// before every set and keys (slight: before every operation); key K is the regular file <store>/K holding exactly the
// value's bytes (mode 0666 & ~umask). Data persists across runs.
//
// Refused with invalid-key (slight would address another path or fail), for
// keys and for the open name alike:
//   ""            names the store directory itself (or $TMPDIR, for a name)
//   "." and ".."  the directory itself and its parent: the way out
//   anything containing '/'  a sub-path, an absolute path, "../x": escapes or
//                 reaches into another directory
//   anything containing NUL  cannot be in a file name (the C API would cut it
//                 there and address a different key)
//   longer than 255 bytes     longer than a file name can be (NAME_MAX)
// Every other string, including ones starting with '.', is one file name in
// the store directory, so no key can reach outside it.
//
// Durability: set writes a temporary file in the store directory, fsyncs it,
// renames it over the key's file, then fsyncs the directory; delete unlinks
// and fsyncs the directory. A reader sees the old or the new value, never a
// part. Temporary files are named ".\xffsilk-tmp.<pid>.<n>": not UTF-8, so no
// key (a WIT string) can collide with one, and keys() never lists one.
//
// keys() lists every directory entry whose name is UTF-8 (a non-UTF-8 name
// cannot be a guest's key), sub-directories included as slight does, sorted.
// get of a missing key and delete of a missing key are key-not-found; other
// failures (EACCES, ENOSPC, a key naming a directory, ...) are io-error.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "slight/keyvalue/keyvalue_backend.h"

namespace silk::slight {
namespace {

constexpr size_t kNameMax = 255;
constexpr std::string_view kTempPrefix = ".\xffsilk-tmp.";

bool is_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; k++) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

// Why {name} cannot be one file name in a directory, or nullptr if it can.
const char* file_name_problem(std::string_view name) {
  if (name.empty()) return "is empty";
  if (name == "." || name == "..") return "names a directory, not a file in the store";
  if (name.find('/') != std::string_view::npos) return "contains '/'";
  if (name.find('\0') != std::string_view::npos) return "contains NUL";
  if (name.size() > kNameMax) return "is longer than 255 bytes";
  return nullptr;
}

// {s} with NULs shown as \0, cut at 300 bytes, for messages.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 300)) {
    if (c == '\0') {
      out += "\\0";
    } else {
      out += c;
    }
  }
  return s.size() > 300 ? out + "..." : out;
}

KeyValueError io_error(const std::string& what, const std::string& path, int err) {
  return {KeyValueErrorKind::IoError, what + " " + path + ": " + std::strerror(err)};
}

// mkdir -p {path}.
int make_directories(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
  size_t slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    if (int err = make_directories(path.substr(0, slash))) return err;
  }
  if (::mkdir(path.c_str(), 0777) != 0 && errno != EEXIST) return errno;
  return 0;
}

int fsync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  int err = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return err;
}

int write_all(int fd, const uint8_t* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return 0;
}

class KeyValueFilesystem final : public KeyValueBackend {
 public:
  explicit KeyValueFilesystem(std::string dir) : dir_(std::move(dir)) {}

  KvResult<std::vector<uint8_t>> get(std::string_view key) override {
    if (auto bad = check_key(key)) return *bad;
    std::string path = path_of(key);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return not_found(key);
      return io_error("cannot open", path, errno);
    }
    std::vector<uint8_t> value;
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) value.reserve(static_cast<size_t>(st.st_size));
    uint8_t buffer[65536];
    for (;;) {
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        return io_error("cannot read", path, err);
      }
      if (n == 0) break;
      value.insert(value.end(), buffer, buffer + n);
    }
    ::close(fd);
    return value;
  }

  KvStatus set(std::string_view key, std::span<const uint8_t> value) override {
    if (auto bad = check_key(key)) return *bad;
    if (int err = make_directories(dir_)) return io_error("cannot create", dir_, err);
    static std::atomic<uint64_t> counter{0};
    std::string temp = dir_ + "/" + std::string(kTempPrefix) + std::to_string(::getpid()) + "." +
                       std::to_string(counter.fetch_add(1));
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return io_error("cannot create", temp, errno);
    int err = write_all(fd, value.data(), value.size());
    const char* what = "cannot write";
    if (err == 0 && ::fsync(fd) != 0) err = errno, what = "cannot fsync";
    if (::close(fd) != 0 && err == 0) err = errno, what = "cannot close";
    std::string path = path_of(key);
    if (err == 0 && ::rename(temp.c_str(), path.c_str()) != 0) {
      err = errno;
      ::unlink(temp.c_str());
      return io_error("cannot replace", path, err);
    }
    if (err != 0) {
      ::unlink(temp.c_str());
      return io_error(what, temp, err);
    }
    if ((err = fsync_directory(dir_))) return io_error("cannot fsync", dir_, err);
    return KvOk{};
  }

  KvResult<std::vector<std::string>> keys() override {
    if (int err = make_directories(dir_)) return io_error("cannot create", dir_, err);
    DIR* dir = ::opendir(dir_.c_str());
    if (dir == nullptr) return io_error("cannot list", dir_, errno);
    std::vector<std::string> out;
    errno = 0;
    while (struct dirent* entry = ::readdir(dir)) {
      std::string_view name = entry->d_name;
      if (name == "." || name == ".." || name.starts_with(kTempPrefix) || !is_utf8(name)) continue;
      out.emplace_back(name);
    }
    int err = errno;
    ::closedir(dir);
    if (err != 0) return io_error("cannot list", dir_, err);
    std::sort(out.begin(), out.end());
    return out;
  }

  KvStatus remove(std::string_view key) override {
    if (auto bad = check_key(key)) return *bad;
    std::string path = path_of(key);
    if (::unlink(path.c_str()) != 0) {
      if (errno == ENOENT) return not_found(key);
      return io_error("cannot delete", path, errno);
    }
    if (int err = fsync_directory(dir_)) return io_error("cannot fsync", dir_, err);
    return KvOk{};
  }

 private:
  static std::optional<KeyValueError> check_key(std::string_view key) {
    if (const char* problem = file_name_problem(key)) {
      return KeyValueError{KeyValueErrorKind::InvalidKey, "invalid key '" + printable(key) + "': " + problem};
    }
    return std::nullopt;
  }
  static KeyValueError not_found(std::string_view key) {
    return {KeyValueErrorKind::KeyNotFound, "key not found: " + std::string(key)};
  }
  std::string path_of(std::string_view key) const { return dir_ + "/" + std::string(key); }

  std::string dir_;
};

}  // namespace

KvResult<std::unique_ptr<KeyValueBackend>> open_filesystem_store(std::string_view name,
                                                                 const KeyValueEnvironment& env) {
  if (const char* problem = file_name_problem(name)) {
    return KeyValueError{KeyValueErrorKind::InvalidKey,
                         "invalid keyvalue store name '" + printable(name) + "': " + problem};
  }
  std::string base = env.temp_dir;
  if (base.empty()) {
    const char* tmpdir = std::getenv("TMPDIR");
    base = tmpdir && *tmpdir ? tmpdir : "/tmp";
  }
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  std::string dir = base == "/" ? "/" + std::string(name) : base + "/" + std::string(name);
  if (int err = make_directories(dir)) return io_error("cannot create", dir, err);
  return std::unique_ptr<KeyValueBackend>(new KeyValueFilesystem(std::move(dir)));
}

}  // namespace silk::slight
