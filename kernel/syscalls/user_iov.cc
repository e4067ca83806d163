#include "syscalls/user_iov.h"

#include "lib/string.h"
#include "proc/memory.h"

namespace silk::kernel::syscalls {
namespace {

constexpr uint64_t kSpan = 64 * 1024;
constexpr uint64_t kMaxTransfer = 0x7ffff000;  // MAX_RW_COUNT

}  // namespace

UserIov::UserIov(const fs::IoVec* iov, uint64_t count, bool to_user) : iov_(iov), count_(count), to_user_(to_user) {
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t len = iov[i].len;
    total_ = len >= kMaxTransfer - total_ ? kMaxTransfer : total_ + len;
  }
}

bool UserIov::peek(uint64_t max, uint8_t** data, uint64_t* len) {
  if (faulted_) return false;
  while (index_ < count_ && offset_ >= iov_[index_].len) {
    ++index_;
    offset_ = 0;
  }
  uint64_t left = remaining();
  if (index_ == count_ || left == 0 || max == 0) return false;
  uint64_t n = iov_[index_].len - offset_;
  if (n > kSpan) n = kSpan;
  if (n > max) n = max;
  if (n > left) n = left;
  uint64_t at = iov_[index_].base + offset_;
  if (at + n < at || !proc::memory::prepare(at, n, to_user_)) {
    faulted_ = true;
    return false;
  }
  // SAFETY: prepare() checked [at, at + n) and made it present.
  *data = reinterpret_cast<uint8_t*>(at);
  *len = n;
  return true;
}

void UserIov::advance(uint64_t n) {
  offset_ += n;
  done_ += n;
}

uint64_t UserIov::copy_out(const void* src, uint64_t n) {
  const auto* from = static_cast<const uint8_t*>(src);
  uint64_t moved = 0;
  uint8_t* p;
  uint64_t len;
  while (moved < n && peek(n - moved, &p, &len)) {
    memcpy(p, from + moved, len);
    advance(len);
    moved += len;
  }
  return moved;
}

uint64_t UserIov::copy_in(void* dst, uint64_t n) {
  auto* to = static_cast<uint8_t*>(dst);
  uint64_t moved = 0;
  uint8_t* p;
  uint64_t len;
  while (moved < n && peek(n - moved, &p, &len)) {
    memcpy(to + moved, p, len);
    advance(len);
    moved += len;
  }
  return moved;
}

}  // namespace silk::kernel::syscalls
