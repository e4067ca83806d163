#include "vmm/block/file_disk.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace silk::vmm {
namespace {

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

}  // namespace

Result<FileDisk> FileDisk::open(const std::string& path, bool readonly) {
  Fd fd(::open(path.c_str(), (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC));
  if (!fd.valid()) return make_error(path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) < 0) return make_error(path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return make_error(path + ": not a regular file");
  uint64_t size = static_cast<uint64_t>(st.st_size) / kSectorSize * kSectorSize;
  if (size == 0)
    return make_error(path + ": " + std::to_string(st.st_size) + " bytes: smaller than one " +
                      std::to_string(kSectorSize) + "-byte sector");
  if (::flock(fd.get(), (readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0)
    return make_error(path + ": " +
                      (errno == EWOULDBLOCK ? std::string("in use by another process (flock)") : std::strerror(errno)));
  return FileDisk(std::move(fd), path, size, readonly);
}

std::string FileDisk::check_range(uint64_t offset, uint64_t len) const {
  if (offset % kSectorSize != 0)
    return "offset " + hex(offset) + " is not a multiple of " + std::to_string(kSectorSize);
  if (len % kSectorSize != 0) return "length " + hex(len) + " is not a multiple of " + std::to_string(kSectorSize);
  if (offset > size_ || len > size_ - offset)
    return "[" + hex(offset) + ", +" + hex(len) + ") runs past the end of the " + std::to_string(size_) +
           "-byte disk";
  return "";
}

Result<void> FileDisk::read(uint64_t offset, std::span<uint8_t> data) const {
  for (size_t done = 0; done < data.size();) {
    ssize_t n = ::pread(fd_.get(), data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return make_error(path_ + ": read at " + hex(offset + done) + ": " +
                        (n == 0 ? std::string("end of file (the file shrank)") : std::strerror(errno)));
    done += static_cast<size_t>(n);
  }
  return {};
}

Result<void> FileDisk::write(uint64_t offset, std::span<const uint8_t> data) {
  for (size_t done = 0; done < data.size();) {
    ssize_t n = ::pwrite(fd_.get(), data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return make_error(path_ + ": write at " + hex(offset + done) + ": " +
                        (n == 0 ? std::string("nothing written") : std::strerror(errno)));
    done += static_cast<size_t>(n);
  }
  return {};
}

Result<void> FileDisk::flush() {
  while (::fdatasync(fd_.get()) < 0) {
    if (errno != EINTR) return make_error(path_ + ": fdatasync: " + std::strerror(errno));
  }
  return {};
}

}  // namespace silk::vmm
