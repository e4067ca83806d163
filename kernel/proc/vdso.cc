#include "proc/vdso.h"

#include "lib/format.h"
#include "lib/string.h"
#include "proc/memory.h"
#include "vdso/vdso_data.h"

extern "C" const uint8_t silk_vdso_image_start[];
extern "C" const uint8_t silk_vdso_image_end[];

namespace silk::kernel::proc::vdso {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kSize = silk::vdso::kImagePages * kPage;
constexpr int kMapPrivateAnonymous = 0x02 | 0x20;
uint64_t g_base = 0;

}  // namespace

uint64_t map() {
  uint64_t image_size = static_cast<uint64_t>(silk_vdso_image_end - silk_vdso_image_start);
  if (image_size > kSize) {
    kprintf("silk kernel: the vDSO image is %lu bytes, more than its %lu: not mapped\n", image_size, kSize);
    return 0;
  }
  int64_t base = memory::mmap(0, kSize, memory::kProtRead | memory::kProtWrite, kMapPrivateAnonymous, nullptr, 0);
  if (base < 0 || !memory::prepare(static_cast<uint64_t>(base), kSize, true)) return 0;
  // SAFETY: [base, base + kSize) was just mapped writable and made present.
  memcpy(reinterpret_cast<void*>(base), silk_vdso_image_start, image_size);
  g_base = static_cast<uint64_t>(base);
  return g_base;
}

void seal(uint64_t tsc_khz, uint64_t tsc0, uint64_t wall0) {
  if (g_base == 0) return;
  // SAFETY: the data page is still writable and present (map()).
  auto* data = reinterpret_cast<silk::vdso::VdsoData*>(g_base + silk::vdso::kDataOffset);
  *data = silk::vdso::VdsoData{tsc_khz, tsc0, wall0};
  memory::mprotect(g_base, silk::vdso::kDataOffset, memory::kProtRead | memory::kProtExec);
  memory::mprotect(g_base + silk::vdso::kDataOffset, kSize - silk::vdso::kDataOffset, memory::kProtRead);
}

}  // namespace silk::kernel::proc::vdso
