#include "arch/fpu.h"

#include "lib/panic.h"
#include "lib/string.h"

namespace silk::kernel::arch {
namespace {

// FXSAVE area offsets (Intel SDM vol. 1, table 10-2).
constexpr uint64_t kFcw = 0, kFsw = 2, kMxcsr = 24, kMxcsrMask = 28;
constexpr uint32_t kMxcsrDefault = 0x1f80;
constexpr uint32_t kMxcsrMaskDefault = 0xffbf;  // when FXSAVE reports 0 (SDM 11.6.6)

struct alignas(16) Area {
  uint8_t bytes[kFpuStateSize];
};

Area g_init;
uint32_t g_mxcsr_mask = kMxcsrMaskDefault;

uint16_t load16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t load32(const uint8_t* p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}
void store32(uint8_t* p, uint32_t v) { memcpy(p, &v, 4); }

void fxsave(Area* a) {
  // SAFETY: {a} is 16-byte aligned and 512 bytes; FXSAVE64 writes only it.
  asm volatile("fxsave64 %0" : "=m"(*a));
}
void fxrstor(const Area* a) {
  // SAFETY: {a} is 16-byte aligned and its MXCSR holds supported bits only,
  // so FXRSTOR64 cannot fault.
  asm volatile("fxrstor64 %0" : : "m"(*a));
}

}  // namespace

void fpu_init() {
  // fninit is x87, not SSE, so ring-0 emulators handle it; MXCSR keeps its
  // reset value 0x1f80.
  asm volatile("fninit");
  fxsave(&g_init);
  uint32_t mask = load32(g_init.bytes + kMxcsrMask);
  if (mask != 0) g_mxcsr_mask = mask;
  // The initial image: control words as after fninit, everything else zero.
  uint16_t fcw = load16(g_init.bytes + kFcw);
  memset(g_init.bytes, 0, sizeof g_init.bytes);
  g_init.bytes[kFcw] = static_cast<uint8_t>(fcw);
  g_init.bytes[kFcw + 1] = static_cast<uint8_t>(fcw >> 8);
  store32(g_init.bytes + kMxcsr, kMxcsrDefault);
  fxrstor(&g_init);
}

void fpu_save(void* area) {
  SILK_EXPECTS(reinterpret_cast<uintptr_t>(area) % kFpuStateAlign == 0);
  fxsave(static_cast<Area*>(area));
}

void fpu_restore(const void* area) {
  Area a;
  memcpy(a.bytes, area, kFpuStateSize);
  store32(a.bytes + kMxcsr, load32(a.bytes + kMxcsr) & g_mxcsr_mask);
  fxrstor(&a);
}

void fpu_reset() { fxrstor(&g_init); }

int fpu_exception_code(bool simd) {
  constexpr int kFltDiv = 3, kFltOvf = 4, kFltUnd = 5, kFltRes = 6, kFltInv = 7;
  Area a;
  fxsave(&a);
  uint32_t status, masks;
  if (simd) {
    uint32_t mxcsr = load32(a.bytes + kMxcsr);
    status = mxcsr & 0x3f;
    masks = (mxcsr >> 7) & 0x3f;
  } else {
    status = load16(a.bytes + kFsw) & 0x3f;
    masks = load16(a.bytes + kFcw) & 0x3f;
  }
  uint32_t err = status & ~masks;
  if (err & 0x01) return kFltInv;  // invalid operation (and x87 stack fault)
  if (err & 0x04) return kFltDiv;
  if (err & 0x08) return kFltOvf;
  if (err & 0x12) return kFltUnd;  // underflow, denormal
  if (err & 0x20) return kFltRes;
  return 0;
}

}  // namespace silk::kernel::arch
