// cpio newc: a 110-byte ASCII header ("070701" and 13 eight-digit hex
// fields), the NUL-terminated name, padding to 4 bytes, the data, padding to
// 4 bytes; the archive ends with the entry "TRAILER!!!".
#include "vmm/initrd/cpio_archive.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "vmm/kvm/fd.h"

namespace silk::vmm {
namespace {

constexpr uint64_t kHeaderSize = 110;

std::string header(uint32_t inode, uint32_t mode, uint64_t file_size, uint64_t name_size, uint32_t mtime) {
  char buf[kHeaderSize + 1];
  std::snprintf(buf, sizeof buf, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", inode, mode, 0u, 0u,
                1u, mtime, static_cast<uint32_t>(file_size), 0u, 0u, 0u, 0u, static_cast<uint32_t>(name_size), 0u);
  return std::string(buf, kHeaderSize);
}

bool pread_all(int fd, uint8_t* dst, uint64_t len) {
  uint64_t done = 0;
  while (done < len) {
    ssize_t n = ::pread(fd, dst + done, len - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<uint64_t>(n);
  }
  return true;
}

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

}  // namespace

void CpioArchive::append_bytes(std::string bytes) {
  size_ += bytes.size();
  if (!pieces_.empty() && pieces_.back().host_path.empty()) {
    pieces_.back().bytes += bytes;
    return;
  }
  Piece piece;
  piece.offset = size_ - bytes.size();
  piece.bytes = std::move(bytes);
  pieces_.push_back(std::move(piece));
}

void CpioArchive::pad_to_4() {
  if (size_ % 4 != 0) append_bytes(std::string(4 - size_ % 4, '\0'));
}

void CpioArchive::add_entry(const std::string& path, uint32_t mode, uint64_t data_size, bool align_data) {
  // The name, its NUL, and (to page-align the data) more NULs.
  uint64_t name_size = path.size() + 1;
  if (align_data) {
    uint64_t data_at = size_ + kHeaderSize + name_size;
    name_size += (kPage - data_at % kPage) % kPage;
  }
  std::string name = path;
  name.resize(name_size, '\0');
  append_bytes(header(next_inode_++, mode, data_size, name_size, 0) + name);
  pad_to_4();
  ++entries_;
}

void CpioArchive::ensure_parents(const std::string& path) {
  std::string parent = parent_of(path);
  if (parent.empty() || directories_.count(parent) != 0) return;
  ensure_parents(parent);
  directories_.insert(parent);
  add_entry(parent, S_IFDIR | 0755, 0, false);
}

void CpioArchive::add_directory(const std::string& path, uint32_t mode) {
  if (finished_ || directories_.count(path) != 0) return;
  ensure_parents(path);
  directories_.insert(path);
  add_entry(path, S_IFDIR | (mode & 07777), 0, false);
}

void CpioArchive::add_file(const std::string& path, std::string contents, uint32_t mode) {
  if (finished_) return;
  ensure_parents(path);
  add_entry(path, S_IFREG | (mode & 07777), contents.size(), false);
  append_bytes(std::move(contents));
  pad_to_4();
}

void CpioArchive::add_symlink(const std::string& path, const std::string& target) {
  if (finished_) return;
  ensure_parents(path);
  add_entry(path, S_IFLNK | 0777, target.size(), false);
  append_bytes(target);
  pad_to_4();
}

Result<void> CpioArchive::add_host_file(const std::string& path, const std::string& host_path) {
  struct stat st {};
  if (::stat(host_path.c_str(), &st) != 0) return make_error(host_path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return make_error(host_path + ": not a regular file");
  if (::access(host_path.c_str(), R_OK) != 0) return make_error(host_path + ": " + std::strerror(errno));
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > 0xffffffffull) return make_error(host_path + ": larger than 4 GiB (cpio newc's limit)");
  if (finished_) return make_error("cpio archive: " + path + " added after the trailer");
  ensure_parents(path);
  bool align = size >= kAlignThreshold;
  add_entry(path, S_IFREG | (st.st_mode & 07777), size, align);
  Piece piece;
  piece.offset = size_;
  piece.host_path = host_path;
  piece.host_size = size;
  piece.page_aligned = align;
  pieces_.push_back(std::move(piece));
  size_ += size;
  pad_to_4();
  return {};
}

Result<void> CpioArchive::add_host_tree(const std::string& path, const std::string& host_dir) {
  DIR* dir = ::opendir(host_dir.c_str());
  if (dir == nullptr) return make_error(host_dir + ": " + std::strerror(errno));
  add_directory(path);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(dir)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());  // the same archive for the same tree
  for (const std::string& name : names) {
    std::string host = host_dir + "/" + name, inside = path + "/" + name;
    struct stat st {};
    if (::lstat(host.c_str(), &st) != 0) return make_error(host + ": " + std::strerror(errno));
    if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlink(host.c_str(), target.data(), target.size());
      if (n < 0) return make_error(host + ": " + std::strerror(errno));
      target.resize(static_cast<size_t>(n));
      add_symlink(inside, target);
    } else if (S_ISDIR(st.st_mode)) {
      if (auto r = add_host_tree(inside, host); !r) return r;
    } else if (S_ISREG(st.st_mode)) {
      if (auto r = add_host_file(inside, host); !r) return r;
    }  // sockets, fifos and devices are left out
  }
  return {};
}

void CpioArchive::finish() {
  if (finished_) return;
  add_entry("TRAILER!!!", 0, 0, false);
  finished_ = true;
}

uint64_t CpioArchive::mapped_bytes() const {
  uint64_t n = 0;
  for (const Piece& p : pieces_)
    if (p.page_aligned) n += p.host_size;
  return n;
}

Result<void> CpioArchive::write_to(uint8_t* dst, bool map_host_files) const {
  // Host files first: a mapping covers whole pages, and the literal bytes
  // that follow a file inside its last page are written over it afterwards.
  for (const Piece& p : pieces_) {
    if (p.host_path.empty() || p.host_size == 0) continue;
    Fd fd(::open(p.host_path.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0) return make_error(p.host_path + ": " + std::strerror(errno));
    if (static_cast<uint64_t>(st.st_size) != p.host_size)
      return make_error(p.host_path + ": changed size while the initrd was being built");
    if (map_host_files && p.page_aligned) {
      void* at = ::mmap(dst + p.offset, p.host_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd.get(), 0);
      if (at != MAP_FAILED) continue;
    }
    if (!pread_all(fd.get(), dst + p.offset, p.host_size))
      return make_error(p.host_path + ": read: " + (errno != 0 ? std::strerror(errno) : "file shrank"));
  }
  for (const Piece& p : pieces_) {
    if (p.host_path.empty()) std::memcpy(dst + p.offset, p.bytes.data(), p.bytes.size());
  }
  return {};
}

Result<void> CpioArchive::write_file(const std::string& path) const {
  void* mem = ::mmap(nullptr, size_ == 0 ? 1 : size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return make_error(path + ": " + std::strerror(errno));
  auto* bytes = static_cast<uint8_t*>(mem);
  auto unmap = [&] { ::munmap(mem, size_ == 0 ? 1 : size_); };
  if (auto r = write_to(bytes, false); !r) {
    unmap();
    return r;
  }
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    unmap();
    return make_error(path + ": " + std::strerror(errno));
  }
  for (uint64_t done = 0; done < size_;) {
    ssize_t n = ::write(fd.get(), bytes + done, size_ - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      unmap();
      return make_error(path + ": write: " + std::strerror(errno));
    }
    done += static_cast<uint64_t>(n);
  }
  unmap();
  return {};
}

}  // namespace silk::vmm
