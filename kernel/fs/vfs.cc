#include "fs/vfs.h"

#include "fs/cpio.h"
#include "fs/devices.h"
#include "fs/durable/durable.h"
#include "fs/file_data.h"
#include "fs/path.h"
#include "fs/procfs.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"
#include "proc/elf_loader.h"

namespace silk::kernel::fs {
namespace {

constexpr uint32_t kRenameNoreplace = 1;

bool is_dot(const Walk& w) { return w.len == 0 || (w.len == 1 && w.name[0] == '.'); }
bool is_dotdot(const Walk& w) { return w.len == 2 && w.name[0] == '.' && w.name[1] == '.'; }
// A name that can be created or removed (not "", "." or "..").
bool is_plain(const Walk& w) { return !is_dot(w) && !is_dotdot(w); }

// Adds a new node of {mode} as {w}'s last component (which must be absent).
int create(const Walk& w, uint32_t mode, Node** out) {
  if (w.dir->nlink == 0) return -err::kNoent;  // a removed directory
  Node* node = new_node(mode, now());
  if (node == nullptr) return -err::kNomem;
  if (int r = add_entry(w.dir, w.name, w.len, node); r != 0) {
    free_if_unused(node);
    return r;
  }
  if (out != nullptr) *out = node;
  return 0;
}

// The walk to a name that is about to be created: it must not exist yet.
// -EEXIST for "", ".", ".." and existing names (symlinks not followed).
int walk_new(Walk* w, Node* base, const char* path) {
  if (int r = walk_parent(w, base, path); r != 0) return r;
  if (!is_plain(*w) || last_node(*w) != nullptr) return -err::kExist;
  return 0;
}

// mkdir -p of {path}'s directories (for an ELF initrd's path).
Node* make_parents(const char* path, Time t) {
  Node* dir = root();
  const char* p = path;
  for (;;) {
    while (*p == '/') ++p;
    const char* name = p;
    while (*p != '\0' && *p != '/') ++p;
    if (*p == '\0') return dir;
    size_t len = static_cast<size_t>(p - name);
    if (len > kNameMax) return nullptr;
    Dirent* e = lookup(dir, name, len);
    if (e == nullptr) {
      Node* sub = new_node(kIfDir | 0755, t);
      if (sub == nullptr || add_entry(dir, name, len, sub) != 0) return nullptr;
      dir = sub;
    } else if (e->node->is_dir()) {
      dir = e->node;
    } else {
      return nullptr;
    }
  }
}

const char* base_name(const char* path) {
  const char* name = path;
  for (const char* p = path; *p != '\0'; ++p) {
    if (*p == '/') name = p + 1;
  }
  return name;
}

void install_elf(const uint8_t* data, uint64_t size, const char* path) {
  Time t = now();
  Node* dir = make_parents(path, t);
  const char* name = base_name(path);
  size_t len = strlen(name);
  Node* file = dir != nullptr && len != 0 && len <= kNameMax ? new_node(kIfReg | 0755, t) : nullptr;
  if (file == nullptr || lookup(dir, name, len) != nullptr || add_entry(dir, name, len, file) != 0) {
    kprintf("silk kernel: fs: cannot install the initrd as %s\n", path);
    if (file != nullptr) free_if_unused(file);
    return;
  }
  data::set_in_place(file, data, size);
  kinfo("silk kernel: fs: initrd (ELF, %lu bytes) is %s\n", size, path);
}

// A read-only-looking file whose bytes are the kernel string {text} (in
// place, like the initrd's: a write copies the page), unless {path} exists.
void add_static_file(const char* path, const char* text, Time t) {
  Node* dir = make_parents(path, t);
  const char* name = base_name(path);
  if (dir == nullptr || lookup(dir, name, strlen(name)) != nullptr) return;
  Node* file = new_node(kIfReg | 0444, t);
  if (file == nullptr) return;
  if (add_entry(dir, name, strlen(name), file) != 0) {
    free_if_unused(file);
    return;
  }
  data::set_in_place(file, reinterpret_cast<const uint8_t*>(text), strlen(text));
}

}  // namespace

InitrdKind classify_initrd(const uint8_t* data, uint64_t size) {
  if (proc::is_elf(data, size)) return InitrdKind::kElf;
  if (cpio::is_cpio(data, size)) return InitrdKind::kCpio;
  return InitrdKind::kNone;
}

void init(const uint8_t* initrd, uint64_t size, const char* elf_path) {
  Time t = now();
  node_init(t);
  switch (classify_initrd(initrd, size)) {
    case InitrdKind::kElf:
      install_elf(initrd, size, elf_path);
      break;
    case InitrdKind::kCpio: {
      cpio::Stats stats = cpio::unpack(initrd, size, root());
      kinfo("silk kernel: fs: initrd (cpio, %lu bytes): %lu files, %lu directories, %lu symlinks%s\n", size,
              stats.files, stats.directories, stats.symlinks, stats.complete ? "" : ", truncated");
      break;
    }
    case InitrdKind::kNone:
      break;
  }
  if (lookup(root(), "tmp", 3) == nullptr) {
    Node* tmp = new_node(kIfDir | 01777, t);
    if (tmp != nullptr && add_entry(root(), "tmp", 3, tmp) != 0) free_if_unused(tmp);
  }
  devices::init(root(), t);
  procfs::init(root(), t);
  // One CPU, for glibc's sysconf(_SC_NPROCESSORS_ONLN/_CONF) and friends.
  static const char kOneCpu[] = "0\n";
  add_static_file("/sys/devices/system/cpu/online", kOneCpu, t);
  add_static_file("/sys/devices/system/cpu/possible", kOneCpu, t);
}

int open(Node* base, const char* path, uint32_t flags, uint32_t mode, Node** out) {
  if ((flags & kOTmpfile) != 0) return -err::kOpnotsupp;
  Node* node = nullptr;
  if ((flags & kOCreat) != 0 && (flags & kOPath) == 0) {
    Walk w{};
    int r = walk_parent(&w, base, path);
    while (r == 0) {
      if (w.trailing_slash) return -err::kIsdir;
      node = last_node(w);
      if (node == nullptr) {
        r = durable::prepare(w.dir);
        if (r == 0) r = create(w, kIfReg | (mode & 07777), &node);
        if (r == 0) r = durable::created(w.dir, w.name, w.len, node);
        break;
      }
      if ((flags & kOExcl) != 0) return -err::kExist;
      if (!node->is_symlink()) break;
      if ((flags & kONofollow) != 0) return -err::kLoop;
      r = walk_symlink(&w, node);  // a dangling symlink creates its target
    }
    if (r != 0) return r;
    if (node->is_dir()) return -err::kIsdir;
  } else {
    bool follow = (flags & kONofollow) == 0;
    if (int r = resolve(base, path, follow, &node); r != 0) return r;
    if (node->is_symlink() && (flags & kOPath) == 0) return -err::kLoop;
  }
  if ((flags & kODirectory) != 0 && !node->is_dir()) return -err::kNotdir;
  if ((flags & kOPath) != 0) {
    *out = node;
    return 0;
  }
  bool writes = (flags & kOAccmode) != kORdonly || (flags & kOTrunc) != 0;
  if (node->is_dir() && writes) return -err::kIsdir;
  if ((node->type() == kIfChr && !devices::known(node->rdev)) || node->type() == kIfBlk) return -err::kNxio;
  if (node->special == Special::kProcSelfMaps) return procfs::open(node, out);
  if (writes) {
    if (int r = durable::prepare(node); r != 0) return r;  // -EROFS on a read-only disk
  }
  if (node->is_regular() && (flags & kOTrunc) != 0 && node->size != 0) {
    if (int r = data::truncate(node, 0); r != 0) return r;
    node->mtime = node->ctime = now();
    if (int r = durable::resized(node); r != 0) return r;
  }
  *out = node;
  return 0;
}

int mkdir(Node* base, const char* path, uint32_t mode) {
  Walk w{};
  if (int r = walk_new(&w, base, path); r != 0) return r;
  if (int r = durable::prepare(w.dir); r != 0) return r;
  Node* node;
  if (int r = create(w, kIfDir | (mode & 07777), &node); r != 0) return r;
  return durable::created(w.dir, w.name, w.len, node);
}

int unlink(Node* base, const char* path) {
  Walk w{};
  if (int r = walk_parent(&w, base, path); r != 0) return r;
  if (!is_plain(w)) return -err::kIsdir;
  Dirent* e = lookup(w.dir, w.name, w.len);
  if (e == nullptr) return -err::kNoent;
  if (e->node->is_dir()) return -err::kIsdir;
  if (w.trailing_slash) return -err::kNotdir;
  if (int r = durable::prepare_removal(w.dir); r != 0) return r;
  remove_entry(e);
  return durable::removed(w.dir, w.name, w.len, false);
}

int rmdir(Node* base, const char* path) {
  Walk w{};
  if (int r = walk_parent(&w, base, path); r != 0) return r;
  if (w.len == 0) return -err::kBusy;  // "/"
  if (is_dot(w)) return -err::kInval;
  if (is_dotdot(w)) return -err::kNotempty;
  Dirent* e = lookup(w.dir, w.name, w.len);
  if (e == nullptr) return -err::kNoent;
  if (!e->node->is_dir()) return -err::kNotdir;
  if (durable::is_mount_root(e->node)) return -err::kBusy;
  if (!is_empty_dir(e->node)) return -err::kNotempty;
  if (int r = durable::prepare_removal(w.dir); r != 0) return r;
  remove_entry(e);
  return durable::removed(w.dir, w.name, w.len, true);
}

int rename(Node* old_base, const char* old_path, Node* new_base, const char* new_path, uint32_t flags) {
  if ((flags & ~kRenameNoreplace) != 0) return -err::kInval;
  Walk from{}, to{};
  if (int r = walk_parent(&from, old_base, old_path); r != 0) return r;
  if (int r = walk_parent(&to, new_base, new_path); r != 0) return r;
  if (!is_plain(from) || !is_plain(to)) return (flags & kRenameNoreplace) != 0 ? -err::kExist : -err::kBusy;
  Dirent* source = lookup(from.dir, from.name, from.len);
  if (source == nullptr) return -err::kNoent;
  Node* node = source->node;
  if (!node->is_dir() && (from.trailing_slash || to.trailing_slash)) return -err::kNotdir;
  Dirent* target = lookup(to.dir, to.name, to.len);
  if (target != nullptr && (flags & kRenameNoreplace) != 0) return -err::kExist;
  if (target != nullptr && target->node == node) return 0;  // the same file: nothing to do
  if (node->is_dir()) {
    if (is_within(to.dir, node)) return -err::kInval;
    if (target != nullptr && !target->node->is_dir()) return -err::kNotdir;
    if (target != nullptr && !is_empty_dir(target->node)) return -err::kNotempty;
  } else if (target != nullptr && target->node->is_dir()) {
    return -err::kIsdir;
  }
  if (to.dir->nlink == 0) return -err::kNoent;
  if (durable::is_mount_root(node) || (target != nullptr && durable::is_mount_root(target->node))) return -err::kBusy;
  if (int r = durable::prepare_pair(from.dir, to.dir); r != 0) return r;
  if (target != nullptr) remove_entry(target);
  if (int r = move_entry(source, to.dir, to.name, to.len); r != 0) return r;
  return durable::renamed(from.dir, from.name, from.len, to.dir, to.name, to.len);
}

int link(Node* node, Node* new_base, const char* new_path) {
  if (node->is_dir()) return -err::kPerm;
  if (node->nlink == 0) return -err::kNoent;
  Walk w{};
  if (int r = walk_new(&w, new_base, new_path); r != 0) return r;
  if (w.trailing_slash) return -err::kNoent;
  if (w.dir->nlink == 0) return -err::kNoent;
  if (durable::on_disk(node) != durable::on_disk(w.dir)) return -err::kXdev;
  if (int r = durable::prepare(w.dir); r != 0) return r;
  if (int r = add_entry(w.dir, w.name, w.len, node); r != 0) return r;
  node->ctime = now();
  return durable::linked(w.dir, w.name, w.len, node);
}

int symlink(const char* target, Node* base, const char* path) {
  if (*target == '\0') return -err::kNoent;
  Walk w{};
  if (int r = walk_new(&w, base, path); r != 0) return r;
  if (w.trailing_slash) return -err::kNoent;
  if (int r = durable::prepare(w.dir); r != 0) return r;
  Node* node;
  if (int r = create(w, kIfLnk | 0777, &node); r != 0) return r;
  if (int r = set_target(node, target, strlen(target)); r != 0) {
    remove_entry(node->link);
    return r;
  }
  return durable::created(w.dir, w.name, w.len, node);
}

int64_t readlink(Node* base, const char* path, char* buf, uint64_t cap) {
  Node* node;
  if (int r = resolve(base, path, false, &node); r != 0) return r;
  if (!node->is_symlink()) return -err::kInval;
  const char* target = link_target(node);
  uint64_t n = strlen(target);
  if (n > cap) n = cap;
  memcpy(buf, target, n);
  return static_cast<int64_t>(n);
}

}  // namespace silk::kernel::fs
