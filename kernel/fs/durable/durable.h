// The durable store: a directory of the in-memory file system (the mount,
// `/tmp` unless the kernel word `disk=/PATH` says otherwise) whose contents
// live on the block device as well, in a journal of file-system operations
// (fs/durable/format.h, fs/durable/log.h). At boot, mount() replays the
// journal into a fresh directory there; afterwards every change under it is
// appended to the journal, and the system call that made it returns only
// after the journal is on the device and flushed (finish()). Reads never
// touch the device: the tree in memory is the cache, and it holds everything.
//
// The VFS calls the hooks below around each change. Every hook returns 0 at
// once for nodes that are not on the disk (durable_id 0), so the rest of the
// file system pays one comparison. Nodes on the disk carry their id in
// Node::durable_id; the mount's root is id 1. Renames and hard links between
// the disk and the rest are -EXDEV, as between two Linux mounts.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fs/node.h"

namespace silk::kernel::drivers {
class BlockDevice;
}

namespace silk::kernel::fs::durable {

// Mounts {device} (nullptr: nothing to do) at the `disk=` word of {cmdline}
// (default /tmp; `disk=off`: not mounted), after fs::init. A blank disk is
// formatted, a read-only one is mounted read-only, anything else is refused
// with a message (the directory then stays in memory only). Prints one line
// unless {quiet} (errors always).
void mount(drivers::BlockDevice* device, const char* cmdline, bool quiet);

inline bool on_disk(const Node* node) { return node->durable_id != 0; }
// Whether {node} is the mount's root (which cannot be removed or renamed: -EBUSY).
bool is_mount_root(const Node* node);

// Before a change to {node} (a directory whose entries change, or a file or
// directory whose contents or attributes change) that logs about
// {data_bytes} of file data: 0 to go ahead; -EROFS (a read-only disk), -EIO
// (the disk failed), -ENOSPC (the journal cannot take it even after
// compaction). Nothing has changed when it fails.
int prepare(const Node* node, uint64_t data_bytes = 0);
// The same for removing a name from {dir} (unlink, rmdir): it keeps working
// on a full disk, where prepare() leaves headroom and says -ENOSPC earlier.
int prepare_removal(const Node* dir);
// The same for a rename between two directories: -EXDEV when one is on the
// disk and the other not. Like a removal, it does not need headroom.
int prepare_pair(const Node* from_dir, const Node* to_dir);

// After the change, what it was; each returns 0 or -EIO (the journal could
// not be written: the change stays in memory only, and the disk takes no
// more).
// {node} was just added to {dir} as {name}: a new regular file, directory or
// symlink (it gets its id here).
int created(Node* dir, const char* name, size_t len, Node* node);
// An existing node got another name (a hard link).
int linked(Node* dir, const char* name, size_t len, Node* node);
int removed(Node* dir, const char* name, size_t len, bool was_dir);
int renamed(Node* from_dir, const char* from, size_t from_len, Node* to_dir, const char* to, size_t to_len);
// {n} bytes from {data} were written at {offset} of {file}.
int written(Node* file, uint64_t offset, const void* data, uint64_t n);
// {file}'s size changed (truncate, O_TRUNC).
int resized(Node* file);
// {node}'s permission bits, atime or mtime changed.
int attributes_changed(Node* node);

// At the end of every system call: makes what it logged durable (the
// staged records written, the device flushed). Returns {result}, or -EIO
// when that failed and {result} was a success.
int64_t finish(int64_t result);

}  // namespace silk::kernel::fs::durable
