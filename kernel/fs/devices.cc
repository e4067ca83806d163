#include "fs/devices.h"

#include "arch/cpu.h"
#include "arch/user.h"
#include "lib/errno.h"
#include "lib/panic.h"
#include "lib/string.h"
#include "platform/platform.h"

namespace silk::kernel::fs::devices {
namespace {

Node* g_console = nullptr;

// Console input (the host's stdin under silk vm; none under PVH, where the
// platform reports end of input at once): bytes read ahead for poll, and
// whether the end was reached (it stays reached).
struct ConsoleInput {
  char buffer[4096];
  uint64_t head = 0, tail = 0;
  bool eof = false;
} g_input;

// Reads what the platform gives into the read-ahead buffer (blocks under
// hvt until a byte or the end of input).
void fill_input() {
  if (g_input.eof || g_input.head != g_input.tail) return;
  int64_t n = platform::console_read(g_input.buffer, sizeof g_input.buffer);
  g_input.head = 0;
  g_input.tail = n > 0 ? static_cast<uint64_t>(n) : 0;
  if (n <= 0) g_input.eof = true;  // an error reads as the end of input too
}

int64_t console_read(uint8_t* out, uint64_t n) {
  if (n == 0) return 0;
  fill_input();
  uint64_t have = g_input.tail - g_input.head;
  if (have == 0) return 0;  // end of input
  if (n > have) n = have;
  memcpy(out, g_input.buffer + g_input.head, n);
  g_input.head += n;
  return static_cast<int64_t>(n);
}

uint64_t random_word(uint64_t salt) {
  uint64_t v;
  if (arch::random64(&v)) return v;
  // No RDRAND: a TSC mix (splitmix64). Not secret.
  uint64_t z = arch::read_timestamp() + salt * 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Writes through a kernel buffer: the platform wants identity-mapped memory
// (hvt passes physical addresses), and user pages are not.
void console_copy(const uint8_t* p, uint64_t n, int stream) {
  char buffer[512];
  while (n > 0) {
    uint64_t chunk = n < sizeof buffer ? n : sizeof buffer;
    memcpy(buffer, p, chunk);
    platform::console_write(buffer, chunk, stream);
    p += chunk;
    n -= chunk;
  }
}

Node* make(Node* dir, const char* name, uint32_t mode, uint32_t rdev, Time now) {
  if (Dirent* e = lookup(dir, name, strlen(name))) return e->node;
  Node* node = new_node(mode, now);
  if (node == nullptr) return nullptr;
  node->rdev = rdev;
  if (add_entry(dir, name, strlen(name), node) != 0) {
    free_if_unused(node);
    return nullptr;
  }
  return node;
}

}  // namespace

bool known(uint32_t rdev) {
  return rdev == kNull || rdev == kZero || rdev == kRandom || rdev == kUrandom || rdev == kConsole;
}

bool seekable(uint32_t rdev) { return rdev != kConsole; }

bool console_readable(bool may_block) {
  if (may_block) fill_input();
  return g_input.eof || g_input.head != g_input.tail;
}

int64_t read(uint32_t rdev, void* dst, uint64_t n) {
  auto* out = static_cast<uint8_t*>(dst);
  switch (rdev) {
    case kNull:
      return 0;
    case kConsole:
      return console_read(out, n);
    case kZero:
      memset(out, 0, n);
      return static_cast<int64_t>(n);
    case kRandom:
    case kUrandom:
      for (uint64_t i = 0; i < n; i += 8) {
        uint64_t v = random_word(i);
        memcpy(out + i, &v, n - i < 8 ? n - i : 8);
      }
      return static_cast<int64_t>(n);
    default:
      return -err::kNxio;
  }
}

int64_t write(uint32_t rdev, const void* src, uint64_t n, int stream) {
  switch (rdev) {
    case kConsole:
      console_copy(static_cast<const uint8_t*>(src), n, stream);
      return static_cast<int64_t>(n);
    case kNull:
    case kZero:
    case kRandom:
    case kUrandom:
      return static_cast<int64_t>(n);
    default:
      return -err::kNxio;
  }
}

void init(Node* root, Time now) {
  Node* dev = make(root, "dev", kIfDir | 0755, 0, now);
  if (dev != nullptr && dev->is_dir()) {
    make(dev, "null", kIfChr | 0666, kNull, now);
    make(dev, "zero", kIfChr | 0666, kZero, now);
    make(dev, "random", kIfChr | 0666, kRandom, now);
    make(dev, "urandom", kIfChr | 0666, kUrandom, now);
    g_console = make(dev, "console", kIfChr | 0600, kConsole, now);
  }
  // The standard descriptors need a console even when the initrd put
  // something else at /dev/console: an unlinked node then.
  if (g_console == nullptr || g_console->type() != kIfChr || g_console->rdev != kConsole) {
    g_console = new_node(kIfChr | 0600, now);
    if (g_console == nullptr) panic("fs: no memory for the console node");
    g_console->rdev = kConsole;
  }
  ref(g_console);
}

Node* console() { return g_console; }

}  // namespace silk::kernel::fs::devices
