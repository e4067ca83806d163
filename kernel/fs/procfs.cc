#include "fs/procfs.h"

#include "fs/file_data.h"
#include "fs/path.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"
#include "proc/memory.h"

namespace silk::kernel::fs::procfs {
namespace {

char g_exe[kPathMax] = "/init";

Node* dir(Node* parent, const char* name, Time now) {
  if (Dirent* e = lookup(parent, name, strlen(name))) return e->node->is_dir() ? e->node : nullptr;
  Node* node = new_node(kIfDir | 0555, now);
  if (node == nullptr) return nullptr;
  if (add_entry(parent, name, strlen(name), node) != 0) {
    free_if_unused(node);
    return nullptr;
  }
  return node;
}

void special(Node* parent, const char* name, uint32_t mode, Special kind, Time now) {
  if (lookup(parent, name, strlen(name)) != nullptr) return;
  Node* node = new_node(mode, now);
  if (node == nullptr) return;
  node->special = kind;
  if (add_entry(parent, name, strlen(name), node) != 0) free_if_unused(node);
}

// Appends {v} as at least {digits} lowercase hex digits. Hand-rolled rather
// than format(): under kvm-pvm every ring-0 instruction is emulated, and a
// process with its libraries has ~100 regions (glibc reads them all to find
// the main thread's stack).
char* put_hex(char* p, uint64_t v, int digits) {
  char tmp[16];
  int n = 0;
  do {
    tmp[n++] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v != 0);
  while (n < digits) tmp[n++] = '0';
  while (n > 0) *p++ = tmp[--n];
  return p;
}

char* put_dec(char* p, uint64_t v) {
  char tmp[20];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) *p++ = tmp[--n];
  return p;
}

// One line of /proc/PID/maps (fs/proc/task_mmu.c, show_map_vma): the name
// starts at column 74; anonymous regions end in a space. {line} has room
// for kLineMax bytes.
constexpr size_t kLineMax = 128 + kPathMax;
size_t format_line(char* line, const proc::memory::RegionInfo& r, char* path, size_t path_cap) {
  using proc::memory::RegionKind;
  bool file = r.kind == RegionKind::kFile;
  char* p = line;
  p = put_hex(p, r.start, 8);
  *p++ = '-';
  p = put_hex(p, r.end, 8);
  *p++ = ' ';
  *p++ = (r.prot & proc::memory::kProtRead) ? 'r' : '-';
  *p++ = (r.prot & proc::memory::kProtWrite) ? 'w' : '-';
  *p++ = (r.prot & proc::memory::kProtExec) ? 'x' : '-';
  *p++ = r.shared ? 's' : 'p';
  *p++ = ' ';
  p = put_hex(p, file ? r.offset : 0, 8);
  *p++ = ' ';
  p = put_hex(p, file ? kDeviceMajor : 0, 2);
  *p++ = ':';
  p = put_hex(p, file ? kDeviceMinor : 0, 2);
  *p++ = ' ';
  p = put_dec(p, file ? r.node->ino : 0);
  *p++ = ' ';
  const char* name = nullptr;
  if (file) {
    name = path_of(r.node, path, path_cap) >= 0 ? path : "(deleted)";
  } else if (r.kind == RegionKind::kHeap) {
    name = "[heap]";
  } else if (r.kind == RegionKind::kStack) {
    name = "[stack]";
  }
  if (name != nullptr) {
    while (p - line < 73) *p++ = ' ';
    size_t len = strlen(name);
    memcpy(p, name, len);
    p += len;
  }
  *p++ = '\n';
  return static_cast<size_t>(p - line);
}

}  // namespace

void init(Node* root, Time now) {
  Node* proc = dir(root, "proc", now);
  Node* self = proc != nullptr ? dir(proc, "self", now) : nullptr;
  if (self == nullptr) return;
  special(self, "exe", kIfLnk | 0777, Special::kProcSelfExe, now);
  special(self, "maps", kIfReg | 0444, Special::kProcSelfMaps, now);
}

void set_exe_path(const char* path) { copy_string(g_exe, sizeof g_exe, path); }
const char* exe_path() { return g_exe; }

int open(Node* node, Node** out) {
  Node* file = new_node(kIfReg | 0444, now());
  if (file == nullptr) return -err::kNomem;
  // Lines are gathered in a page-sized buffer and appended a buffer at a time.
  static char buffer[4096 + kLineMax];
  static char path[kPathMax];
  size_t used = 0;
  proc::memory::RegionInfo r;
  auto flush = [&] {
    bool ok = data::write(file, file->size, buffer, used) >= 0;
    used = 0;
    return ok;
  };
  for (uint64_t at = 0; proc::memory::region_from(at, &r); at = r.end) {
    used += format_line(buffer + used, r, path, sizeof path);
    if (used >= 4096 && !flush()) {
      free_if_unused(file);
      return -err::kNomem;
    }
  }
  if (used != 0 && !flush()) {
    free_if_unused(file);
    return -err::kNomem;
  }
  *out = file;
  return 0;
}

}  // namespace silk::kernel::fs::procfs
