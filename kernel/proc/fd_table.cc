#include "proc/fd_table.h"

#include "fs/devices.h"
#include "fs/file.h"
#include "fs/node.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/panic.h"
#include "platform/platform.h"

namespace silk::kernel::proc::fds {
namespace {

struct Slot {
  fs::File* file;
  bool cloexec;
};
Slot g_slots[kMaxFds];
int g_lowest_free = 0;  // no free slot below this one
fs::Node* g_cwd = nullptr;
uint32_t g_umask = 0022;

bool in_range(int64_t fd) { return fd >= 0 && fd < kMaxFds; }

void clear(int fd) {
  fs::File* file = g_slots[fd].file;
  g_slots[fd] = Slot{};
  if (fd < g_lowest_free) g_lowest_free = fd;
  fs::file_unref(file);
}

}  // namespace

void init() {
  // 0 and 1 share one open console; 2 is another whose writes go to the
  // console's stderr stream (silk vm keeps the host's stdout and stderr
  // apart).
  fs::File* console = fs::file_new(fs::devices::console(), fs::kORdwr);
  fs::File* error = fs::file_new(fs::devices::console(), fs::kORdwr);
  if (console == nullptr || error == nullptr) panic("fds: no memory for the console");
  error->stream = platform::kConsoleStderr;
  for (int fd = 0; fd < 2; ++fd) {
    fs::file_ref(console);
    g_slots[fd] = Slot{console, false};
  }
  g_slots[2] = Slot{error, false};
  fs::file_unref(console);
  g_lowest_free = 3;
  set_cwd(fs::root());
}

fs::File* get(int64_t fd) { return in_range(fd) ? g_slots[fd].file : nullptr; }

int install(fs::File* file, bool cloexec, int64_t min_fd) {
  if (!in_range(min_fd)) {
    fs::file_unref(file);
    return -err::kInval;
  }
  for (int fd = min_fd > g_lowest_free ? static_cast<int>(min_fd) : g_lowest_free; fd < kMaxFds; ++fd) {
    if (g_slots[fd].file != nullptr) continue;
    g_slots[fd] = Slot{file, cloexec};
    if (fd == g_lowest_free) {
      while (g_lowest_free < kMaxFds && g_slots[g_lowest_free].file != nullptr) ++g_lowest_free;
    }
    return fd;
  }
  fs::file_unref(file);
  return -err::kMfile;
}

int install_at(int64_t fd, fs::File* file, bool cloexec) {
  if (!in_range(fd)) return -err::kBadf;
  fs::file_ref(file);
  if (g_slots[fd].file != nullptr) clear(static_cast<int>(fd));
  g_slots[fd] = Slot{file, cloexec};
  while (g_lowest_free < kMaxFds && g_slots[g_lowest_free].file != nullptr) ++g_lowest_free;
  return static_cast<int>(fd);
}

int close(int64_t fd) {
  if (get(fd) == nullptr) return -err::kBadf;
  clear(static_cast<int>(fd));
  return 0;
}

bool cloexec(int64_t fd) { return in_range(fd) && g_slots[fd].cloexec; }

void set_cloexec(int64_t fd, bool on) {
  if (get(fd) != nullptr) g_slots[fd].cloexec = on;
}

fs::Node* cwd() { return g_cwd; }

void set_cwd(fs::Node* dir) {
  fs::ref(dir);
  if (g_cwd != nullptr) fs::unref(g_cwd);
  g_cwd = dir;
}

uint32_t umask() { return g_umask; }

uint32_t set_umask(uint32_t mask) {
  uint32_t old = g_umask;
  g_umask = mask & 0777;
  return old;
}

}  // namespace silk::kernel::proc::fds
