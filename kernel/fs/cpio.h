// The initrd as a cpio "newc" archive (Linux's
// Documentation/driver-api/early-userspace/buffer-format.rst): each entry is
// a 110-byte header ("070701", or "070702" whose checksums are not checked,
// then 13 eight-digit hex fields), the name (namesize bytes; the name ends at
// the first NUL, so a writer may pad it with NULs to page-align the data),
// padding to 4, the data, padding to 4. "TRAILER!!!" ends an archive;
// archives may follow one another (zeros may pad between them), as Linux
// accepts.
//
// Unpacking is zero copy: a regular file's bytes stay in the initrd
// (fs/file_data.h) until written. Directories, regular files (hard links by
// inode number), symlinks and device nodes are created; FIFOs and sockets
// are skipped. Missing parent directories are created; a later entry
// replaces an earlier one of the same name (a directory is updated).
#pragma once

#include <stdint.h>

#include "fs/node.h"

namespace silk::kernel::fs::cpio {

bool is_cpio(const uint8_t* data, uint64_t size);

struct Stats {
  uint64_t files, directories, symlinks, devices, skipped;
  bool complete;  // ended at a trailer (false: a malformed entry stopped it)
};

// Unpacks the archive [{data}, +{size}) into {root}.
Stats unpack(const uint8_t* data, uint64_t size, Node* root);

// Before there is a heap (to keep a fixed-address program's physical pages
// out of the frame allocator): the bytes of the regular file at {path}
// (absolute, or relative to the root), following symlinks inside the
// archive lexically ("a/../b" is "b"); false when there is no such file.
bool find(const uint8_t* data, uint64_t size, const char* path, const uint8_t** file, uint64_t* file_size);

}  // namespace silk::kernel::fs::cpio
