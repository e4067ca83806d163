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

// Header fields (after the 6-byte magic, 8 hex digits each).
enum Field { kIno, kMode, kUid, kGid, kNlink, kMtime, kFilesize, kDevmajor, kDevminor, kRdevmajor, kRdevminor,
             kNamesize, kCheck };

struct Entry {
  const char* name;  // without leading "/" and "./"; not NUL-terminated
  size_t len;
  uint32_t mode;
  const uint8_t* header;  // for the fields few entries need (field())
  const uint8_t* data;
  uint64_t size;
};

enum class Step { kEntry, kTrailer, kEnd, kMalformed };

uint64_t align4(uint64_t v) { return (v + 3) & ~uint64_t{3}; }

// Eight ASCII hex digits at once (SWAR: ring 0 is emulated under PVM, and
// every entry has 13 fields). False when one is not a hex digit. Each byte
// lane's sums stay below 256, so no carry crosses into the next lane.
bool hex8(const uint8_t* p, uint32_t* out) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kLow = 0x0f * kOnes, kHigh = 0xf0 * kOnes, kBit4 = 0x10 * kOnes;
  uint64_t w;
  memcpy(&w, p, 8);                                 // the first digit in the lowest byte
  uint64_t letter = (w >> 6) & kOnes;               // 1 where bit 6 is set: 'A'-'F', 'a'-'f'
  uint64_t low = w & kLow;
  uint64_t high = (w | (letter << 5)) & kHigh;      // letters folded to lower case
  uint64_t expect = 0x30 * kOnes + 0x30 * letter;   // '0'-'9' are 0x3_, 'a'-'f' 0x6_
  uint64_t too_big = (low + 6 * kOnes + 3 * letter) & kBit4;         // a digit over 9, a letter over 'f'
  uint64_t zero_letter = ~(low + kLow) & kBit4 & (letter << 4);      // '@' or '`'
  if (((high ^ expect) | too_big | zero_letter) != 0) return false;
  uint64_t v = __builtin_bswap64(low + 9 * letter);  // one nibble per byte, the first digit highest
  v = (v | (v >> 4)) & 0x00ff00ff00ff00ffull;
  v = (v | (v >> 8)) & 0x0000ffff0000ffffull;
  v = (v | (v >> 16)) & 0x00000000ffffffffull;
  *out = static_cast<uint32_t>(v);
  return true;
}

// A field next() did not parse (0 when it is not hex).
uint32_t field(const Entry& e, Field f) {
  uint32_t v = 0;
  return hex8(e.header + 6 + 8 * f, &v) ? v : 0;
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
  // Only the fields every entry needs are parsed here (each costs dozens of
  // emulated instructions under PVM); field() reads the others.
  const uint8_t* h = data + off;
  uint32_t namesize32, filesize32;
  if (!hex8(h + 6 + 8 * kNamesize, &namesize32) || !hex8(h + 6 + 8 * kFilesize, &filesize32) ||
      !hex8(h + 6 + 8 * kMode, &e->mode)) {
    return Step::kMalformed;
  }
  uint64_t namesize = namesize32, filesize = filesize32;
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
  e->header = h;
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

HardLink key_of(const Entry& e) { return HardLink{field(e, kIno), field(e, kDevmajor), field(e, kDevminor), nullptr}; }

Node* hard_link(const HardLink& key) {
  for (int i = 0; i < g_link_count; ++i) {
    const HardLink& h = g_links[i];
    if (h.ino == key.ino && h.devmajor == key.devmajor && h.devminor == key.devminor) return h.node;
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

Node* make_node(const Entry& e, uint32_t mtime, Stats* stats) {
  uint32_t type = e.mode & kIfMt;
  Time t{mtime, 0};
  uint32_t nlink = type == kIfReg ? field(e, kNlink) : 1;
  HardLink key{};
  if (type == kIfReg && nlink > 1) {
    key = key_of(e);
    if (Node* node = hard_link(key)) {
      if (e.size != 0) data::set_in_place(node, e.data, e.size);
      return node;
    }
  }
  if (type != kIfReg && type != kIfDir && type != kIfLnk && type != kIfChr && type != kIfBlk) return nullptr;
  Node* node = new_node(e.mode & (kIfMt | 07777), t);
  if (node == nullptr) return nullptr;
  if (type == kIfReg) {
    data::set_in_place(node, e.data, e.size);
    if (nlink > 1 && g_link_count < kMaxHardLinks) {
      key.node = node;
      g_links[g_link_count++] = key;
    }
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
    node->rdev = devices::encode(field(e, kRdevmajor), field(e, kRdevminor));
    ++stats->devices;
  }
  return node;
}

// The directory of the previous entry (archives list a directory's entries
// together): a run of entries in one directory walks its path once.
Node* g_cached_dir = nullptr;
size_t g_cached_len = 0;
char g_cached_path[kPathMax];

// Where entry {e} goes: its directory (made when missing) and its name.
int place(const Entry& e, Node* root_dir, Walk* w) {
  size_t dir_len = e.len;
  while (dir_len > 0 && e.name[dir_len - 1] != '/') --dir_len;
  size_t base_len = e.len - dir_len;
  if (base_len != 0 && base_len <= kNameMax && g_cached_dir != nullptr && dir_len == g_cached_len &&
      memcmp(e.name, g_cached_path, dir_len) == 0) {
    w->dir = g_cached_dir;
    memcpy(w->name, e.name + dir_len, base_len);
    w->name[base_len] = '\0';
    w->len = base_len;
    return 0;
  }
  memcpy(g_name, e.name, e.len);
  g_name[e.len] = '\0';
  int r = walk_parent(w, root_dir, g_name);
  if (r == -err::kNoent) {
    make_parents();
    *w = Walk{};
    r = walk_parent(w, root_dir, g_name);
  }
  if (r == 0 && !w->trailing_slash && base_len == w->len) {
    g_cached_dir = w->dir;
    g_cached_len = dir_len;
    memcpy(g_cached_path, e.name, dir_len);
  }
  return r;
}

void add(const Entry& e, Node* root_dir, Stats* stats) {
  if (e.len == 0 || e.len >= kPathMax) {
    if (e.len != 0) ++stats->skipped;
    return;
  }
  Walk w{};
  int r = place(e, root_dir, &w);
  bool plain = w.len != 0 && !(w.len == 1 && w.name[0] == '.') && !(w.len == 2 && w.name[0] == '.' && w.name[1] == '.');
  if (r != 0 || !plain) {
    ++stats->skipped;
    return;
  }
  uint32_t mtime = field(e, kMtime);
  if (Dirent* old = lookup(w.dir, w.name, w.len)) {
    if ((e.mode & kIfMt) == kIfDir && old->node->is_dir()) {
      old->node->mode = e.mode & (kIfMt | 07777);
      old->node->mtime = old->node->ctime = Time{mtime, 0};
      return;
    }
    if (old->node->is_dir() && !is_empty_dir(old->node)) {
      ++stats->skipped;
      return;
    }
    g_cached_dir = nullptr;  // the removed entry may be the cached directory
    remove_entry(old);
  }
  Node* node = make_node(e, mtime, stats);
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
  g_cached_dir = nullptr;
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
        break;  // the first entry of that name (a later one would replace it: rare)
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
