#include "fs/durable/durable.h"

#include "drivers/block.h"
#include "fs/durable/log.h"
#include "fs/file_data.h"
#include "lib/clock.h"
#include "lib/cmdline.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/frame_allocator.h"
#include "mm/heap.h"

namespace silk::kernel::fs::durable {
namespace {

using disk::Op;
using disk::RecordHeader;

Log g_log;
Node* g_root = nullptr;  // the mount's root directory (id 1)
uint64_t g_next_id = disk::kRootId + 1;
bool g_quiet = false;
// The log is compacted when it would grow past this (or fill its region):
// twice the last snapshot plus 256 KiB, so that replaying it at boot costs at
// most about three times what the tree holds (replay runs in ring 0, slow
// under kvm-pvm), while rewriting the tree is amortised over at least as
// many bytes of new records.
uint64_t g_soft_limit = ~uint64_t{0};
constexpr uint64_t kSoftSlack = 256 * 1024;

void set_soft_limit(uint64_t snapshot_bytes) { g_soft_limit = 2 * snapshot_bytes + kSoftSlack; }
char g_path[256];

uint64_t to_ns(Time t) { return static_cast<uint64_t>(t.sec) * 1000000000 + static_cast<uint64_t>(t.nsec); }
Time from_ns(uint64_t ns) { return Time{static_cast<int64_t>(ns / 1000000000), static_cast<int64_t>(ns % 1000000000)}; }

// ---- Writing records ------------------------------------------------------

// A record's fields with its type and the time of the change.
RecordHeader fields(Op op) {
  RecordHeader f{};
  f.type = static_cast<uint16_t>(op);
  f.time_ns = to_ns(now());
  return f;
}

// Appends one record whose data is {n} bytes at {data} (or, with {file},
// {file}'s bytes at {offset}). 0 or -EIO.
int append(const RecordHeader& f, const char* name, size_t len, const char* name2, size_t len2,
           const void* data, uint64_t n, const Node* file = nullptr, uint64_t offset = 0) {
  uint8_t* p = g_log.begin_record(f, name, len, name2, len2, n);
  if (p == nullptr) return -err::kIo;
  if (file != nullptr) {
    data::read(file, offset, p, n);
  } else if (n != 0) {
    memcpy(p, data, n);
  }
  g_log.end_record();
  return 0;
}

// ---- Snapshot (compaction) -------------------------------------------------

// A set of ids (open addressing; 0 is never an id): the hard-linked nodes a
// snapshot has already written out.
struct IdSet {
  uint64_t* slots = nullptr;
  uint64_t mask = 0;

  bool init(uint64_t count) {
    uint64_t n = 16;
    while (n < 2 * count) n *= 2;
    slots = static_cast<uint64_t*>(mm::heap::allocate(n * sizeof(uint64_t)));
    if (slots == nullptr) return false;
    mask = n - 1;
    clear();
    return true;
  }
  void clear() { memset(slots, 0, (mask + 1) * sizeof(uint64_t)); }
  // Adds {id}; false when it was there already.
  bool add(uint64_t id) {
    for (uint64_t i = id * 0x9e3779b97f4a7c15ull;; ++i) {
      uint64_t& s = slots[i & mask];
      if (s == id) return false;
      if (s == 0) {
        s = id;
        return true;
      }
    }
  }
  ~IdSet() { mm::heap::release(slots); }
};

// Writes the tree under the mount as records (or, when {count_only}, adds up
// their sizes in {*bytes}). 0 or -EIO.
class Snapshot {
 public:
  Snapshot(bool count_only, IdSet* linked) : count_only_(count_only), linked_(linked) {}
  uint64_t bytes() const { return bytes_; }

