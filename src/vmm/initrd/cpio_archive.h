// silk::vmm::CpioArchive — writes an initrd as a cpio "newc" archive (the
// format Linux's initramfs and silk's kernel unpack: kernel/fs).
//
// Large host files are laid out so their data starts on a page boundary (the
// file name is padded with NUL bytes, which newc allows: the name is the bytes
// up to the first NUL). The monitor can then map such a file straight into
// guest memory (MAP_PRIVATE) instead of copying it, and the kernel can map
// its pages into the process without a copy.
//
// Parent directories are added on demand. Paths are archive paths without a
// leading '/' ("usr/bin/silk"). Host files are read when the archive is
// written, not when they are added.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"

namespace silk::vmm {

class CpioArchive {
 public:
  // Files at least this large get page-aligned data (and are mapped).
  static constexpr uint64_t kAlignThreshold = 64 * 1024;
  static constexpr uint64_t kPage = 4096;

  void add_directory(const std::string& path, uint32_t mode = 0755);
  void add_file(const std::string& path, std::string contents, uint32_t mode = 0644);
  // The host file {host_path} (followed through symlinks) as {path}, with its
  // permission bits. An error names {host_path} when it is not a readable
  // regular file.
  Result<void> add_host_file(const std::string& path, const std::string& host_path);
  // Everything under the host directory {host_dir} (regular files,
  // directories, symlinks as symlinks) below {path}.
  Result<void> add_host_tree(const std::string& path, const std::string& host_dir);
  void add_symlink(const std::string& path, const std::string& target);

  // Appends the TRAILER!!! entry; nothing can be added after it.
  void finish();
  bool finished() const { return finished_; }

  // The archive's size in bytes (final after finish()).
  uint64_t size() const { return size_; }
  // Bytes of host files laid out for mapping.
  uint64_t mapped_bytes() const;
  uint64_t entry_count() const { return entries_; }

  // Writes the whole archive to {dst} ({size()} bytes; {dst} page-aligned and
  // zero-filled). With {map_host_files}, page-aligned host files are mapped
  // there with mmap(MAP_PRIVATE | MAP_FIXED) instead of read: {dst} must then
  // be a private mapping the caller owns. An error names a host file that
  // could not be read or changed size since it was added.
  Result<void> write_to(uint8_t* dst, bool map_host_files) const;
  // Writes the archive to the file {path} (created or truncated).
  Result<void> write_file(const std::string& path) const;

 private:
  // A run of archive bytes: either literal bytes or a host file's contents.
  struct Piece {
    uint64_t offset = 0;
    std::string bytes;       // literal (headers, names, small contents)
    std::string host_path;   // or: a host file of {host_size} bytes
    uint64_t host_size = 0;
    bool page_aligned = false;
  };

  void ensure_parents(const std::string& path);
  void add_entry(const std::string& path, uint32_t mode, uint64_t data_size, bool align_data);
  void append_bytes(std::string bytes);
  void pad_to_4();

  std::vector<Piece> pieces_;
  std::set<std::string> directories_;
  uint64_t size_ = 0;
  uint64_t entries_ = 0;
  uint32_t next_inode_ = 1;
  bool finished_ = false;
};

}  // namespace silk::vmm
