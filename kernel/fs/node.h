// The file system's objects: nodes (inodes) and the directory entries that
// name them. Everything lives in kernel memory (a tmpfs, the way Linux's
// initramfs root is one); regular-file contents are fs/file_data.h.
//
// Lifetime: a node counts its directory links (nlink) and its kernel
// references (refs: open files, memory mappings, the cwd, the running
// program); it is freed when both reach zero. Transient pointers held during
// one system call need no reference (one CPU, no preemption: nothing else
// runs). The root is never freed. Not locked.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "mm/types.h"

namespace silk::kernel::fs {

// st_mode file types and limits (include/uapi/linux/stat.h, limits.h).
inline constexpr uint32_t kIfMt = 0170000, kIfSock = 0140000, kIfLnk = 0120000, kIfReg = 0100000,
                          kIfBlk = 0060000, kIfDir = 0040000, kIfChr = 0020000, kIfIfo = 0010000;
inline constexpr size_t kNameMax = 255;
inline constexpr size_t kPathMax = 4096;  // including the NUL

struct Time {
  int64_t sec;
  int64_t nsec;
};

// Nodes whose contents the kernel generates (fs/procfs.h).
enum class Special : uint8_t { kNone, kProcSelfExe, kProcSelfMaps };

struct Node;

struct Dirent {
  Dirent* next;   // the directory's entries in creation order (getdents64)
  Dirent* prev;
  Dirent* chain;  // the next entry in the same hash bucket
  Node* dir;        // the directory holding this entry
  Node* node;       // what it names
  uint64_t cookie;  // getdents64 position: increases in insertion order
  uint32_t hash;
  uint16_t len;
  char name[kNameMax + 1];  // allocated only up to len + 1
};

// A regular file's bytes: page i is pages[i] when that frame exists (kernel
// owned, written), else the in-place initrd bytes base[0, base_len) (zero
// copy, never written), else zeros.
struct FileData {
  const uint8_t* base;
  uint64_t base_len;
  PhysAddr* pages;
  uint64_t page_slots;  // entries in pages
};

struct Node {
  uint64_t ino;
  uint32_t mode;  // type | permission bits
  uint32_t nlink;
  uint32_t refs;
  uint32_t rdev;  // character and block devices: Linux's new_encode_dev
  uint64_t size;  // regular: bytes; symlink: target length
  Time atime, mtime, ctime;
  Special special;
  uint64_t durable_id;  // fs/durable: the node's id on the disk; 0 when it is not on the disk
  Dirent* link;  // an entry naming it (a directory's only one); nullptr: the root, or unlinked
  // Directories: the entries ("." and ".." are implicit), in a list and in
  // a hash table of power-of-two buckets that doubles as it fills.
  Dirent* first;
  Dirent* last;
  uint64_t next_cookie;
  Dirent** buckets;
  uint32_t bucket_count;
  uint32_t entry_count;
  // Regular files.
  FileData data;
  // Symlinks: the target, NUL-terminated.
  char* target;

  uint32_t type() const { return mode & kIfMt; }
  bool is_dir() const { return type() == kIfDir; }
  bool is_regular() const { return type() == kIfReg; }
  bool is_symlink() const { return type() == kIfLnk; }
};

// The root directory (created by node_init).
Node* root();
void node_init(Time now);

// Now, for timestamps (CLOCK_REALTIME).
Time now();

// A new unlinked node of {mode} with all three times {now} (refs 0, nlink
// 0); nullptr when the heap is exhausted. A symlink gets its target with
// set_target.
Node* new_node(uint32_t mode, Time now);
int set_target(Node* link, const char* target, size_t len);  // 0 or -ENOMEM

void ref(Node* node);
// Frees {node} when it has neither references nor links (a node made by
// new_node and then not used).
void free_if_unused(Node* node);
// Drops a reference; frees the node when nothing refers to it any more.
void unref(Node* node);

// The entry {name} (of {len} bytes, no '/') in {dir}, or nullptr.
Dirent* lookup(const Node* dir, const char* name, size_t len);
// The same with the name's hash_name() already known (path walks hash
// while they scan).
Dirent* lookup_hashed(const Node* dir, const char* name, size_t len, uint32_t hash);
// The hash entries are compared by first (FNV-1a), and one step of it.
inline constexpr uint32_t kHashSeed = 2166136261u;
inline uint32_t hash_step(uint32_t h, char c) { return (h ^ static_cast<uint8_t>(c)) * 16777619u; }
// Adds the entry {name} -> {node} to {dir} (which must not have it yet):
// nlink and the directory times follow. 0 or -ENOMEM.
int add_entry(Node* dir, const char* name, size_t len, Node* node);
// Removes {entry}; its node is freed when nothing else refers to it.
void remove_entry(Dirent* entry);
// Renames: moves {entry} to {dir} as {name} (which {dir} must not have); the
// node keeps its link count. 0 or -ENOMEM.
int move_entry(Dirent* entry, Node* dir, const char* name, size_t len);
// The parent of directory {dir} (the root's is the root); nullptr when {dir}
// was removed.
Node* parent_of(const Node* dir);
bool is_empty_dir(const Node* dir);

// Whether directory {dir} is {ancestor} or lies below it.
bool is_within(const Node* dir, const Node* ancestor);

}  // namespace silk::kernel::fs
