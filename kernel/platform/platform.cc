#include "platform/platform.h"

#include "arch/cpu.h"
#include "platform/hvt/hvt.h"
#include "platform/pvh/pvh.h"

namespace silk::kernel::platform {
namespace {

BootPath g_path = BootPath::kPvh;

}  // namespace

void init(BootPath path, uint64_t info) {
  g_path = path;
  if (path == BootPath::kHvt) {
    hvt::init(info);
  } else {
    pvh::init(info);
  }
}

BootPath boot_path() { return g_path; }
const char* boot_path_name() { return g_path == BootPath::kHvt ? "hvt (silk vm)" : "pvh"; }

void console_write(const char* data, size_t len) {
  if (g_path == BootPath::kHvt) {
    hvt::console_write(data, len);
  } else {
    pvh::console_write(data, len);
  }
}

uint64_t walltime_ns() { return g_path == BootPath::kHvt ? hvt::walltime_ns() : pvh::walltime_ns(); }
uint64_t tsc_khz() { return g_path == BootPath::kHvt ? hvt::tsc_khz() : pvh::tsc_khz(); }

void idle(uint64_t ns) {
  if (g_path == BootPath::kHvt) {
    hvt::idle(ns);
  } else {
    pvh::idle(ns);
  }
}

void halt(int status) {
  if (g_path == BootPath::kHvt) hvt::halt(status);
  pvh::halt(status);
}

MemoryMap memory_map() { return g_path == BootPath::kHvt ? hvt::memory_map() : pvh::memory_map(); }
const char* cmdline() { return g_path == BootPath::kHvt ? hvt::cmdline() : pvh::cmdline(); }
BootModule initrd() { return g_path == BootPath::kHvt ? hvt::initrd() : pvh::initrd(); }

}  // namespace silk::kernel::platform
