#include "arch/exceptions.h"

#include "arch/fpu.h"
#include "arch/trap_frame.h"
#include "arch/user.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/io.h"
#include "lib/format.h"
#include "platform/platform.h"
#include "proc/memory.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "syscalls/syscalls.h"

extern "C" void syscall_entry();

extern "C" const uint64_t isr_stub_table[32];
extern "C" void exception_dispatch(silk::kernel::arch::TrapFrame* frame);

namespace silk::kernel::arch {
namespace {

constexpr uint64_t kIstStackSize = 16 * 1024;
[[gnu::section(".stacks.ist")]] alignas(4096) uint8_t g_ist_double_fault[kIstStackSize];
[[gnu::section(".stacks.ist")]] alignas(4096) uint8_t g_ist_page_fault[kIstStackSize];

// One pending fixup: a fault at g_fixup_fault resumes at g_fixup_resume.
uint64_t g_fixup_fault = 0;
uint64_t g_fixup_resume = 0;
uint64_t g_fixups_taken = 0;
uint64_t g_guard_start = 0;
uint64_t g_guard_size = 0;

// Intel SDM vol. 3A, table 6-1.
constexpr const char* kNames[32] = {
    "divide error (#DE)", "debug (#DB)", "NMI", "breakpoint (#BP)", "overflow (#OF)",
    "bound range exceeded (#BR)", "invalid opcode (#UD)", "device not available (#NM)",
    "double fault (#DF)", "coprocessor segment overrun", "invalid TSS (#TS)", "segment not present (#NP)",
    "stack-segment fault (#SS)", "general protection (#GP)", "page fault (#PF)", "reserved 15",
    "x87 floating-point error (#MF)", "alignment check (#AC)", "machine check (#MC)",
    "SIMD floating-point (#XM)", "virtualization (#VE)", "control protection (#CP)", "reserved 22",
    "reserved 23", "reserved 24", "reserved 25", "reserved 26", "reserved 27",
    "hypervisor injection (#HV)", "VMM communication (#VC)", "security (#SX)", "reserved 31"};

void print_registers(const TrapFrame& f) {
  kprintf("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", f.rax, f.rbx, f.rcx, f.rdx);
  kprintf("  rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n", f.rsi, f.rdi, f.rbp, f.rsp);
  kprintf("  r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n", f.r8, f.r9, f.r10, f.r11);
  kprintf("  r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n", f.r12, f.r13, f.r14, f.r15);
  kprintf("  cs %lx ss %lx rflags %lx\n", f.cs, f.ss, f.rflags);
}

// Page-fault error code bits (Intel SDM vol. 3A, 4.7).
void print_page_fault(const TrapFrame& f, uint64_t address) {
  uint64_t e = f.error_code;
  kprintf("silk kernel: page fault at address 0x%lx, rip 0x%lx (%s %s, %s mode%s)\n", address, f.rip,
          (e & 1) ? "protection violation on" : "not-present page on",
          (e & 16) ? "instruction fetch" : (e & 2) ? "write" : "read", (e & 4) ? "user" : "kernel",
          (e & 8) ? ", reserved bit set" : "");
  if (g_guard_size != 0 && address >= g_guard_start && address < g_guard_start + g_guard_size) {
    kprintf("silk kernel: kernel stack overflow (guard page 0x%lx)\n", g_guard_start);
  }
}

// The signal Linux sends for an exception in ring 3 other than a page fault
// (arch/x86/kernel/traps.c): si_addr is the RIP for the arithmetic and
// opcode faults, 0 where Linux uses force_sig (SI_KERNEL: #GP among others).
proc::signal::Fault fault_for(const TrapFrame& f) {
  namespace sig = proc::signal;
  sig::Fault fault{sig::kSigSegv, sig::kSiKernel, 0, f.vector, f.error_code, 0};
  switch (f.vector) {
    case 0: fault.signo = sig::kSigFpe, fault.code = sig::kFpeIntdiv, fault.addr = f.rip; break;
    case 1: case 3: fault.signo = sig::kSigTrap; break;
    case 6: fault.signo = sig::kSigIll, fault.code = sig::kIllIllopn, fault.addr = f.rip; break;
    case 11: case 12: fault.signo = sig::kSigBus; break;
    case 16: case 19: {
      fault.signo = sig::kSigFpe;
      int code = fpu_exception_code(f.vector == 19);
      if (code != 0) fault.code = code;
      fault.addr = f.rip;
      break;
    }
    case 17: fault.signo = sig::kSigBus, fault.code = sig::kBusAdraln; break;
    default: break;
  }
  return fault;
}

}  // namespace

void exceptions_init() {
  const uint64_t ist_top[2] = {
      reinterpret_cast<uint64_t>(g_ist_double_fault + kIstStackSize),
      reinterpret_cast<uint64_t>(g_ist_page_fault + kIstStackSize),
  };
  x86_64::gdt_init(ist_top, 2);
  for (unsigned v = 0; v < 32; ++v) {
    int ist = v == 8 ? x86_64::kIstDoubleFault : v == 14 ? x86_64::kIstPageFault : 0;
    x86_64::idt_set_gate(v, isr_stub_table[v], ist);
  }
  x86_64::idt_load();
}

bool probe_divide_error() {
  uint64_t before = g_fixups_taken;
  // SAFETY: the fixup addresses are stored before the div faults; the handler
  // moves RIP to label 2, past the div, which leaves no other state behind.
  asm volatile(
      "leaq 1f(%%rip), %%rax\n\t"
      "movq %%rax, %[fault]\n\t"
      "leaq 2f(%%rip), %%rax\n\t"
      "movq %%rax, %[resume]\n\t"
      "xorl %%ecx, %%ecx\n\t"
      "movl $1, %%eax\n\t"
      "xorl %%edx, %%edx\n"
      "1:\n\t"
      "divl %%ecx\n"
      "2:\n\t"
      : [fault] "=m"(g_fixup_fault), [resume] "=m"(g_fixup_resume)
      :
      : "rax", "rcx", "rdx", "memory");
  g_fixup_fault = 0;
  return g_fixups_taken == before + 1;
}

void set_stack_guard(uint64_t guard_start, uint64_t guard_size) {
  g_guard_start = guard_start;
  g_guard_size = guard_size;
}

void break_page_fault_gate() { x86_64::idt_clear_present(14); }

}  // namespace silk::kernel::arch

