// Character devices: /dev/null, /dev/zero, /dev/random, /dev/urandom (both
// RDRAND, else a TSC mix: no blocking, no entropy accounting) and
// /dev/console (the platform console: writes go to its stdout, or stderr
// for the descriptor 2 the process starts with; reads take the host's stdin
// under silk vm, blocking until a byte or its end, and give end of file
// under PVH). A device node names its device by number (st_rdev), so an
// initrd may bring its own nodes; unknown numbers cannot be opened (-ENXIO).
#pragma once

#include <stdint.h>

#include "fs/node.h"

namespace silk::kernel::fs::devices {

// Linux's new_encode_dev (include/linux/kdev_t.h), as st_rdev shows it.
constexpr uint32_t encode(uint32_t major, uint32_t minor) {
  return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}
inline constexpr uint32_t kNull = encode(1, 3), kZero = encode(1, 5), kRandom = encode(1, 8),
                          kUrandom = encode(1, 9), kConsole = encode(5, 1);

bool known(uint32_t rdev);
// Whether a read of the console would not block: input is waiting or its
// end was reached. With {may_block}, first waits for input (or its end): the
// platform cannot tell without reading (hvt's ConsoleRead blocks).
bool console_readable(bool may_block);
// Whether lseek means something (everything but the console: Linux's
// null/zero/random accept it and return 0).
bool seekable(uint32_t rdev);

// The bytes read or written, or -errno. {dst}/{src} are kernel-accessible
// (user memory already prepared).
int64_t read(uint32_t rdev, void* dst, uint64_t n);
// {stream}: the console's stream (platform.h: 1 stdout, 2 stderr).
int64_t write(uint32_t rdev, const void* src, uint64_t n, int stream = 1);

// Creates /dev and the nodes above under {root} where missing. The console
// node is kept for the standard descriptors (console()).
void init(Node* root, Time now);
Node* console();

}  // namespace silk::kernel::fs::devices
