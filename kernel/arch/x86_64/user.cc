#include "arch/user.h"

#include "arch/fpu.h"
#include "arch/trap_frame.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/io.h"

extern "C" {
void syscall_entry();           // syscalls/entry.S
extern "C" uint64_t kernel_stack_top;  // syscalls/entry.S: the running thread's
}

namespace silk::kernel::arch {
namespace {

constexpr uint64_t kCr0MonitorCoprocessor = 1ull << 1;
constexpr uint64_t kCr0Emulation = 1ull << 2;
constexpr uint64_t kCr0TaskSwitched = 1ull << 3;
constexpr uint64_t kCr4OsFxsr = 1ull << 9;
constexpr uint64_t kCr4OsXmmExcpt = 1ull << 10;
constexpr uint64_t kCr4OsXsave = 1ull << 18;
constexpr uint64_t kXcr0X87 = 1, kXcr0Sse = 2, kXcr0Avx = 4, kXcr0Avx512 = 0xe0;

constexpr uint32_t kMsrStar = 0xC0000081;
constexpr uint32_t kMsrLstar = 0xC0000082;
constexpr uint32_t kMsrFmask = 0xC0000084;
constexpr uint32_t kMsrFsBase = 0xC0000100;
constexpr uint64_t kEferSce = 1;
// Cleared on SYSCALL: TF, IF, DF, NT, AC (as Linux does).
constexpr uint64_t kSyscallMask = (1u << 8) | (1u << 9) | (1u << 10) | (1u << 14) | (1u << 18);

bool g_has_rdrand = false;

}  // namespace

uint64_t user_init() {
  using namespace x86_64;
  uint64_t cr0, cr4;
  asm volatile("mov %%cr0, %0" : "=r"(cr0));
  cr0 = (cr0 | kCr0MonitorCoprocessor) & ~(kCr0Emulation | kCr0TaskSwitched);
  asm volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
  asm volatile("mov %%cr4, %0" : "=r"(cr4));
  cr4 |= kCr4OsFxsr | kCr4OsXmmExcpt;
  CpuidResult leaf1 = cpuid(1);
  g_has_rdrand = (leaf1.ecx & (1u << 30)) != 0;
  bool xsave = (leaf1.ecx & (1u << 26)) != 0;
  if (xsave) cr4 |= kCr4OsXsave;
  asm volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
  uint64_t xcr0 = 0;
  if (xsave) {
    uint64_t supported = cpuid(0xd, 0).eax;
    xcr0 = supported & (kXcr0X87 | kXcr0Sse | kXcr0Avx | kXcr0Avx512);
    if ((xcr0 & kXcr0Avx) == 0 || (xcr0 & kXcr0Avx512) != kXcr0Avx512) xcr0 &= ~kXcr0Avx512;
    if ((xcr0 & kXcr0Sse) == 0) xcr0 &= ~kXcr0Avx;
    // SAFETY: OSXSAVE is set and xcr0 holds only supported, consistent bits.
    asm volatile("xsetbv" : : "c"(0), "a"(static_cast<uint32_t>(xcr0)), "d"(static_cast<uint32_t>(xcr0 >> 32)));
  }
  // x87 control word 0x37f (the reset value 0x40 means single precision),
  // MXCSR 0x1f80.
  fpu_init();

  wrmsr(kMsrEfer, rdmsr(kMsrEfer) | kEferSce);
  // SYSCALL: CS = 0x08, SS = 0x10. SYSRET: SS = 0x10 + 8 = 0x18, CS = 0x10 + 16 = 0x20 (RPL 3).
  wrmsr(kMsrStar, (uint64_t{kKernelData} << 48) | (uint64_t{kKernelCode} << 32));
  wrmsr(kMsrLstar, reinterpret_cast<uint64_t>(&syscall_entry));
  wrmsr(kMsrFmask, kSyscallMask);
  // Exceptions from ring 3 switch to the same stack as system calls: the two
  // never nest (the kernel does not fault on the way in).
  gdt_set_kernel_stack(kernel_stack_top);
  return xcr0;
}

void enter_user(uint64_t entry, uint64_t stack) {
  // SAFETY: entry and stack are user-mapped by the ELF loader; iretq loads
  // CPL 3 code/stack selectors, so nothing of the kernel is reachable after.
  asm volatile(
      "pushq %[ss]\n\t"
      "pushq %[rsp]\n\t"
      "pushq $0x2\n\t"  // RFLAGS: reserved bit 1 only (IF clear)
      "pushq %[cs]\n\t"
      "pushq %[rip]\n\t"
      "movl %k[ss], %%eax\n\t"
      "movl %%eax, %%ds\n\t"
      "movl %%eax, %%es\n\t"
      "xorl %%eax, %%eax\n\t"
      "xorl %%ebx, %%ebx\n\t"
      "xorl %%ecx, %%ecx\n\t"
      "xorl %%edx, %%edx\n\t"
      "xorl %%esi, %%esi\n\t"
      "xorl %%edi, %%edi\n\t"
      "xorl %%ebp, %%ebp\n\t"
      "xorl %%r8d, %%r8d\n\t"
      "xorl %%r9d, %%r9d\n\t"
      "xorl %%r10d, %%r10d\n\t"
      "xorl %%r11d, %%r11d\n\t"
      "xorl %%r12d, %%r12d\n\t"
      "xorl %%r13d, %%r13d\n\t"
      "xorl %%r14d, %%r14d\n\t"
      "xorl %%r15d, %%r15d\n\t"
      "iretq"
      :
      : [ss] "r"(uint64_t{x86_64::kUserData}), [rsp] "r"(stack), [cs] "r"(uint64_t{x86_64::kUserCode}),
        [rip] "r"(entry)
      : "memory");
  __builtin_unreachable();
}

TrapFrame* user_frame() {
  // SAFETY: every entry from ring 3 saves its frame at the top of the running
  // thread's kernel stack (exception_stubs.S, syscalls/entry.S).
  return reinterpret_cast<TrapFrame*>(kernel_stack_top - sizeof(TrapFrame));
}

void set_kernel_stack(uint64_t top) {
  kernel_stack_top = top;
  x86_64::gdt_set_kernel_stack(top);
}

uint64_t kernel_stack() { return kernel_stack_top; }

extern "C" void thread_first_return();  // switch.S

uint64_t prepare_thread_start(uint64_t top, const void* frame, uint64_t frame_size) {
  // [top - frame_size, top): the TrapFrame trap_return restores. Below it the
  // words switch_context pops: six callee-saved registers (0), then the
  // return address, thread_first_return.
  uint64_t frame_at = top - frame_size;
  __builtin_memcpy(reinterpret_cast<void*>(frame_at), frame, frame_size);
  auto* words = reinterpret_cast<uint64_t*>(frame_at) - 7;
  for (int i = 0; i < 6; ++i) words[i] = 0;
  words[6] = reinterpret_cast<uint64_t>(&thread_first_return);
  return reinterpret_cast<uint64_t>(words);
}

bool can_sysret(const TrapFrame& f) {
  // SYSRET loads RIP from RCX and RFLAGS from R11 and #GPs in ring 0 on a
  // non-canonical RIP (so, like Linux, nothing at the top page of the user
  // half either); RF and TF need IRET to take effect as saved.
  constexpr uint64_t kFlagsTfRf = (1u << 8) | (1u << 16);
  return f.rcx == f.rip && f.r11 == f.rflags && f.cs == x86_64::kUserCode && f.ss == x86_64::kUserData &&
         f.rip < 0x0000'7fff'ffff'f000ull && (f.rflags & kFlagsTfRf) == 0;
}

void set_fs_base(uint64_t base) { x86_64::wrmsr(kMsrFsBase, base); }
uint64_t fs_base() { return x86_64::rdmsr(kMsrFsBase); }

uint64_t hwcap() { return x86_64::cpuid(1).edx; }

bool random64(uint64_t* out) {
  if (!g_has_rdrand) return false;
  for (int i = 0; i < 10; ++i) {
    uint64_t v;
    uint8_t ok;
    asm volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
    if (ok) {
      *out = v;
      return true;
    }
  }
  return false;
}

}  // namespace silk::kernel::arch