// Called by isr_common with interrupts off. Returning resumes the (possibly
// changed) frame. Ring 3 exceptions go to the process: demand paging, else
// a signal (proc/signal.h), which runs a handler or ends the process. In
// ring 0 every exception without a fixup is fatal. A kernel #PF on a user
// address inside a region is also demand paging (the kernel checks user
// ranges first, so this is rare).
extern "C" void exception_dispatch(silk::kernel::arch::TrapFrame* frame) {
  using namespace silk::kernel;
  const auto& f = *frame;  // fatal paths only read it
  if ((f.cs & 3) == 3) {
    // SYSCALL that jumped to LSTAR but stayed in ring 3 (this host's
    // kvm-pvm): the fetch from the supervisor page faults with the registers
    // exactly as SYSCALL left them (RCX = return RIP, R11 = RFLAGS), so the
    // frame becomes the one SYSCALL would have made and the call runs.
    if (f.vector == 14 && f.rip == reinterpret_cast<uint64_t>(&syscall_entry) && (f.error_code & 16) != 0 &&
        f.rcx < proc::kUserHalfEnd) {
      syscalls::note_syscall_fault_path();
      frame->vector = arch::kVectorSyscall;
      frame->error_code = 0;
      frame->rip = f.rcx;
      frame->rflags = (f.r11 & arch::kUserFlagsMask & ~(uint64_t{1} << 16)) | arch::kFlagsFixed;
      syscalls::run(frame);
      return;
    }
    if (f.vector == 14) {
      proc::user_page_fault(frame, x86_64::read_cr2());
    } else {
      proc::signal::force_fault(frame, arch::fault_for(f));
    }
    proc::signal::deliver_pending(frame);
    return;
  }
  if (arch::g_fixup_fault != 0 && f.rip == arch::g_fixup_fault) {
    frame->rip = arch::g_fixup_resume;
    arch::g_fixup_fault = 0;
    ++arch::g_fixups_taken;
    return;
  }
  if (f.vector == 14 && x86_64::read_cr2() < proc::kUserHalfEnd &&
      proc::kernel_fault_on_user(x86_64::read_cr2(), f.error_code)) {
    return;
  }
  if (f.vector == 14) {
    arch::print_page_fault(f, x86_64::read_cr2());
  } else {
    kprintf("silk kernel: %s, error code 0x%lx, rip 0x%lx, rsp 0x%lx\n", arch::kNames[f.vector & 31],
            f.error_code, f.rip, f.rsp);
  }
  arch::print_registers(f);
  platform::halt(platform::kExitCpuException);
}
