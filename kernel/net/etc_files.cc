#include "net/etc_files.h"

#include "fs/file_data.h"
#include "fs/node.h"
#include "fs/vfs.h"
#include "lib/format.h"
#include "lib/string.h"
#include "net/net.h"

namespace silk::kernel::net {
namespace {

constexpr uint32_t kSlirpDns = 0x0302000a;  // 10.0.2.3 in network order

// "a.b.c.d" of a network-order address.
void dotted(uint32_t addr, char* out, size_t cap) {
  const auto* b = reinterpret_cast<const uint8_t*>(&addr);
  format(out, cap, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

// Creates {path} with {text} unless it exists.
void add_file(const char* path, const char* text) {
  fs::Node* node;
  constexpr uint32_t kFlags = fs::kOCreat | fs::kOExcl | fs::kOWronly;
  if (fs::open(fs::root(), path, kFlags, 0644, &node) != 0) return;  // there already (or no memory)
  fs::data::write(node, 0, text, strlen(text));
}

}  // namespace

void write_etc_files() {
  fs::mkdir(fs::root(), "/etc", 0755);  // -EEXIST is fine
  Config c = config();
  char text[192];
  char address[16];
  size_t n = format(text, sizeof text, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
  if (c.address != 0) {
    dotted(c.address, address, sizeof address);
    format(text + n, sizeof text - n, "%s\tsilk\n", address);
  }
  add_file("/etc/hosts", text);
  add_file("/etc/nsswitch.conf", "hosts: files dns\n");
  if (has_interface()) {
    dotted(c.dns != 0 ? c.dns : kSlirpDns, address, sizeof address);
    format(text, sizeof text, "nameserver %s\n", address);
    add_file("/etc/resolv.conf", text);
  }
}

}  // namespace silk::kernel::net
