#include "arch/cpu.h"

#include "arch/exceptions.h"
#include "arch/x86_64/io.h"
#include "lib/string.h"

namespace silk::kernel::arch {
namespace {

constexpr uint64_t kCr0NumericError = 1ull << 5;
constexpr uint64_t kCr0WriteProtect = 1ull << 16;
constexpr uint64_t kCr0NotWriteThrough = 1ull << 29;
constexpr uint64_t kCr0CacheDisable = 1ull << 30;
constexpr uint32_t kMsrMtrrDefType = 0x2ff;
constexpr uint64_t kMtrrEnable = 1ull << 11;
constexpr uint64_t kMemoryTypeWriteBack = 6;

bool g_has_nx = false;
uint64_t g_boot_cr0 = 0;
uint64_t g_boot_mtrr_def_type = 0;
char g_model[49];

void read_model() {
  using x86_64::cpuid;
  if (cpuid(0x80000000).eax >= 0x80000004) {
    auto* words = reinterpret_cast<uint32_t*>(g_model);
    for (uint32_t i = 0; i < 3; ++i) {
      auto r = cpuid(0x80000002 + i);
      words[i * 4 + 0] = r.eax;
      words[i * 4 + 1] = r.ebx;
      words[i * 4 + 2] = r.ecx;
      words[i * 4 + 3] = r.edx;
    }
    g_model[48] = '\0';
  } else {
    auto r = cpuid(0);
    auto* words = reinterpret_cast<uint32_t*>(g_model);
    words[0] = r.ebx;
    words[1] = r.edx;
    words[2] = r.ecx;
    g_model[12] = '\0';
  }
  // Brand strings are right-aligned with leading spaces on some CPUs.
  size_t skip = 0;
  while (g_model[skip] == ' ') ++skip;
  if (skip > 0) memmove(g_model, g_model + skip, strlen(g_model + skip) + 1);
  if (g_model[0] == '\0') copy_string(g_model, sizeof g_model, "unknown (no CPUID vendor or brand)");
}

}  // namespace

void cpu_init() {
  exceptions_init();
  // CPUID 0x80000001 EDX bit 20: execute-disable (Intel SDM vol. 2A, CPUID).
  if (x86_64::cpuid(0x80000000).eax >= 0x80000001 && (x86_64::cpuid(0x80000001).edx & (1u << 20)) != 0) {
    g_has_nx = true;
    x86_64::wrmsr(x86_64::kMsrEfer, x86_64::rdmsr(x86_64::kMsrEfer) | x86_64::kEferNxe);
  }
  // CR0: caching on (a PVH loader or a monitor may leave CD/NW from reset,
  // which makes every access uncached: 100x slower), WP so read-only pages
  // bind the kernel too, NE for native x87 errors.
  uint64_t cr0;
  asm volatile("mov %%cr0, %0" : "=r"(cr0));
  g_boot_cr0 = cr0;
  cr0 &= ~(kCr0CacheDisable | kCr0NotWriteThrough);
  cr0 |= kCr0WriteProtect | kCr0NumericError;
  asm volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
  // MTRRs (Intel SDM vol. 3A, 12.11): with IA32_MTRR_DEF_TYPE disabled, as
  // after reset, all memory is UC where the hypervisor honours guest MTRRs.
  // Default to write-back; MMIO gets UC through the page tables' PAT bits.
  if ((x86_64::cpuid(1).edx & (1u << 12)) != 0) {
    uint64_t def_type = x86_64::rdmsr(kMsrMtrrDefType);
    g_boot_mtrr_def_type = def_type;
    if ((def_type & kMtrrEnable) == 0) x86_64::wrmsr(kMsrMtrrDefType, kMtrrEnable | kMemoryTypeWriteBack);
  }
  read_model();
}

bool cpu_has_nx() { return g_has_nx; }
uint64_t cpu_boot_cr0() { return g_boot_cr0; }
const char* cpu_model() { return g_model; }

uint64_t read_timestamp() {
  uint32_t lo, hi;
  asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

void halt_forever() {
  for (;;) asm volatile("cli; hlt");
}

void triple_fault() {
  // An empty IDT: the next exception cannot be delivered, which escalates to
  // a double fault, then a shutdown (Intel SDM vol. 3A, 6.15, #DF).
  struct [[gnu::packed]] {
    uint16_t limit;
    uint64_t base;
  } empty{0, 0};
  asm volatile("lidt %0; int3" : : "m"(empty) : "memory");
  halt_forever();
}

}  // namespace silk::kernel::arch
