#include "fs/node.h"

#include "fs/file_data.h"
#include "lib/errno.h"
#include "lib/panic.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "proc/process.h"

namespace silk::kernel::fs {
namespace {

Node* g_root = nullptr;
uint64_t g_next_ino = 1;

// FNV-1a: compared before the bytes, so a lookup touches few names.
uint32_t hash_name(const char* name, size_t len) {
  uint32_t h = kHashSeed;
  for (size_t i = 0; i < len; ++i) h = hash_step(h, name[i]);
  return h;
}

void free_node(Node* node) {
  if (node->is_regular()) data::release(node);
  mm::heap::release(node->target);
  mm::heap::release(node->buckets);
  mm::heap::release(node);
}

Dirent** bucket_of(const Node* dir, uint32_t hash) { return &dir->buckets[hash & (dir->bucket_count - 1)]; }

// Makes room for one more entry in {dir}'s hash table: doubles it (from 8)
// once there are as many entries as buckets. False when out of memory.
bool grow_buckets(Node* dir) {
  if (dir->entry_count < dir->bucket_count) return true;
  uint32_t count = dir->bucket_count == 0 ? 8 : dir->bucket_count * 2;
  auto* buckets = static_cast<Dirent**>(mm::heap::allocate(count * sizeof(Dirent*)));
  if (buckets == nullptr) return false;
  memset(buckets, 0, count * sizeof(Dirent*));
  mm::heap::release(dir->buckets);
  dir->buckets = buckets;
  dir->bucket_count = count;
  for (Dirent* e = dir->first; e != nullptr; e = e->next) {
    Dirent** b = bucket_of(dir, e->hash);
    e->chain = *b;
    *b = e;
  }
  return true;
}

// A new entry at the end of {dir}'s list; it becomes {node}'s link.
Dirent* insert(Node* dir, const char* name, size_t len, Node* node) {
  if (!grow_buckets(dir)) return nullptr;
  auto* e = static_cast<Dirent*>(mm::heap::allocate(__builtin_offsetof(Dirent, name) + len + 1));
  if (e == nullptr) return nullptr;
  e->next = nullptr;
  e->prev = dir->last;
  e->dir = dir;
  e->node = node;
  e->cookie = dir->next_cookie++;
  e->hash = hash_name(name, len);
  e->len = static_cast<uint16_t>(len);
  memcpy(e->name, name, len);
  e->name[len] = '\0';
  if (dir->last != nullptr) {
    dir->last->next = e;
  } else {
    dir->first = e;
  }
  dir->last = e;
  Dirent** b = bucket_of(dir, e->hash);
  e->chain = *b;
  *b = e;
  ++dir->entry_count;
  node->link = e;
  dir->mtime = dir->ctime = now();
  return e;
}

// Takes {e} out of its directory's list and frees it.
void detach(Dirent* e) {
  Node* dir = e->dir;
  if (e->prev != nullptr) {
    e->prev->next = e->next;
  } else {
    dir->first = e->next;
  }
  if (e->next != nullptr) {
    e->next->prev = e->prev;
  } else {
    dir->last = e->prev;
  }
  Dirent** b = bucket_of(dir, e->hash);
  while (*b != e) b = &(*b)->chain;
  *b = e->chain;
  --dir->entry_count;
  if (e->node->link == e) e->node->link = nullptr;
  dir->mtime = dir->ctime = now();
  mm::heap::release(e);
}

}  // namespace

void free_if_unused(Node* node) {
  if (node->refs == 0 && node->nlink == 0 && node != g_root) free_node(node);
}

Node* root() { return g_root; }

void node_init(Time now) {
  g_root = new_node(kIfDir | 0755, now);
  if (g_root == nullptr) panic("fs: no memory for the root directory");
  g_root->nlink = 2;
}

Time now() {
  uint64_t ns = proc::realtime_ns();
  return Time{static_cast<int64_t>(ns / 1000000000), static_cast<int64_t>(ns % 1000000000)};
}

Node* new_node(uint32_t mode, Time now) {
  auto* node = static_cast<Node*>(mm::heap::allocate(sizeof(Node)));
  if (node == nullptr) return nullptr;
  memset(node, 0, sizeof(Node));
  node->ino = g_next_ino++;
  node->mode = mode;
  node->atime = node->mtime = node->ctime = now;
  node->next_cookie = 3;  // 1 and 2 are "." and ".."
  return node;
}

int set_target(Node* link, const char* target, size_t len) {
  auto* copy = static_cast<char*>(mm::heap::allocate(len + 1));
  if (copy == nullptr) return -err::kNomem;
  memcpy(copy, target, len);
  copy[len] = '\0';
  mm::heap::release(link->target);
  link->target = copy;
  link->size = len;
  return 0;
}

void ref(Node* node) { ++node->refs; }

void unref(Node* node) {
  --node->refs;
  free_if_unused(node);
}

Dirent* lookup(const Node* dir, const char* name, size_t len) {
  return lookup_hashed(dir, name, len, hash_name(name, len));
}

Dirent* lookup_hashed(const Node* dir, const char* name, size_t len, uint32_t h) {
  if (dir->bucket_count == 0) return nullptr;
  for (Dirent* e = *bucket_of(dir, h); e != nullptr; e = e->chain) {
    if (e->hash == h && e->len == len && memcmp(e->name, name, len) == 0) return e;
  }
  return nullptr;
}

int add_entry(Node* dir, const char* name, size_t len, Node* node) {
  if (insert(dir, name, len, node) == nullptr) return -err::kNomem;
  ++node->nlink;
  if (node->is_dir()) {
    ++node->nlink;  // its own "."
    ++dir->nlink;   // its ".."
  }
  return 0;
}

void remove_entry(Dirent* e) {
  Node* dir = e->dir;
  Node* node = e->node;
  detach(e);
  if (node->is_dir()) {
    node->nlink = 0;  // the entry and "."
    --dir->nlink;
  } else {
    --node->nlink;
  }
  node->ctime = dir->mtime;
  free_if_unused(node);
}

int move_entry(Dirent* e, Node* dir, const char* name, size_t len) {
  Node* node = e->node;
  Node* old_dir = e->dir;
  if (insert(dir, name, len, node) == nullptr) return -err::kNomem;
  detach(e);
  if (node->is_dir() && old_dir != dir) {
    --old_dir->nlink;
    ++dir->nlink;
  }
  node->ctime = dir->mtime;
  return 0;
}

Node* parent_of(const Node* dir) {
  if (dir == g_root) return g_root;
  return dir->link != nullptr ? dir->link->dir : nullptr;
}

bool is_empty_dir(const Node* dir) { return dir->first == nullptr; }

bool is_within(const Node* dir, const Node* ancestor) {
  for (const Node* d = dir; d != nullptr; d = parent_of(d)) {
    if (d == ancestor) return true;
    if (d == g_root) return false;
  }
  return false;
}

}  // namespace silk::kernel::fs
