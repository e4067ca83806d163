#include "fs/file.h"

#include "event/epoll.h"
#include "event/poll_bits.h"
#include "fs/devices.h"
#include "fs/durable/durable.h"
#include "fs/file_data.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"

namespace silk::kernel::fs {
namespace {

constexpr int kSeekSet = 0, kSeekCur = 1, kSeekEnd = 2, kSeekData = 3, kSeekHole = 4;
// d_type values (include/linux/fs_types.h: S_IFMT >> 12).
uint8_t dirent_type(const Node* node) { return static_cast<uint8_t>(node->type() >> 12); }

struct Dirent64 {  // struct linux_dirent64, without the name
  uint64_t ino;
  int64_t off;
  uint16_t reclen;
  uint8_t type;
};
constexpr uint64_t kDirentHeader = 19;

// Appends one record; false when it does not fit.
bool put(uint8_t* dst, uint64_t cap, uint64_t* used, uint64_t ino, uint64_t next, uint8_t type, const char* name,
         size_t len) {
  uint64_t reclen = (kDirentHeader + len + 1 + 7) & ~uint64_t{7};
  if (cap - *used < reclen) return false;
  uint8_t* p = dst + *used;
  Dirent64 d{ino, static_cast<int64_t>(next), static_cast<uint16_t>(reclen), type};
  memcpy(p, &d, kDirentHeader);
  memcpy(p + kDirentHeader, name, len);
  memset(p + kDirentHeader + len, 0, reclen - kDirentHeader - len);
  *used += reclen;
  return true;
}

}  // namespace

File* file_new(Node* node, uint32_t flags) {
  auto* file = static_cast<File*>(mm::heap::allocate(sizeof(File)));
  if (file == nullptr) return nullptr;
  *file = File{1, flags, node, 0, 1};
  ref(node);
  return file;
}

File* file_new_object(Node* node, uint32_t flags, const FileOps* ops, void* object) {
  File* file = file_new(node, flags);
  if (file == nullptr) return nullptr;
  file->ops = ops;
  file->object = object;
  return file;
}

void file_ref(File* file) { ++file->refs; }

void file_unref(File* file) {
  if (--file->refs != 0) return;
  if (file->watches != nullptr) event::epoll::forget(file);  // as Linux: closing removes it from every epoll
  if (file->ops != nullptr && file->ops->release != nullptr) file->ops->release(file);
  unref(file->node);
  mm::heap::release(file);
}

bool can_read(const File* file) {
  return (file->flags & kOPath) == 0 && (file->flags & kOAccmode) != kOWronly;
}
bool can_write(const File* file) {
  uint32_t mode = file->flags & kOAccmode;
  return (file->flags & kOPath) == 0 && (mode == kOWronly || mode == kORdwr);
}

bool seekable(const File* file) {
  if (file->ops != nullptr) return false;
  const Node* node = file->node;
  return node->type() != kIfChr || devices::seekable(node->rdev);
}

uint32_t poll_mask(File* file) {
  if (file->ops != nullptr) return file->ops->poll(file);
  constexpr uint32_t kIn = event::kPollIn | event::kPollRdNorm, kOut = event::kPollOut | event::kPollWrNorm;
  const Node* node = file->node;
  // The console: input once some is waiting (read ahead) or its end was reached.
  if (node->type() == kIfChr && node->rdev == devices::kConsole) {
    return devices::console_readable(false) ? kIn | kOut : kOut;
  }
  return kIn | kOut;
}

int64_t read_at(File* file, void* dst, uint64_t n, uint64_t offset) {
  if (!can_read(file)) return -err::kBadf;
  Node* node = file->node;
  switch (node->type()) {
    case kIfReg:
      return static_cast<int64_t>(data::read(node, offset, dst, n));
    case kIfDir:
      return -err::kIsdir;
    case kIfChr:
      return devices::read(node->rdev, dst, n);
    default:
      return -err::kInval;
  }
}

int64_t write_at(File* file, const void* src, uint64_t n, uint64_t offset) {
  if (!can_write(file)) return -err::kBadf;
  Node* node = file->node;
  switch (node->type()) {
    case kIfReg: {
      if (int e = durable::prepare(node, n); e != 0) return e;
      int64_t r = data::write(node, offset, src, n);
      if (r > 0) {
        node->mtime = node->ctime = now();
        if (int e = durable::written(node, offset, src, static_cast<uint64_t>(r)); e != 0) return e;
      }
      return r;
    }
    case kIfDir:
      return -err::kIsdir;
    case kIfChr:
      return devices::write(node->rdev, src, n, file->stream);
    default:
      return -err::kInval;
  }
}

int64_t seek(File* file, int64_t offset, int whence) {
  if (!seekable(file)) return -err::kSpipe;
  Node* node = file->node;
  if (node->type() == kIfChr) return 0;  // null, zero, random: Linux keeps 0
  int64_t base;
  switch (whence) {
    case kSeekSet:
      base = 0;
      break;
    case kSeekCur:
      base = static_cast<int64_t>(file->offset);
      break;
    case kSeekEnd:
      if (node->is_dir()) return -err::kInval;
      base = static_cast<int64_t>(node->size);
      break;
    case kSeekData:
    case kSeekHole:
      // No holes are reported: all of the file is data, the end is the hole.
      if (!node->is_regular()) return -err::kInval;
      if (offset < 0 || static_cast<uint64_t>(offset) >= node->size) return -err::kNxio;
      file->offset = whence == kSeekData ? static_cast<uint64_t>(offset) : node->size;
      return static_cast<int64_t>(file->offset);
    default:
      return -err::kInval;
  }
  if ((offset > 0 && base > INT64_MAX - offset) || base + offset < 0) return -err::kInval;
  file->offset = static_cast<uint64_t>(base + offset);
  return static_cast<int64_t>(file->offset);
}

int64_t getdents(File* file, void* dst, uint64_t cap) {
  Node* dir = file->node;
  if ((file->flags & kOPath) != 0) return -err::kBadf;
  if (!dir->is_dir()) return -err::kNotdir;
  auto* out = static_cast<uint8_t*>(dst);
  uint64_t used = 0;
  bool stopped = false;  // a record did not fit
  // Positions: 0 = start, 1 = after ".", 2 = after "..", then the cookie of
  // the last entry returned (entries are in increasing cookie order, so a
  // removed entry never makes the walk skip or repeat another).
  if (file->offset < 1) {
    stopped = !put(out, cap, &used, dir->ino, 1, dirent_type(dir), ".", 1);
    if (!stopped) file->offset = 1;
  }
  if (!stopped && file->offset < 2) {
    const Node* parent = parent_of(dir);
    stopped = !put(out, cap, &used, parent != nullptr ? parent->ino : dir->ino, 2, dirent_type(dir), "..", 2);
    if (!stopped) file->offset = 2;
  }
  for (const Dirent* e = dir->first; e != nullptr && !stopped; e = e->next) {
    if (e->cookie <= file->offset) continue;
    stopped = !put(out, cap, &used, e->node->ino, e->cookie, dirent_type(e->node), e->name, e->len);
    if (!stopped) file->offset = e->cookie;
  }
  if (used == 0 && stopped) return -err::kInval;
  return static_cast<int64_t>(used);
}

}  // namespace silk::kernel::fs
