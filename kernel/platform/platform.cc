#include "platform/platform.h"

#include "arch/cpu.h"
#include "drivers/virtio/block.h"
#include "drivers/virtio/net.h"
#include "platform/hvt/block.h"
#include "platform/hvt/hvt.h"
#include "platform/hvt/net.h"
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

void console_write(const char* data, size_t len, int stream) {
  if (g_path == BootPath::kHvt) {
    hvt::console_write(data, len, stream);
  } else {
    pvh::console_write(data, len, stream);
  }
}

int64_t console_read(char* data, size_t len) {
  return g_path == BootPath::kHvt ? hvt::console_read(data, len) : 0;
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

int take_host_signal() { return g_path == BootPath::kHvt ? hvt::take_host_signal() : 0; }
bool host_signal_pending() { return g_path == BootPath::kHvt && hvt::host_signal_pending(); }

void boot_event(uint32_t event) {
  if (g_path == BootPath::kHvt) hvt::boot_event(event);
}

void halt(int status) {
  if (g_path == BootPath::kHvt) hvt::halt(status);
  pvh::halt(status);
}

MemoryMap memory_map() { return g_path == BootPath::kHvt ? hvt::memory_map() : pvh::memory_map(); }
const char* cmdline() { return g_path == BootPath::kHvt ? hvt::cmdline() : pvh::cmdline(); }
BootModule initrd() { return g_path == BootPath::kHvt ? hvt::initrd() : pvh::initrd(); }

net::NetDevice* network_device() {
  static bool s_probed = false;
  static net::NetDevice* s_device = nullptr;
  if (!s_probed) {
    s_probed = true;
    if (g_path == BootPath::kHvt) {
      s_device = hvt::net_device();
    } else {
      s_device = drivers::virtio::probe_net(pvh::cmdline());
    }
  }
  return s_device;
}

drivers::BlockDevice* block_device() {
  static bool s_probed = false;
  static drivers::BlockDevice* s_device = nullptr;
  if (!s_probed) {
    s_probed = true;
    if (g_path == BootPath::kHvt) {
      s_device = hvt::block_device();
    } else {
      s_device = drivers::virtio::probe_block(pvh::cmdline());
    }
  }
  return s_device;
}

}  // namespace silk::kernel::platform
