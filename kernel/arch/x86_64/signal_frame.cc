#include "arch/signal_frame.h"

#include <stddef.h>

#include "arch/fpu.h"
#include "arch/paging.h"
#include "arch/x86_64/gdt.h"
#include "lib/string.h"
#include "proc/memory.h"

namespace silk::kernel::arch {
namespace {

// struct sigcontext (uapi asm/sigcontext.h, 64-bit).
struct SigContext {
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
  uint16_t cs, gs, fs, ss;
  uint64_t err, trapno, oldmask, cr2;
  uint64_t fpstate;  // the FXSAVE area, or 0
  uint64_t reserved1[8];
};
static_assert(sizeof(SigContext) == 256);

// struct ucontext (uapi asm/ucontext.h): the kernel's, with an 8-byte mask.
struct UContext {
  uint64_t flags;
  uint64_t link;
  SignalStack stack;
  SigContext mcontext;
  uint64_t sigmask;
};
static_assert(sizeof(UContext) == 304);

struct RtSigFrame {
  uint64_t pretcode;
  UContext uc;
  uint8_t info[128];
};
static_assert(sizeof(RtSigFrame) == 440 && offsetof(RtSigFrame, uc) == 8 && offsetof(RtSigFrame, info) == 312);

// uc_flags: the saved SS is valid and is restored as saved. No UC_FP_XSTATE:
// the FPU area is FXSAVE's (arch/fpu.h).
constexpr uint64_t kUcSigcontextSs = 0x2, kUcStrictRestoreSs = 0x4;
// FXSAVE's software-available bytes 464..511 (fpx_sw_bytes): zero, so no
// reader takes the area for an XSAVE one (no FP_XSTATE_MAGIC1).
constexpr uint64_t kFpuSwBytes = 464;
constexpr uint64_t kFlagsDf = 1u << 10, kFlagsTf = 1u << 8, kFlagsRf = 1u << 16;

uint64_t fpu_area_below(uint64_t top) { return (top - kFpuStateSize) & ~uint64_t{63}; }

}  // namespace

uint64_t signal_frame_bottom(uint64_t stack_top) {
  // align_sigframe: 16-byte aligned, then - 8 as if the handler was called.
  return ((fpu_area_below(stack_top) - sizeof(RtSigFrame)) & ~uint64_t{15}) - 8;
}

bool push_signal_frame(TrapFrame* frame, const SignalFrameSetup& setup) {
  uint64_t fpu_at = fpu_area_below(setup.stack_top);
  uint64_t sp = signal_frame_bottom(setup.stack_top);
  if (setup.stack_top < sp || !proc::memory::prepare(sp, setup.stack_top - sp, true)) return false;

  // SAFETY: prepare() checked [sp, stack_top) against the regions (user,
  // writable) and made its pages present; one CPU, so nothing unmaps them.
  // The frame is written in place: every copy costs where ring 0 is emulated.
  auto& f = *reinterpret_cast<RtSigFrame*>(sp);
  f.pretcode = setup.restorer;
  f.uc.flags = kUcSigcontextSs | kUcStrictRestoreSs;
  f.uc.link = 0;
  f.uc.stack = setup.altstack;
  SigContext& sc = f.uc.mcontext;
  const TrapFrame& t = *frame;
  sc.r8 = t.r8, sc.r9 = t.r9, sc.r10 = t.r10, sc.r11 = t.r11, sc.r12 = t.r12, sc.r13 = t.r13;
  sc.r14 = t.r14, sc.r15 = t.r15, sc.rdi = t.rdi, sc.rsi = t.rsi, sc.rbp = t.rbp, sc.rbx = t.rbx;
  sc.rdx = t.rdx, sc.rax = t.rax, sc.rcx = t.rcx, sc.rsp = t.rsp, sc.rip = t.rip, sc.eflags = t.rflags;
  sc.cs = static_cast<uint16_t>(t.cs);
  sc.gs = 0;
  sc.fs = 0;
  sc.ss = static_cast<uint16_t>(t.ss);
  sc.err = setup.error;
  sc.trapno = setup.trapno;
  sc.oldmask = setup.mask;
  sc.cr2 = setup.cr2;
  sc.fpstate = fpu_at;
  memset(sc.reserved1, 0, sizeof sc.reserved1);
  f.uc.sigmask = setup.mask;
  memcpy(f.info, setup.siginfo, sizeof f.info);
  auto* fpu = reinterpret_cast<uint8_t*>(fpu_at);
  fpu_save(fpu);
  memset(fpu + kFpuSwBytes, 0, kFpuStateSize - kFpuSwBytes);

  frame->rip = setup.handler;
  frame->rsp = sp;
  frame->rdi = static_cast<uint64_t>(setup.signo);
  frame->rsi = sp + offsetof(RtSigFrame, info);
  frame->rdx = sp + offsetof(RtSigFrame, uc);
  frame->rax = 0;
  frame->rflags &= ~(kFlagsDf | kFlagsTf | kFlagsRf);
  frame->cs = x86_64::kUserCode;
  frame->ss = x86_64::kUserData;
  fpu_reset();
  return true;
}

bool pop_signal_frame(TrapFrame* frame, uint64_t* mask, SignalStack* altstack) {
  uint64_t at = frame->rsp - 8;
  if (frame->rsp < 8 || !proc::memory::prepare(at, sizeof(RtSigFrame), false)) return false;
  RtSigFrame f;
  // SAFETY: prepare() checked the range (user, readable, present).
  memcpy(&f, reinterpret_cast<const void*>(at), sizeof f);
  const SigContext& sc = f.uc.mcontext;
  // IRETQ to a non-canonical RIP faults in ring 0; a non-canonical RSP is
  // refused too (Linux lets the program fault on it later).
  if (!is_canonical(VirtAddr{sc.rip}) || !is_canonical(VirtAddr{sc.rsp})) return false;
  uint8_t fpu[kFpuStateSize];
  if (sc.fpstate != 0) {
    if (sc.fpstate % kFpuStateAlign != 0 || !proc::memory::prepare(sc.fpstate, kFpuStateSize, false)) return false;
    memcpy(fpu, reinterpret_cast<const void*>(sc.fpstate), sizeof fpu);
  }

  TrapFrame& t = *frame;
  t.r8 = sc.r8, t.r9 = sc.r9, t.r10 = sc.r10, t.r11 = sc.r11, t.r12 = sc.r12, t.r13 = sc.r13;
  t.r14 = sc.r14, t.r15 = sc.r15, t.rdi = sc.rdi, t.rsi = sc.rsi, t.rbp = sc.rbp, t.rbx = sc.rbx;
  t.rdx = sc.rdx, t.rax = sc.rax, t.rcx = sc.rcx, t.rsp = sc.rsp, t.rip = sc.rip;
  t.rflags = (t.rflags & ~kUserFlagsMask) | (sc.eflags & kUserFlagsMask) | kFlagsFixed;
  t.cs = x86_64::kUserCode;
  t.ss = x86_64::kUserData;
  if (sc.fpstate != 0) {
    fpu_restore(fpu);
  } else {
    fpu_reset();
  }
  *mask = f.uc.sigmask;
  *altstack = f.uc.stack;
  return true;
}

}  // namespace silk::kernel::arch
