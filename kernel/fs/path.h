// Path resolution, as path_resolution(7) describes it: absolute paths start
// at the root, relative ones at a base directory (the cwd or a dirfd); "."
// and ".." (the root's ".." is the root); empty components are skipped; a
// symlink in the middle is always followed, a final one on request or when
// a trailing slash follows it; at most kMaxSymlinks symlinks per
// resolution (-ELOOP). Errors: -ENOENT (a missing component, an empty path,
// a removed directory), -ENOTDIR (a non-directory used as one, a trailing
// slash after a non-directory), -ENAMETOOLONG (a component over 255 bytes,
// an expansion over 4095), -ELOOP.
//
// Paths are kernel strings (system calls copy them in first). The symlink
// expansions use static scratch buffers: resolution never nests (one CPU, no
// preemption) and keeps the kernel stack small.
#pragma once

#include <stddef.h>

#include "fs/node.h"

namespace silk::kernel::fs {

inline constexpr int kMaxSymlinks = 40;

// Where a path's last component lives: for creating, removing or renaming
// a name.
struct Walk {
  Node* dir;                 // a directory
  char name[kNameMax + 1];   // the last component; "" for "/", may be "." or ".."
  size_t len;
  bool trailing_slash;       // the path ended in '/'
  int links;                 // symlinks followed so far
};

// Walks {path} from {base} through every component but the last (following
// symlinks on the way). 0 or -errno.
int walk_parent(Walk* walk, Node* base, const char* path);
// When {walk}'s last component is the symlink {link}: walks its target from
// {walk}'s directory instead (counting the link).
int walk_symlink(Walk* walk, const Node* link);
// The node {walk}'s last component names ("", "." and ".." included), not
// following a symlink; nullptr when there is none.
Node* last_node(const Walk& walk);

// Resolves {path} from {base}; {follow}: follow a final symlink.
int resolve(Node* base, const char* path, bool follow, Node** out);

// A symlink's target (the running program's path for /proc/self/exe).
const char* link_target(const Node* link);

// Writes the absolute path of {node} (through the entries that name it) to
// {buf}, NUL-terminated; its length, -ENOENT when {node} is no longer
// reachable from the root, -ERANGE when {cap} is too small.
int64_t path_of(const Node* node, char* buf, size_t cap);

}  // namespace silk::kernel::fs