  int run() {
    Node* dir = g_root;
    Dirent* e = dir->first;
    while (error_ == 0) {
      if (e == nullptr) {
        // Directory attributes last: adding the entries changed the times.
        attributes(dir);
        if (dir == g_root) break;
        Dirent* up = dir->link;
        dir = up->dir;
        e = up->next;
        continue;
      }
      entry(dir, e);
      if (e->node->is_dir()) {
        dir = e->node;
        e = dir->first;
      } else {
        e = e->next;
      }
    }
    return error_;
  }

 private:
  void emit(const RecordHeader& f, const char* name, size_t len, const char* name2, size_t len2, uint64_t n,
            const Node* file = nullptr, uint64_t offset = 0) {
    bytes_ += Log::record_bytes(len, len2, n);
    if (!count_only_ && error_ == 0) error_ = append(f, name, len, name2, len2, nullptr, n, file, offset);
  }

  void attributes(const Node* node) {
    RecordHeader f = fields(Op::kSetattr);
    f.id = node->durable_id;
    f.value = node->mode & 07777;
    f.atime_ns = to_ns(node->atime);
    f.mtime_ns = to_ns(node->mtime);
    f.time_ns = to_ns(node->ctime);
    emit(f, nullptr, 0, nullptr, 0, 0);
  }

  // Whether [{offset}, +{n}) of {file} is all hole (no page holds bytes).
  static bool hole(const Node* file, uint64_t offset, uint64_t n) {
    const FileData& d = file->data;
    if (offset < d.base_len) return false;
    for (uint64_t page = offset / 4096; page * 4096 < offset + n; ++page) {
      if (page < d.page_slots && !d.pages[page].is_null()) return false;
    }
    return true;
  }

  void entry(const Node* dir, const Dirent* e) {
    const Node* node = e->node;
    RecordHeader f{};
    if (!node->is_dir() && node->nlink > 1 && !count_only_ && !linked_->add(node->durable_id)) {
      f = fields(Op::kLink);
      f.dir = dir->durable_id;
      f.id = node->durable_id;
      emit(f, e->name, e->len, nullptr, 0, 0);
      return;
    }
    if (node->is_dir()) {
      f = fields(Op::kMkdir);
    } else if (node->is_symlink()) {
      f = fields(Op::kSymlink);
    } else if (node->is_regular()) {
      f = fields(Op::kCreate);
    } else {
      return;  // nothing else can be made on the disk
    }
    f.dir = dir->durable_id;
    f.id = node->durable_id;
    f.value = node->mode & 07777;
    if (node->is_symlink()) {
      emit(f, e->name, e->len, node->target, node->size, 0);
    } else {
      emit(f, e->name, e->len, nullptr, 0, 0);
    }
    if (node->is_regular()) {
      uint64_t end = 0;
      for (uint64_t off = 0; off < node->size; off += disk::kMaxData) {
        uint64_t n = node->size - off < disk::kMaxData ? node->size - off : disk::kMaxData;
        if (hole(node, off, n)) continue;
        RecordHeader w = fields(Op::kWrite);
        w.id = node->durable_id;
        w.value = off;
        emit(w, nullptr, 0, nullptr, 0, n, node, off);
        end = off + n;
      }
      if (end != node->size) {
        RecordHeader t = fields(Op::kTruncate);
        t.id = node->durable_id;
        t.value = node->size;
        emit(t, nullptr, 0, nullptr, 0, 0);
      }
    }
    if (!node->is_dir()) attributes(node);
  }

