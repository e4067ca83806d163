// madvise and mremap (proc/memory.h has the semantics; mmap, munmap,
// mprotect and brk are in syscalls.cc).
#include "proc/memory.h"
#include "syscalls/syscalls.h"

namespace silk::kernel::syscalls {

int64_t sys_madvise(uint64_t addr, uint64_t len, uint64_t advice, uint64_t, uint64_t, uint64_t) {
  return proc::memory::madvise(addr, len, static_cast<int>(advice));
}

int64_t sys_mremap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, uint64_t flags, uint64_t new_addr,
                   uint64_t) {
  return proc::memory::mremap(old_addr, old_len, new_len, static_cast<int>(flags), new_addr);
}

}  // namespace silk::kernel::syscalls
