// Open files for kernel objects without a name (epoll, eventfd, signalfd):
// they share one anonymous node, as Linux's anon_inode (st_mode 0600, no
// file type bits).
#pragma once

#include <stdint.h>

namespace silk::kernel::fs {
struct File;
struct FileOps;
}  // namespace silk::kernel::fs

namespace silk::kernel::event {

// A new open file (refs 1) with {flags} (access mode, O_NONBLOCK) doing
// {ops} on {object}; nullptr when out of memory.
fs::File* new_object_file(const fs::FileOps* ops, void* object, uint32_t flags);

}  // namespace silk::kernel::event
