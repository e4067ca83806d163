#include "fs/cpio.h"

#include "fs/devices.h"
#include "fs/file_data.h"
#include "fs/path.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"

namespace silk::kernel::fs::cpio {
namespace {

constexpr uint64_t kHeader = 110;
constexpr char kTrailer[] = "TRAILER!!!";

struct Entry {
  const char* name;  // without leading "/" and "./"; not NUL-terminated
  size_t len;
  uint32_t ino, mode, nlink, mtime, devmajor, devminor, rdevmajor, rdevminor;
  const uint8_t* data;
  uint64_t size;
};

enum class Step { kEntry, kTrailer, kEnd, kMalformed };

uint64_t align4(uint64_t v) { return (v + 3) & ~uint64_t{3}; }

bool hex8(const uint8_t* p, uint32_t* out) {
  uint32_t v = 0;
  for (int i = 0; i < 8; ++i) {
    uint8_t c = p[i];
    uint32_t d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
      d = (c | 0x20) - 'a' + 10;
    } else {
      return false;
    }
    v = v << 4 | d;
  }
  *out = v;
  return true;
}

bool has_magic(const uint8_t* p) { return memcmp(p, "07070", 5) == 0 && (p[5] == '1' || p[5] == '2'); }

// The entry at {*offset}; advances {*offset} past it.
Step next(const uint8_t* data, uint64_t size, uint64_t* offset, Entry* e) {
  uint64_t off = *offset;
  while (off + 4 <= size && data[off] == 0 && data[off + 1] == 0 && data[off + 2] == 0 && data[off + 3] == 0) {
    off += 4;  // padding between concatenated archives
  }
  if (off >= size || size - off < 4) return Step::kEnd;
  if (size - off < kHeader || !has_magic(data + off)) return Step::kMalformed;
  uint32_t f[13];
  for (int i = 0; i < 13; ++i) {
    if (!hex8(data + off + 6 + 8 * i, &f[i])) return Step::kMalformed;
  }
  uint64_t namesize = f[11], filesize = f[6];
  const auto* name = reinterpret_cast<const char*>(data + off + kHeader);
  if (namesize == 0 || namesize > size - off - kHeader || name[namesize - 1] != '\0') return Step::kMalformed;
  uint64_t data_off = align4(off + kHeader + namesize);
  if (data_off > size || filesize > size - data_off) return Step::kMalformed;
  *offset = align4(data_off + filesize);
  e->len = strnlen(name, namesize);
  if (e->len == sizeof kTrailer - 1 && memcmp(name, kTrailer, e->len) == 0) return Step::kTrailer;
  // "./a", "/a" and "a" are the same file; "." and "" are the root.
  for (;;) {
    if (e->len >= 1 && name[0] == '/') {
      ++name, --e->len;
    } else if (e->len >= 2 && name[0] == '.' && name[1] == '/') {
      name += 2, e->len -= 2;
    } else {
      break;
    }
  }
  if (e->len == 1 && name[0] == '.') e->len = 0;
  e->name = name;
  e->ino = f[0], e->mode = f[1], e->nlink = f[4], e->mtime = f[5];
  e->devmajor = f[7], e->devminor = f[8], e->rdevmajor = f[9], e->rdevminor = f[10];
  e->data = data + data_off;
  e->size = filesize;
  return Step::kEntry;
}

// Regular files with several links, by (device, inode): newc stores the
// data with the last of them.
struct HardLink {
  uint32_t ino, devmajor, devminor;
  Node* node;
};
constexpr int kMaxHardLinks = 64;
HardLink g_links[kMaxHardLinks];
int g_link_count = 0;

Node* hard_link(const Entry& e) {
  for (int i = 0; i < g_link_count; ++i) {
    const HardLink& h = g_links[i];
    if (h.ino == e.ino && h.devmajor == e.devmajor && h.devminor == e.devminor) return h.node;
  }
  return nullptr;
}

char g_name[kPathMax];

// mkdir -p of every directory above g_name's last component.
void make_parents() {
  for (char* p = g_name; *p != '\0'; ++p) {
    if (*p != '/' || p == g_name) continue;
    *p = '\0';
    mkdir(root(), g_name, 0755);  // -EEXIST for the ones already there
    *p = '/';
  }
}

Node* make_node(const Entry& e, Stats* stats) {
  uint32_t type = e.mode & kIfMt;
  Time t{e.mtime, 0};
  if (type == kIfReg && e.nlink > 1) {
    if (Node* node = hard_link(e)) {
      if (e.size != 0) data::set_in_place(node, e.data, e.size);
      return node;
    }
  }
  if (type != kIfReg && type != kIfDir && type != kIfLnk && type != kIfChr && type != kIfBlk) return nullptr;
  Node* node = new_node(e.mode & (kIfMt | 07777), t);
  if (node == nullptr) return nullptr;
  if (type == kIfReg) {
    data::set_in_place(node, e.data, e.size);
    if (e.nlink > 1 && g_link_count < kMaxHardLinks) g_links[g_link_count++] = {e.ino, e.devmajor, e.devminor, node};
    ++stats->files;
  } else if (type == kIfDir) {
    ++stats->directories;
  } else if (type == kIfLnk) {
    if (set_target(node, reinterpret_cast<const char*>(e.data), e.size) != 0) {
      free_if_unused(node);
      return nullptr;
    }
    ++stats->symlinks;
  } else {
    node->rdev = devices::encode(e.rdevmajor, e.rdevminor);
    ++stats->devices;
  }
  return node;
}

void add(const Entry& e, Node* root_dir, Stats* stats) {
  if (e.len == 0 || e.len >= kPathMax) {
    if (e.len != 0) ++stats->skipped;
    return;
  }
  memcpy(g_name, e.name, e.len);
  g_name[e.len] = '\0';
  Walk w{};
  int r = walk_parent(&w, root_dir, g_name);
  if (r == -err::kNoent) {
    make_parents();
    w = Walk{};
    r = walk_parent(&w, root_dir, g_name);
  }
  bool plain = w.len != 0 && !(w.len == 1 && w.name[0] == '.') && !(w.len == 2 && w.name[0] == '.' && w.name[1] == '.');
  if (r != 0 || !plain) {
    ++stats->skipped;
    return;
  }
  if (Dirent* old = lookup(w.dir, w.name, w.len)) {
    if ((e.mode & kIfMt) == kIfDir && old->node->is_dir()) {
      old->node->mode = e.mode & (kIfMt | 07777);
      old->node->mtime = old->node->ctime = Time{e.mtime, 0};
      return;
    }
    if (old->node->is_dir() && !is_empty_dir(old->node)) {
      ++stats->skipped;
      return;
    }
    remove_entry(old);
  }
  Node* node = make_node(e, stats);
  if (node == nullptr) {
    ++stats->skipped;
    return;
  }
  if (add_entry(w.dir, w.name, w.len, node) != 0) {
    free_if_unused(node);
    ++stats->skipped;
  }
}

// Lexical normalisation for find(): components joined by '/', no leading
// '/', "." dropped, ".." removing the one before. False when too long.
bool normalize(const char* in, size_t in_len, char* out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < in_len;) {
    while (i < in_len && in[i] == '/') ++i;
    size_t start = i;
    while (i < in_len && in[i] != '/') ++i;
    size_t len = i - start;
    if (len == 0 || (len == 1 && in[start] == '.')) continue;
    if (len == 2 && in[start] == '.' && in[start + 1] == '.') {
      while (n > 0 && out[n - 1] != '/') --n;
      if (n > 0) --n;
      continue;
    }
    if (n + (n != 0) + len >= cap) return false;
    if (n != 0) out[n++] = '/';
    memcpy(out + n, in + start, len);
    n += len;
  }
  out[n] = '\0';
  return true;
}

}  // namespace

