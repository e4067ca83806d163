// silk::vmm::FileDisk — the guest's block device (`silk vm --disk FILE`): a
// regular host file of whole 512-byte sectors (a trailing partial sector is
// not part of the disk). Opened read-write (or read-only with
// --disk-readonly) and locked with flock (exclusive, or shared when
// read-only) so that two VMs never write one disk.
//
// Durability (hvt_abi.h, "Block"): write() returns once the file holds the
// data (pwrite, the host's page cache); flush() makes every completed write
// durable (fdatasync). Single-threaded, like the vCPU loop that calls it.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "common/result.h"
#include "vmm/kvm/fd.h"

namespace silk::vmm {

class FileDisk {
 public:
  static constexpr uint64_t kSectorSize = 512;

  // Errors name the file: "disk.img: No such file or directory",
  // "disk.img: 100 bytes: smaller than one 512-byte sector",
  // "disk.img: in use by another process (flock)".
  static Result<FileDisk> open(const std::string& path, bool readonly);

  uint64_t size() const { return size_; }  // bytes, a multiple of kSectorSize
  bool readonly() const { return readonly_; }
  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }

  // Why [{offset}, {offset} + {len}) is not a valid request ("offset 0x201 is
  // not a multiple of 512", "[0x10000, +0x200) runs past the end of the
  // 65536-byte disk"), or "" when it is. Overflow-safe.
  std::string check_range(uint64_t offset, uint64_t len) const;

  // The whole range or an error naming the file, the offset and errno; the
  // range must have passed check_range().
  Result<void> read(uint64_t offset, std::span<uint8_t> data) const;
  Result<void> write(uint64_t offset, std::span<const uint8_t> data);
  Result<void> flush();

 private:
  FileDisk(Fd fd, std::string path, uint64_t size, bool readonly)
      : fd_(std::move(fd)), path_(std::move(path)), size_(size), readonly_(readonly) {}
  Fd fd_;
  std::string path_;
  uint64_t size_ = 0;
  bool readonly_ = false;
};

}  // namespace silk::vmm
