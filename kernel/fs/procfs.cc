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

// One line of /proc/PID/maps (fs/proc/task_mmu.c, show_map_vma): the name
// starts at column 74; anonymous regions end in a space.
size_t format_line(char* line, size_t cap, const proc::memory::RegionInfo& r, char* path, size_t path_cap) {
  using proc::memory::RegionKind;
  bool file = r.kind == RegionKind::kFile;
  size_t n = format(line, cap, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu ", r.start, r.end,
                    (r.prot & proc::memory::kProtRead) ? 'r' : '-', (r.prot & proc::memory::kProtWrite) ? 'w' : '-',
                    (r.prot & proc::memory::kProtExec) ? 'x' : '-', r.shared ? 's' : 'p', file ? r.offset : 0,
                    file ? kDeviceMajor : 0, file ? kDeviceMinor : 0, file ? r.node->ino : 0);
  const char* name = nullptr;
  if (file) {
    name = path_of(r.node, path, path_cap) >= 0 ? path : "(deleted)";
  } else if (r.kind == RegionKind::kHeap) {
    name = "[heap]";
  } else if (r.kind == RegionKind::kStack) {
    name = "[stack]";
  }
  if (name != nullptr) {
    while (n < 73 && n + 1 < cap) line[n++] = ' ';
    n += format(line + n, cap - n, "%s", name);
  }
  if (n + 1 < cap) line[n++] = '\n';
  return n < cap ? n : cap - 1;
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
  // Lines are formatted into a small buffer and appended; paths go through
  // the second half of it.
  char buffer[2 * 512];
  proc::memory::RegionInfo r;
  for (uint64_t at = 0; proc::memory::region_from(at, &r); at = r.end) {
    size_t n = format_line(buffer, 512, r, buffer + 512, 512);
    if (data::write(file, file->size, buffer, n) < 0) {
      free_if_unused(file);
      return -err::kNomem;
    }
  }
  *out = file;
  return 0;
}

}  // namespace silk::kernel::fs::procfs