  bool count_only_;
  IdSet* linked_;
  uint64_t bytes_ = 0;
  int error_ = 0;
};

// Hard-linked entries under the mount (a bound on the nodes a snapshot
// writes as links).
uint64_t count_linked() {
  uint64_t count = 0;
  Node* dir = g_root;
  Dirent* e = dir->first;
  for (;;) {
    if (e == nullptr) {
      if (dir == g_root) return count;
      e = dir->link->next;
      dir = dir->link->dir;
      continue;
    }
    if (!e->node->is_dir() && e->node->nlink > 1) ++count;
    if (e->node->is_dir()) {
      dir = e->node;
      e = dir->first;
    } else {
      e = e->next;
    }
  }
}

// Rewrites the log as a snapshot in the other region, leaving room for
// {need} more bytes (what the change about to be logged needs, and the
// headroom). 0, -ENOSPC (the tree and {need} do not fit a region;
// nothing was written) or -EIO.
// {optional}: the log only passed the soft limit, and is left alone (with a
// higher limit) when a snapshot would not be less than half its size.
int compact(uint64_t need, bool optional) {
  uint64_t start = monotonic_ns();
  Snapshot count(true, nullptr);
  count.run();
  if (optional && 2 * count.bytes() > g_log.used_bytes()) {
    set_soft_limit(count.bytes());
    return 0;
  }
  if (count.bytes() + need > g_log.region_bytes()) return -err::kNospc;
  IdSet linked;
  if (!linked.init(count_linked())) return -err::kNospc;
  uint64_t old_bytes = g_log.used_bytes();
  g_log.begin_switch();
  Snapshot snapshot(false, &linked);
  if (snapshot.run() != 0 || g_log.commit_switch() != 0) return -err::kIo;
  set_soft_limit(snapshot.bytes());
  if (!g_quiet) {
    kprintf("silk kernel: disk: journal compacted into region %u (generation %lu): %lu KiB of records -> %lu KiB "
            "in %lu ms\n",
            g_log.active_region(), g_log.generation(), old_bytes / 1024, snapshot.bytes() / 1024,
            (monotonic_ns() - start) / 1000000);
  }
  return 0;
}

// Bytes of records a change with {data} bytes of file data may log: the
// data in kMaxData pieces, each with a header, and the longest names.
uint64_t bound(uint64_t data) {
  uint64_t pieces = data / disk::kMaxData + 1;
  return data + pieces * (sizeof(RecordHeader) + disk::kSector) + 2 * kNameMax + disk::kMaxName2 + disk::kSector;
}

// ---- Replay ------------------------------------------------------------------

// id -> node while the log is replayed. Each node in it holds a reference,
// so nodes stay valid while later records still name them.
struct IdMap {
  struct Slot {
    uint64_t id;
    Node* node;
  };
  Slot* slots = nullptr;
  uint64_t mask = 0;
  uint64_t count = 0;