bool is_cpio(const uint8_t* data, uint64_t size) { return size >= kHeader && has_magic(data); }

Stats unpack(const uint8_t* data, uint64_t size, Node* root_dir) {
  Stats stats{};
  g_link_count = 0;
  uint64_t offset = 0;
  bool trailer = false;
  for (;;) {
    Entry e;
    Step step = next(data, size, &offset, &e);
    if (step == Step::kEnd) {
      stats.complete = trailer;
      return stats;
    }
    if (step == Step::kMalformed) return stats;
    if (step == Step::kTrailer) {
      trailer = true;
      g_link_count = 0;  // inode numbers are per archive
      continue;
    }
    trailer = false;
    add(e, root_dir, &stats);
  }
}

bool find(const uint8_t* data, uint64_t size, const char* path, const uint8_t** file, uint64_t* file_size) {
  constexpr size_t kCap = 512;
  char cur[kCap], next_path[kCap];
  if (!normalize(path, strlen(path), cur, kCap)) return false;
  for (int links = 0; links <= kMaxSymlinks; ++links) {
    // The whole path, or the longest symlink that is a prefix of it.
    size_t cur_len = strlen(cur);
    Entry hit{}, prefix{};
    bool whole = false;
    uint64_t offset = 0;
    for (;;) {
      Entry e;
      Step step = next(data, size, &offset, &e);
      if (step == Step::kEnd || step == Step::kMalformed) break;
      if (step == Step::kTrailer || e.len == 0) continue;
      if (e.len == cur_len && memcmp(e.name, cur, cur_len) == 0) {
        hit = e, whole = true;
      } else if (e.len < cur_len && cur[e.len] == '/' && memcmp(e.name, cur, e.len) == 0 &&
                 (e.mode & kIfMt) == kIfLnk && e.len > prefix.len) {
        prefix = e;
      }
    }
    if (whole && (hit.mode & kIfMt) == kIfReg) {
      *file = hit.data;
      *file_size = hit.size;
      return true;
    }
    const Entry& link = whole ? hit : prefix;
    if ((!whole && prefix.len == 0) || (link.mode & kIfMt) != kIfLnk) return false;
    // dirname(link) + "/" + target + rest, normalised.
    size_t dir_len = link.len;
    while (dir_len > 0 && link.name[dir_len - 1] != '/') --dir_len;
    const char* target = reinterpret_cast<const char*>(link.data);
    const char* rest = cur + link.len;
    size_t rest_len = cur_len - link.len;
    bool absolute = link.size > 0 && target[0] == '/';
    size_t base_len = absolute ? 0 : dir_len;
    if (base_len + link.size + rest_len >= kCap) return false;
    memcpy(next_path, link.name, base_len);
    memcpy(next_path + base_len, target, link.size);
    memcpy(next_path + base_len + link.size, rest, rest_len);
    if (!normalize(next_path, base_len + link.size + rest_len, cur, kCap)) return false;
  }
  return false;
}

}  // namespace silk::kernel::fs::cpio
