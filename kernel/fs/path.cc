#include "fs/path.h"

#include "fs/procfs.h"
#include "lib/errno.h"
#include "lib/string.h"

namespace silk::kernel::fs {
namespace {

// Symlink expansions: target + "/" + the rest of the path, alternating so
// the rest (which points into the other one) stays intact while copying.
char g_scratch[2][kPathMax];
int g_current = 0;

// One component: "." and "" are {dir}, ".." its parent, else the entry
// (whose name hashes to {hash}).
Node* step(Node* dir, const char* name, size_t len, uint32_t hash) {
  if (len == 0 || (len == 1 && name[0] == '.')) return dir;
  if (len == 2 && name[0] == '.' && name[1] == '.') return parent_of(dir);
  Dirent* e = lookup_hashed(dir, name, len, hash);
  return e != nullptr ? e->node : nullptr;
}

Node* step(Node* dir, const char* name, size_t len) {
  uint32_t hash = kHashSeed;
  for (size_t i = 0; i < len; ++i) hash = hash_step(hash, name[i]);
  return step(dir, name, len, hash);
}

// {target} + {sep} + {rest} into the scratch buffer not in use; nullptr when
// too long.
const char* expand(const char* target, const char* sep, const char* rest) {
  size_t a = strlen(target), b = strlen(sep), c = strlen(rest);
  if (a + b + c >= kPathMax) return nullptr;
  g_current ^= 1;
  char* out = g_scratch[g_current];
  memcpy(out, target, a);
  memcpy(out + a, sep, b);
  memcpy(out + a + b, rest, c + 1);
  return out;
}

}  // namespace

const char* link_target(const Node* link) {
  if (link->special == Special::kProcSelfExe) return procfs::exe_path();
  return link->target != nullptr ? link->target : "";
}

int walk_parent(Walk* w, Node* base, const char* path) {
  if (*path == '\0') return -err::kNoent;
  Node* dir = *path == '/' ? root() : base;
  const char* p = path;
  for (;;) {
    if (!dir->is_dir()) return -err::kNotdir;
    while (*p == '/') ++p;
    const char* name = p;
    uint32_t hash = kHashSeed;  // hashed while scanning: one pass over the name
    for (; *p != '\0' && *p != '/'; ++p) hash = hash_step(hash, *p);
    size_t len = static_cast<size_t>(p - name);
    if (len > kNameMax) return -err::kNametoolong;
    const char* rest = p;
    while (*rest == '/') ++rest;
    if (*rest == '\0') {
      memcpy(w->name, name, len);
      w->name[len] = '\0';
      w->len = len;
      w->dir = dir;
      w->trailing_slash = *p == '/';
      return 0;
    }
    Node* next = step(dir, name, len, hash);
    if (next == nullptr) return -err::kNoent;
    if (next->is_symlink()) {
      if (++w->links > kMaxSymlinks) return -err::kLoop;
      const char* target = link_target(next);
      if (*target == '\0') return -err::kNoent;
      const char* expanded = expand(target, "/", rest);
      if (expanded == nullptr) return -err::kNametoolong;
      if (*target == '/') dir = root();
      p = expanded;
      continue;
    }
    if (!next->is_dir()) return -err::kNotdir;
    dir = next;
    p = rest;
  }
}

int walk_symlink(Walk* w, const Node* link) {
  if (++w->links > kMaxSymlinks) return -err::kLoop;
  const char* target = link_target(link);
  if (*target == '\0') return -err::kNoent;
  const char* expanded = expand(target, w->trailing_slash ? "/" : "", "");
  if (expanded == nullptr) return -err::kNametoolong;
  return walk_parent(w, w->dir, expanded);
}

Node* last_node(const Walk& w) { return step(w.dir, w.name, w.len); }

int resolve(Node* base, const char* path, bool follow, Node** out) {
  Walk w{};
  int r = walk_parent(&w, base, path);
  while (r == 0) {
    Node* node = last_node(w);
    if (node == nullptr) return -err::kNoent;
    if (node->is_symlink() && (follow || w.trailing_slash)) {
      r = walk_symlink(&w, node);
      continue;
    }
    if (w.trailing_slash && !node->is_dir()) return -err::kNotdir;
    *out = node;
    return 0;
  }
  return r;
}

int64_t path_of(const Node* node, char* buf, size_t cap) {
  // Built backwards from the end of {buf}, then moved to the front.
  if (cap < 2) return -err::kRange;
  size_t at = cap - 1;
  buf[at] = '\0';
  for (const Node* n = node; n != root();) {
    const Dirent* e = n->link;
    if (e == nullptr) return -err::kNoent;
    if (at < e->len + 1u) return -err::kRange;
    at -= e->len;
    memcpy(buf + at, e->name, e->len);
    buf[--at] = '/';
    n = e->dir;
  }
  if (at == cap - 1) buf[--at] = '/';
  size_t len = cap - 1 - at;
  memmove(buf, buf + at, len + 1);
  return static_cast<int64_t>(len);
}

}  // namespace silk::kernel::fs
