// A walk over user buffers (struct iovec arrays) for the object files that
// move data straight between user memory and themselves (sockets, eventfd):
// each span handed out lies in one buffer, is at most 64 KiB and has been
// checked and made present (proc::memory::prepare) for the direction of the
// transfer. The iovec array itself must already be readable (the caller
// checked it). Totals are capped at MAX_RW_COUNT (0x7ffff000), as Linux does.
#pragma once

#include <stdint.h>

#include "fs/file.h"

namespace silk::kernel::syscalls {

class UserIov {
 public:
  // {to_user}: the kernel writes into the buffers (a read).
  UserIov(const fs::IoVec* iov, uint64_t count, bool to_user);

  // Bytes not yet consumed.
  uint64_t remaining() const { return total_ - done_; }
  uint64_t done() const { return done_; }
  // True once a buffer was not accessible: the transfer stops there.
  bool faulted() const { return faulted_; }

  // The next span, at most {max} bytes, without consuming it; false at the
  // end or on a fault.
  bool peek(uint64_t max, uint8_t** data, uint64_t* len);
  void advance(uint64_t n);

  // Copies between the buffers and kernel memory, consuming what moved;
  // returns the bytes moved (less than {n} at the end or on a fault).
  uint64_t copy_out(const void* src, uint64_t n);
  uint64_t copy_in(void* dst, uint64_t n);

 private:
  const fs::IoVec* iov_;
  uint64_t count_;
  bool to_user_;
  bool faulted_ = false;
  uint64_t index_ = 0;   // current buffer
  uint64_t offset_ = 0;  // into it
  uint64_t total_ = 0;
  uint64_t done_ = 0;
};

// The result of a transfer that moved {done} bytes and then stopped with
// {error} (0 or -errno): the bytes when any moved, else the error.
inline int64_t partial_result(uint64_t done, int64_t error) {
  return done != 0 ? static_cast<int64_t>(done) : error;
}

}  // namespace silk::kernel::syscalls