  Node* get(uint64_t id) const {
    if (slots == nullptr || id == 0) return nullptr;
    for (uint64_t i = id * 0x9e3779b97f4a7c15ull;; ++i) {
      const Slot& s = slots[i & mask];
      if (s.id == id) return s.node;
      if (s.id == 0) return nullptr;
    }
  }
  bool put(uint64_t id, Node* node) {
    if (2 * (count + 1) > mask + 1 && !grow()) return false;
    for (uint64_t i = id * 0x9e3779b97f4a7c15ull;; ++i) {
      Slot& s = slots[i & mask];
      if (s.id == 0) {
        s = Slot{id, node};
        ++count;
        ref(node);
        return true;
      }
    }
  }
  bool grow() {
    uint64_t n = slots == nullptr ? 64 : 2 * (mask + 1);
    auto* fresh = static_cast<Slot*>(mm::heap::allocate(n * sizeof(Slot)));
    if (fresh == nullptr) return false;
    memset(fresh, 0, n * sizeof(Slot));
    Slot* old = slots;
    uint64_t old_n = slots == nullptr ? 0 : mask + 1;
    slots = fresh;
    mask = n - 1;
    for (uint64_t i = 0; i < old_n; ++i) {
      if (old[i].id == 0) continue;
      for (uint64_t j = old[i].id * 0x9e3779b97f4a7c15ull;; ++j) {
        if (slots[j & mask].id == 0) {
          slots[j & mask] = old[i];
          break;
        }
      }
    }
    mm::heap::release(old);
    return true;
  }
  // Drops the references (nodes no longer linked are freed).
  void release() {
    for (uint64_t i = 0; slots != nullptr && i <= mask; ++i) {
      if (slots[i].id != 0) unref(slots[i].node);
    }
    mm::heap::release(slots);
    slots = nullptr;
  }
};

bool plain_name(const char* name, size_t len) {
  if (len == 0 || len > kNameMax || (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.')) {
    return false;
  }
  for (size_t i = 0; i < len; ++i) {
    if (name[i] == '/' || name[i] == '\0') return false;
  }
  return true;
}

void touch_dir(Node* dir, Time t) { dir->mtime = dir->ctime = t; }

// Applies one record to the tree; false when it does not fit the tree (a
// bug somewhere: the record is skipped).
bool apply(IdMap& map, const RecordView& v) {
  const RecordHeader& h = *v.header;
  Time t = from_ns(h.time_ns);
  Node* dir = map.get(h.dir);
  Node* node = map.get(h.id);
  bool dir_ok = dir != nullptr && dir->is_dir() && dir->nlink != 0 && plain_name(v.name, h.name_len);
  switch (static_cast<Op>(h.type)) {
    case Op::kCreate:
    case Op::kMkdir:
    case Op::kSymlink: {
      if (!dir_ok || node != nullptr || h.id <= disk::kRootId || lookup(dir, v.name, h.name_len) != nullptr) {
        return false;
      }
      Op op = static_cast<Op>(h.type);
      uint32_t mode = op == Op::kCreate  ? kIfReg | (h.value & 07777)
                      : op == Op::kMkdir ? kIfDir | (h.value & 07777)
                                         : kIfLnk | 0777;
      Node* fresh = new_node(mode, t);
      if (fresh == nullptr) return false;
      if (op == Op::kSymlink && (h.name2_len == 0 || set_target(fresh, v.name2, h.name2_len) != 0)) {
        free_if_unused(fresh);
        return false;
      }
      if (add_entry(dir, v.name, h.name_len, fresh) != 0) {
        free_if_unused(fresh);
        return false;
      }
      fresh->durable_id = h.id;
      if (!map.put(h.id, fresh)) return false;
      if (h.id >= g_next_id) g_next_id = h.id + 1;
      touch_dir(dir, t);
      return true;
    }
    case Op::kLink:
      if (!dir_ok || node == nullptr || node->is_dir() || node->nlink == 0 ||
          lookup(dir, v.name, h.name_len) != nullptr || add_entry(dir, v.name, h.name_len, node) != 0) {
        return false;
      }
      node->ctime = t;
      touch_dir(dir, t);
      return true;
    case Op::kUnlink:
    case Op::kRmdir: {
      if (!dir_ok) return false;
      Dirent* e = lookup(dir, v.name, h.name_len);
      bool want_dir = static_cast<Op>(h.type) == Op::kRmdir;
      if (e == nullptr || e->node->is_dir() != want_dir || (want_dir && !is_empty_dir(e->node))) return false;
      remove_entry(e);
      touch_dir(dir, t);
      return true;
    }
    case Op::kRename: {
      Node* to = map.get(h.dir2);
      if (!dir_ok || to == nullptr || !to->is_dir() || to->nlink == 0 || !plain_name(v.name2, h.name2_len)) {
        return false;
      }
      Dirent* source = lookup(dir, v.name, h.name_len);
      if (source == nullptr) return false;
      Dirent* target = lookup(to, v.name2, h.name2_len);
      if (target != nullptr && target->node == source->node) return true;
      Node* moving = source->node;
      if (moving->is_dir()) {
        if (is_within(to, moving)) return false;
        if (target != nullptr && (!target->node->is_dir() || !is_empty_dir(target->node))) return false;
      } else if (target != nullptr && target->node->is_dir()) {
        return false;
      }
      if (target != nullptr) remove_entry(target);
      if (move_entry(source, to, v.name2, h.name2_len) != 0) return false;
      touch_dir(dir, t);
      touch_dir(to, t);
      return true;
    }
    case Op::kWrite:
      if (node == nullptr || !node->is_regular()) return false;
      if (h.data_len != 0 && data::write(node, h.value, v.data, h.data_len) != static_cast<int64_t>(h.data_len)) {
        return false;
      }
      node->mtime = node->ctime = t;
      return true;
    case Op::kTruncate:
      if (node == nullptr || !node->is_regular() || data::truncate(node, h.value) != 0) return false;
      node->mtime = node->ctime = t;
      return true;
    case Op::kSetattr:
      if (node == nullptr) return false;
      node->mode = (node->mode & kIfMt) | static_cast<uint32_t>(h.value & 07777);
      node->atime = from_ns(h.atime_ns);
      node->mtime = from_ns(h.mtime_ns);
      node->ctime = t;
      return true;
  }
  return false;
}

// ---- Mounting ----------------------------------------------------------------

// The entry of directory {path} (absolute, no "." or ".."), made with its
// missing parents when absent; nullptr when a component is not a directory
// (symlinks are not followed) or memory ran out.
Dirent* mount_point(const char* path) {
  Node* dir = root();
  Dirent* e = nullptr;
  for (const char* p = path;;) {
    while (*p == '/') ++p;
    if (*p == '\0') return e;
    const char* name = p;
    while (*p != '\0' && *p != '/') ++p;
    size_t len = static_cast<size_t>(p - name);
    if (!plain_name(name, len)) return nullptr;
    e = lookup(dir, name, len);
    if (e == nullptr) {
      const char* rest = p;
      while (*rest == '/') ++rest;
      Node* sub = new_node(kIfDir | (*rest == '\0' ? 01777 : 0755), now());
      if (sub == nullptr || add_entry(dir, name, len, sub) != 0) return nullptr;
      e = lookup(dir, name, len);
    }
    if (!e->node->is_dir()) return nullptr;
    dir = e->node;
  }
}

// Puts a fresh directory with {e}'s permission bits in the place of {e}:
// the mount's root. What the old one held (from the initrd) is hidden, as
// under a Linux mount.
Node* replace_with_root(Dirent* e) {
  Node* old = e->node;
  Node* parent = e->dir;
  char name[kNameMax + 1];
  size_t len = e->len;
  memcpy(name, e->name, len);
  Node* fresh = new_node(kIfDir | (old->mode & 07777), now());
  if (fresh == nullptr) return nullptr;
  if (!is_empty_dir(old)) {
    kprintf("silk kernel: disk: %s held files from the initrd; the disk hides them\n", g_path);
    ref(old);  // kept (unreachable): its entries still point at it
  }
  remove_entry(e);
  if (add_entry(parent, name, len, fresh) != 0) return nullptr;
  return fresh;
}

}  // namespace

void mount(drivers::BlockDevice* device, const char* cmdline, bool quiet) {
  if (device == nullptr) return;
  g_quiet = quiet;
  uint64_t kib = device->sectors() * drivers::kSectorSize / 1024;
  // Only the kernel's words count (a program argument "disk=..." is not one).
  static char words[4096];
  const char* args = cmdline_program_args(cmdline);
  size_t len = args != nullptr ? static_cast<size_t>(args - 2 - cmdline) : strlen(cmdline);
  copy_string(words, len + 1 < sizeof words ? len + 1 : sizeof words, cmdline);
  if (!cmdline_value(words, "disk", g_path, sizeof g_path) || g_path[0] == '\0') {
    copy_string(g_path, sizeof g_path, "/tmp");
  }
  if (strcmp(g_path, "off") == 0) {
    if (!quiet) kprintf("silk kernel: disk: %s (%lu KiB) not mounted (disk=off)\n", device->name(), kib);
    return;
  }
  if (g_path[0] != '/' || g_path[1] == '\0') {
    kprintf("silk kernel: disk: disk=%s is not an absolute directory below /: %s not mounted\n", g_path,
            device->name());
    return;
  }
  uint64_t start = monotonic_ns();
  Log::Opened opened = g_log.open(device, to_ns(now()));
  const char* problem = nullptr;
  switch (opened) {
    case Log::Opened::kLog:
    case Log::Opened::kFormatted:
    case Log::Opened::kBlankReadOnly:
      break;
    case Log::Opened::kForeign:
      problem = "holds something else (no valid silk superblock, and its first 128 KiB are not zero)";
      break;
    case Log::Opened::kDamaged:
      problem = "holds a silk journal whose superblocks are both damaged";
      break;
    case Log::Opened::kTooSmall:
      problem = "is too small (the journal needs 260 KiB at least)";
      break;
    case Log::Opened::kNoMemory:
      problem = "cannot be used: out of memory";
      break;
    case Log::Opened::kIoError:
      problem = "cannot be read (I/O error)";
      break;
  }
  if (problem != nullptr) {
    kprintf("silk kernel: disk: %s (%lu KiB) %s: not mounted; %s stays in memory\n", device->name(), kib, problem,
            g_path);
    return;
  }
  Dirent* e = mount_point(g_path);
  Node* mount_root = e != nullptr ? replace_with_root(e) : nullptr;
  if (mount_root == nullptr) {
    kprintf("silk kernel: disk: cannot make the directory %s: %s not mounted\n", g_path, device->name());
    return;
  }
  g_root = mount_root;
  g_root->durable_id = disk::kRootId;
  uint64_t records = 0, skipped = 0;
  if (opened == Log::Opened::kLog) {
    IdMap map;
    map.put(disk::kRootId, g_root);
    RecordView v;
    while (g_log.read_next(&v)) {
      ++records;
      if (!apply(map, v)) {
        if (skipped++ == 0) {
          kprintf("silk kernel: disk: record %lu (type %u) does not fit the tree: skipped\n",
                  v.header->seq, v.header->type);
        }
      }
    }
    map.release();
    if (g_log.torn()) {
      kprintf("silk kernel: disk: record %lu is damaged (a write torn by a crash): the log ends before it\n",
              g_log.torn_seq());
    }
  }
  Snapshot count(true, nullptr);
  count.run();
  set_soft_limit(count.bytes());
  const char* mode = g_log.read_only() ? ", read-only" : "";
  if (skipped != 0) kprintf("silk kernel: disk: %lu records did not fit the tree\n", skipped);
  if (quiet) return;
  if (opened == Log::Opened::kFormatted) {
    kprintf("silk kernel: disk: %s (%lu KiB): blank, formatted; mounted at %s\n", device->name(), kib, g_path);
  } else if (opened == Log::Opened::kBlankReadOnly) {
    kprintf("silk kernel: disk: %s (%lu KiB): blank; mounted at %s, empty%s\n", device->name(), kib, g_path, mode);
  } else {
    kprintf("silk kernel: disk: %s (%lu KiB): mounted at %s%s: %lu records (%lu of %lu KiB of region %u) in %lu ms\n",
            device->name(), kib, g_path, mode, records, g_log.used_bytes() / 1024, g_log.region_bytes() / 1024,
            g_log.active_region(), (monotonic_ns() - start) / 1000000);
  }
  if (!device->can_flush()) kprintf("silk kernel: disk: %s has no flush: it is write-through\n", device->name());
}

bool is_mount_root(const Node* node) { return node == g_root && node != nullptr; }

namespace {

// prepare(): room for {need} bytes of records. A change that can make the
// tree bigger must leave some headroom after a compaction, so that
// removing files is always possible on a full disk.
int reserve(const Node* node, uint64_t need, bool grows) {
  if (!on_disk(node) || node->nlink == 0) return 0;
  if (g_log.read_only()) return -err::kRofs;
  if (g_log.failed()) return -err::kIo;
  bool fits = g_log.fits(need);
  if (fits && g_log.used_bytes() + need <= g_soft_limit) return 0;
  uint64_t headroom = g_log.region_bytes() / 32 > 16 * 1024 ? g_log.region_bytes() / 32 : 16 * 1024;
  int r = compact(grows ? need + headroom : need, fits);
  // Past the soft limit only: the region still has room.
  return r == -err::kNospc && fits ? 0 : r;
}

}  // namespace

int prepare(const Node* node, uint64_t data_bytes) { return reserve(node, bound(data_bytes), true); }
int prepare_removal(const Node* dir) { return reserve(dir, bound(0), false); }

int prepare_pair(const Node* from_dir, const Node* to_dir) {
  if (on_disk(from_dir) != on_disk(to_dir)) return -err::kXdev;
  return reserve(from_dir, bound(0), false);
}

int created(Node* dir, const char* name, size_t len, Node* node) {
  if (!on_disk(dir)) return 0;
  node->durable_id = g_next_id++;
  Op op = node->is_dir() ? Op::kMkdir : node->is_symlink() ? Op::kSymlink : Op::kCreate;
  RecordHeader f = fields(op);
  f.dir = dir->durable_id;
  f.id = node->durable_id;
  f.value = node->mode & 07777;
  if (op == Op::kSymlink) return append(f, name, len, node->target, node->size, nullptr, 0);
  return append(f, name, len, nullptr, 0, nullptr, 0);
}

int linked(Node* dir, const char* name, size_t len, Node* node) {
  if (!on_disk(dir)) return 0;
  RecordHeader f = fields(Op::kLink);
  f.dir = dir->durable_id;
  f.id = node->durable_id;
  return append(f, name, len, nullptr, 0, nullptr, 0);
}

int removed(Node* dir, const char* name, size_t len, bool was_dir) {
  if (!on_disk(dir)) return 0;
  RecordHeader f = fields(was_dir ? Op::kRmdir : Op::kUnlink);
  f.dir = dir->durable_id;
  return append(f, name, len, nullptr, 0, nullptr, 0);
}

int renamed(Node* from_dir, const char* from, size_t from_len, Node* to_dir, const char* to, size_t to_len) {
  if (!on_disk(from_dir)) return 0;
  RecordHeader f = fields(Op::kRename);
  f.dir = from_dir->durable_id;
  f.dir2 = to_dir->durable_id;
  return append(f, from, from_len, to, to_len, nullptr, 0);
}

int written(Node* file, uint64_t offset, const void* data, uint64_t n) {
  if (!on_disk(file) || file->nlink == 0) return 0;  // an unlinked file is gone at the next boot
  const auto* p = static_cast<const uint8_t*>(data);
  for (uint64_t done = 0; done < n;) {
    uint64_t piece = n - done < disk::kMaxData ? n - done : disk::kMaxData;
    RecordHeader f = fields(Op::kWrite);
    f.id = file->durable_id;
    f.value = offset + done;
    if (int r = append(f, nullptr, 0, nullptr, 0, p + done, piece); r != 0) return r;
    done += piece;
  }
  return 0;
}

int resized(Node* file) {
  if (!on_disk(file) || file->nlink == 0) return 0;
  RecordHeader f = fields(Op::kTruncate);
  f.id = file->durable_id;
  f.value = file->size;
  return append(f, nullptr, 0, nullptr, 0, nullptr, 0);
}

int attributes_changed(Node* node) {
  if (!on_disk(node) || node->nlink == 0) return 0;
  RecordHeader f = fields(Op::kSetattr);
  f.id = node->durable_id;
  f.value = node->mode & 07777;
  f.atime_ns = to_ns(node->atime);
  f.mtime_ns = to_ns(node->mtime);
  return append(f, nullptr, 0, nullptr, 0, nullptr, 0);
}

int64_t finish(int64_t result) {
  if (!g_log.pending()) return result;
  int r = g_log.sync();
  return r != 0 && result >= 0 ? r : result;
}

}  // namespace silk::kernel::fs::durable
