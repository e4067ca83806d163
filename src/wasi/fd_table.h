// silk::wasi — the guest's file descriptor table: guest fd -> host fd, with
// its WASI filetype and rights (the capabilities the guest holds on it).
#pragma once

#include <dirent.h>

#include <cstdint>
#include <string>
#include <vector>

#include "wasi/errno.h"

namespace silk::wasi {

struct FdEntry {
  int host_fd = -1;          // -1: the slot is free
  bool owned = true;         // close host_fd when the guest closes it (not stdio/sockets)
  uint8_t filetype = 0;      // abi::Filetype
  uint64_t rights_base = 0;
  uint64_t rights_inheriting = 0;
  uint16_t rsync = 0;        // abi::kFdflagRsync if requested (Linux has no separate O_RSYNC)
  bool is_preopen = false;
  std::string preopen_name;  // the guest name of a pre-opened directory
  DIR* dir = nullptr;        // fd_readdir stream on a dup of host_fd, opened lazily
  // fd_readdir cookies are entry indices (see call_fd_readdir): the index of
  // the entry {dir} returns next, and where the last entry read began.
  uint64_t dir_next_index = 0;
  uint64_t dir_last_index = 0;
  long dir_last_pos = -1;

  bool in_use() const { return host_fd >= 0; }
};

class FdTable {
 public:
  FdTable() = default;
  ~FdTable();
  FdTable(const FdTable&) = delete;
  FdTable& operator=(const FdTable&) = delete;

  // The entry for guest {fd} if it is open and holds every right in {rights}:
  // EBADF if not open, ENOTCAPABLE if a right is missing.
  Errno get(uint32_t fd, uint64_t rights, FdEntry*& out);
  // Puts {e} at the lowest free guest fd (>= {min_fd}); returns it.
  uint32_t insert(FdEntry e, uint32_t min_fd = 0);
  // Places {e} exactly at {fd} (setup of stdio, preopens, sockets).
  void put(uint32_t fd, FdEntry e);
  Errno close(uint32_t fd);
  // fd_renumber: {to} is closed and replaced by {from}, which becomes free.
  Errno renumber(uint32_t from, uint32_t to);
  // This (empty) table gets {base}'s descriptors, none of them owned: {base}
  // keeps the host fds open, and a guest close here only frees the slot.
  void share_from(const FdTable& base);

 private:
  static void release(FdEntry& e);
  std::vector<FdEntry> entries_;
};

// The WASI filetype of an open host fd (fstat + SO_TYPE for sockets).
uint8_t filetype_of_host_fd(int host_fd);
// The rights a fd of {filetype} may hold at most ({tty}: no seek/tell).
uint64_t max_rights_for(uint8_t filetype, bool tty);

}  // namespace silk::wasi
