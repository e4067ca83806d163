// Signals in the kernel (kernel/proc/signal.h), checked the way silk's
// runtime uses them (src/wasm/runtime/trap_signal.cc: SIGSEGV on an
// alternate stack, SA_NODEFER, siglongjmp out of sigsetjmp(env, 0)) and the
// way Linux builds the frame. Prints "signals: N passed, M failed" and exits
// 0 when nothing failed.
//
// With an argument it ends the process on purpose (the boot tests check the
// status and the report): "blocked" faults with SIGSEGV blocked (killed by
// SIGSEGV although a handler is installed), "badstack" raises SIGUSR1 with
// its handler on an alternate stack that is not writable (SIGSEGV).
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <ucontext.h>
#include <unistd.h>

static int passed, failed;

static void check(int ok, const char* what) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    printf("FAILED: %s\n", what);
  }
}

static sigjmp_buf env;
static volatile int hits;
static siginfo_t last_info;
static volatile uintptr_t handler_local;  // address of a local in the last handler
static volatile int handler_ss_flags;
static volatile uint64_t handler_mask;     // the blocked mask inside the handler
static volatile uint64_t handler_uc_mask;  // uc_sigmask
static volatile int frame_layout_ok;
static char* altstack;
static const size_t kAltSize = 64 * 1024;

static uint64_t current_mask(void) {
  sigset_t s;
  sigprocmask(SIG_BLOCK, NULL, &s);
  uint64_t m;
  memcpy(&m, &s, sizeof m);
  return m;
}

static uint64_t bit(int signo) { return 1ull << (signo - 1); }

static int on_altstack(uintptr_t p) { return p >= (uintptr_t)altstack && p < (uintptr_t)altstack + kAltSize; }

// The kernel's frame: pretcode just below uc (RSP at entry = &pretcode, which
// is 8 mod 16), siginfo right after the 304-byte kernel ucontext, and the
// FXSAVE area 64-byte aligned above it.
static int layout_ok(siginfo_t* info, ucontext_t* uc) {
  uintptr_t u = (uintptr_t)uc, i = (uintptr_t)info, fp = (uintptr_t)uc->uc_mcontext.fpregs;
  return (u - 8) % 16 == 8 && i == u + 304 && fp % 64 == 0 && fp >= i + 128;
}

static void record(int sig, siginfo_t* info, void* ucv) {
  ucontext_t* uc = ucv;
  volatile char local = 0;
  ++hits;
  last_info = *info;
  handler_local = (uintptr_t)&local;
  stack_t ss;
  sigaltstack(NULL, &ss);
  handler_ss_flags = ss.ss_flags;
  handler_mask = current_mask();
  memcpy((void*)&handler_uc_mask, &uc->uc_sigmask, 8);
  frame_layout_ok = layout_ok(info, uc);
}

static void segv_longjmp(int sig, siginfo_t* info, void* uc) {
  record(sig, info, uc);
  siglongjmp(env, 1);
}

static void install(int sig, void (*fn)(int, siginfo_t*, void*), int flags, uint64_t extra_mask) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = fn;
  sa.sa_flags = SA_SIGINFO | flags;
  sigemptyset(&sa.sa_mask);
  for (int s = 1; s < 64; ++s) {
    if (extra_mask & bit(s)) sigaddset(&sa.sa_mask, s);
  }
  if (sigaction(sig, &sa, NULL) != 0) printf("sigaction(%d) failed\n", sig);
}

static char* nested_page;
static volatile int depth;
static volatile uintptr_t outer_local;

static void segv_nested(int sig, siginfo_t* info, void* uc) {
  volatile char local = 0;
  if (++depth == 1) {
    outer_local = (uintptr_t)&local;
    (void)*(volatile char*)(nested_page + 1);  // faults again, inside the handler
    return;
  }
  record(sig, info, uc);
  siglongjmp(env, 1);
}

// A read and a write of a PROT_NONE page, caught on the alternate stack and
// left with siglongjmp (savemask 0: the mask is not restored, so SA_NODEFER
// matters), 100 times over: nothing may leak from one trap to the next.
static void test_guard_page(void) {
  char* page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  install(SIGSEGV, segv_longjmp, SA_ONSTACK | SA_NODEFER, 0);
  hits = 0;
  int ok = 1;
  for (int i = 0; i < 100; ++i) {
    volatile char* p = page + (i * 97) % 4096;
    if (sigsetjmp(env, 0) == 0) {
      if (i % 2 == 0) {
        (void)*p;
      } else {
        *p = 1;
      }
      ok = 0;  // not reached
    }
    ok &= last_info.si_signo == SIGSEGV && last_info.si_code == SEGV_ACCERR && last_info.si_addr == (void*)p &&
          on_altstack(handler_local) && handler_ss_flags == SS_ONSTACK && frame_layout_ok;
  }
  check(ok && hits == 100, "PROT_NONE read/write: SIGSEGV SEGV_ACCERR, si_addr, on the alternate stack, 100 times");
  check((current_mask() & bit(SIGSEGV)) == 0, "SA_NODEFER + siglongjmp: SIGSEGV not blocked afterwards");

  // Outside every mapping: SEGV_MAPERR.
  munmap(page, 4096);
  if (sigsetjmp(env, 0) == 0) {
    (void)*(volatile char*)(page + 8);
  }
  check(last_info.si_code == SEGV_MAPERR && last_info.si_addr == page + 8, "unmapped: SEGV_MAPERR and si_addr");

  // Nested: a second fault inside the handler (SA_NODEFER) gets its own
  // frame further down the alternate stack.
  nested_page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  install(SIGSEGV, segv_nested, SA_ONSTACK | SA_NODEFER, 0);
  depth = 0;
  if (sigsetjmp(env, 0) == 0) {
    (void)*(volatile char*)nested_page;
  }
  check(depth == 2 && on_altstack(outer_local) && on_altstack(handler_local) && handler_local < outer_local &&
            last_info.si_addr == nested_page + 1,
        "a fault in the handler (SA_NODEFER): nested frame below the first on the alternate stack");
  munmap(nested_page, 4096);
  stack_t ss;
  sigaltstack(NULL, &ss);
  check(ss.ss_flags == 0 && ss.ss_sp == altstack && ss.ss_size == kAltSize, "sigaltstack reports the stack, not on it");
}

static char* fix_page;
static volatile int fixed;

static void segv_fix(int sig, siginfo_t* info, void* uc) {
  record(sig, info, uc);
  if (info->si_addr == fix_page + 100 && mprotect(fix_page, 4096, PROT_READ | PROT_WRITE) == 0) fixed = 1;
}

// A handler that makes the page RW and returns: rt_sigreturn re-runs the
// faulting instruction, which now succeeds.
static void test_fix_and_return(void) {
  fix_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  install(SIGSEGV, segv_fix, 0, 0);
  hits = 0;
  volatile char* p = fix_page + 100;
  *p = 42;  // faults once, then resumes
  check(fixed && hits == 1 && p[0] == 42, "fault fixed by mprotect in the handler, instruction re-run");
  check(last_info.si_code == SEGV_ACCERR, "write to a read-only page: SEGV_ACCERR");
  check((handler_mask & bit(SIGSEGV)) != 0 && (current_mask() & bit(SIGSEGV)) == 0,
        "without SA_NODEFER: blocked in the handler, unblocked after rt_sigreturn");
  check(!on_altstack(handler_local), "without SA_ONSTACK: on the current stack");
  munmap(fix_page, 4096);
}

static volatile uintptr_t fault_rip;

static void skip_insn(int sig, siginfo_t* info, void* ucv) {
  ucontext_t* uc = ucv;
  record(sig, info, ucv);
  fault_rip = uc->uc_mcontext.gregs[REG_RIP];
  uc->uc_mcontext.gregs[REG_RIP] += 2;  // div %ecx and ud2 are 2 bytes
}

// Integer divide by zero and ud2: si_code, si_addr = the RIP, and resuming
// at a RIP the handler changed.
static void test_fpe_ill(void) {
  install(SIGFPE, skip_insn, 0, 0);
  install(SIGILL, skip_insn, 0, 0);
  uintptr_t at;
  unsigned result;
  __asm__ volatile(
      "leaq 1f(%%rip), %0\n\t"
      "movl $7, %%eax\n\t"
      "xorl %%edx, %%edx\n\t"
      "xorl %%ecx, %%ecx\n"
      "1:\n\t"
      "divl %%ecx\n\t"  // f7 f1
      "movl $1234, %%eax\n\t"
      : "=&r"(at), "=&a"(result)
      :
      : "rcx", "rdx", "memory");
  check(last_info.si_signo == SIGFPE && last_info.si_code == FPE_INTDIV && last_info.si_addr == (void*)at &&
            fault_rip == at && result == 1234,
        "divide by zero: SIGFPE FPE_INTDIV, si_addr = RIP, resumed after it");
  __asm__ volatile(
      "leaq 1f(%%rip), %0\n"
      "1:\n\t"
      "ud2\n\t"
      : "=&r"(at)
      :
      : "memory");
  check(last_info.si_signo == SIGILL && last_info.si_code == ILL_ILLOPN && last_info.si_addr == (void*)at &&
            fault_rip == at,
        "ud2: SIGILL ILL_ILLOPN, si_addr = RIP");
}

static volatile int usr1_hits, usr2_hits;
static volatile uint64_t usr1_mask;

static void on_usr1(int sig, siginfo_t* info, void* uc) {
  record(sig, info, uc);
  ++usr1_hits;
  usr1_mask = current_mask();
}

static void on_usr2_plain(int sig) {
  ++usr2_hits;
  last_info.si_signo = sig;
}

// Every general register and RFLAGS (here DF) come back from the handler as
// they were at the fault: rt_sigreturn cannot return through SYSRET, which
// would lose RCX and R11.
// Global and used: the asm below names them, which the compiler cannot see.
__attribute__((used)) uint64_t regs_in[15], regs_out[15], flags_out;

static void test_registers(void) {
  install(SIGILL, skip_insn, 0, 0);
  for (int i = 0; i < 15; ++i) regs_in[i] = 0x1111111111111111ull * (uint64_t)(i + 1) ^ 0x0123456789abcdefull;
  __asm__ volatile(
      "subq $128, %%rsp\n\t"  // keep clear of the red zone
      "pushq %%rbp\n\t"
      "pushq %%rbx\n\t"
      "pushq %%r12\n\t"
      "pushq %%r13\n\t"
      "pushq %%r14\n\t"
      "pushq %%r15\n\t"
      "movq regs_in+0(%%rip), %%rax\n\t"
      "movq regs_in+8(%%rip), %%rbx\n\t"
      "movq regs_in+16(%%rip), %%rcx\n\t"
      "movq regs_in+24(%%rip), %%rdx\n\t"
      "movq regs_in+32(%%rip), %%rsi\n\t"
      "movq regs_in+40(%%rip), %%rdi\n\t"
      "movq regs_in+48(%%rip), %%rbp\n\t"
      "movq regs_in+56(%%rip), %%r8\n\t"
      "movq regs_in+64(%%rip), %%r9\n\t"
      "movq regs_in+72(%%rip), %%r10\n\t"
      "movq regs_in+80(%%rip), %%r11\n\t"
      "movq regs_in+88(%%rip), %%r12\n\t"
      "movq regs_in+96(%%rip), %%r13\n\t"
      "movq regs_in+104(%%rip), %%r14\n\t"
      "movq regs_in+112(%%rip), %%r15\n\t"
      "std\n\t"
      "ud2\n\t"
      "pushfq\n\t"
      "popq flags_out(%%rip)\n\t"
      "cld\n\t"
      "movq %%rax, regs_out+0(%%rip)\n\t"
      "movq %%rbx, regs_out+8(%%rip)\n\t"
      "movq %%rcx, regs_out+16(%%rip)\n\t"
      "movq %%rdx, regs_out+24(%%rip)\n\t"
      "movq %%rsi, regs_out+32(%%rip)\n\t"
      "movq %%rdi, regs_out+40(%%rip)\n\t"
      "movq %%rbp, regs_out+48(%%rip)\n\t"
      "movq %%r8, regs_out+56(%%rip)\n\t"
      "movq %%r9, regs_out+64(%%rip)\n\t"
      "movq %%r10, regs_out+72(%%rip)\n\t"
      "movq %%r11, regs_out+80(%%rip)\n\t"
      "movq %%r12, regs_out+88(%%rip)\n\t"
      "movq %%r13, regs_out+96(%%rip)\n\t"
      "movq %%r14, regs_out+104(%%rip)\n\t"
      "movq %%r15, regs_out+112(%%rip)\n\t"
      "popq %%r15\n\t"
      "popq %%r14\n\t"
      "popq %%r13\n\t"
      "popq %%r12\n\t"
      "popq %%rbx\n\t"
      "popq %%rbp\n\t"
      "addq $128, %%rsp"
      :
      :
      : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc");
  int same = 1;
  for (int i = 0; i < 15; ++i) same &= regs_out[i] == regs_in[i];
  check(same, "all general registers (RCX and R11 too) preserved across a handler");
  check((flags_out & 0x400) != 0, "RFLAGS.DF preserved across a handler (which ran with DF clear)");
}

// raise, kill, the mask, sa_mask, SA_NODEFER, pending signals and
// SA_RESETHAND.
static void test_raise_and_mask(void) {
  install(SIGUSR1, on_usr1, 0, bit(SIGUSR2));
  uint64_t before = current_mask();
  raise(SIGUSR1);
  check(
      usr1_hits == 1 && last_info.si_signo == SIGUSR1 && last_info.si_code == SI_TKILL && last_info.si_pid == getpid(),
      "raise(SIGUSR1): the handler runs, SI_TKILL from our pid");
  check((usr1_mask & bit(SIGUSR1)) && (usr1_mask & bit(SIGUSR2)) && handler_uc_mask == before,
        "in the handler: the signal and sa_mask blocked; uc_sigmask is the old mask");
  check(current_mask() == before, "after the handler: the mask is restored");

  install(SIGUSR1, on_usr1, SA_NODEFER, 0);
  raise(SIGUSR1);
  check(usr1_hits == 2 && (usr1_mask & bit(SIGUSR1)) == 0, "SA_NODEFER: not blocked in the handler");

  kill(getpid(), SIGUSR1);
  check(usr1_hits == 3 && last_info.si_code == SI_USER, "kill(getpid()): SI_USER");

  // Blocked: pending until unblocked, then delivered once.
  sigset_t s, old;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR1);
  sigprocmask(SIG_BLOCK, &s, &old);
  raise(SIGUSR1);
  raise(SIGUSR1);
  sigset_t pend;
  sigpending(&pend);
  check(usr1_hits == 3 && sigismember(&pend, SIGUSR1), "blocked: pending, not delivered");
  sigprocmask(SIG_SETMASK, &old, NULL);
  check(usr1_hits == 4, "unblocked: delivered once");

  // Ignored: dropped.
  signal(SIGUSR2, SIG_IGN);
  raise(SIGUSR2);
  check(usr2_hits == 0, "SIG_IGN: nothing happens");

  // Plain handler (no SA_SIGINFO) with SA_RESETHAND.
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr2_plain;
  sa.sa_flags = SA_RESETHAND;
  sigaction(SIGUSR2, &sa, NULL);
  raise(SIGUSR2);
  struct sigaction now;
  sigaction(SIGUSR2, NULL, &now);
  check(usr2_hits == 1 && now.sa_handler == SIG_DFL, "SA_RESETHAND: handler once, then SIG_DFL");

  // Invalid requests.
  check(sigaction(SIGKILL, &sa, NULL) == -1, "sigaction(SIGKILL) refused");
  check(kill(12345, SIGUSR1) == -1, "kill of another pid: ESRCH");
}

// sigaltstack's checks and reports.
static void test_sigaltstack(void) {
  stack_t ss, old;
  memset(&ss, 0, sizeof ss);
  ss.ss_sp = altstack;
  ss.ss_size = 1024;  // below MINSIGSTKSZ
  check(sigaltstack(&ss, NULL) == -1, "sigaltstack below MINSIGSTKSZ: ENOMEM");
  ss.ss_size = kAltSize;
  ss.ss_flags = 0x10;
  check(sigaltstack(&ss, NULL) == -1, "sigaltstack with bad flags: EINVAL");
  ss.ss_flags = SS_DISABLE;
  check(sigaltstack(&ss, &old) == 0 && old.ss_sp == altstack && old.ss_flags == 0, "sigaltstack disable");
  sigaltstack(NULL, &old);
  check(old.ss_flags == SS_DISABLE, "disabled: SS_DISABLE reported");
  ss.ss_flags = 0;
  check(sigaltstack(&ss, NULL) == 0, "sigaltstack set again");
}

// The FPU/SSE state: XMM registers and MXCSR survive a handler that changes
// them; the handler starts with the default MXCSR; the saved area holds the
// interrupted values, and a change to it is what rt_sigreturn restores.
static volatile uint32_t handler_mxcsr;
static volatile uint64_t saved_xmm0_low;

static void clobber_fpu(int sig, siginfo_t* info, void* ucv) {
  ucontext_t* uc = ucv;
  record(sig, info, ucv);
  uint32_t mxcsr;
  __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
  handler_mxcsr = mxcsr;
  memcpy((void*)&saved_xmm0_low, &uc->uc_mcontext.fpregs->_xmm[0], 8);
  uc->uc_mcontext.fpregs->_xmm[1].element[0] = 0x600df00d;  // becomes xmm1
  uint32_t other = 0x7f80;                                  // round toward zero
  __asm__ volatile(
      "pcmpeqd %%xmm0, %%xmm0\n\t"
      "pcmpeqd %%xmm1, %%xmm1\n\t"
      "pcmpeqd %%xmm8, %%xmm8\n\t"
      "pcmpeqd %%xmm15, %%xmm15\n\t"
      "ldmxcsr %0"
      :
      : "m"(other)
      : "xmm0", "xmm1", "xmm8", "xmm15");
  uc->uc_mcontext.gregs[REG_RIP] += 2;
}

static void test_fpu(void) {
  install(SIGILL, clobber_fpu, 0, 0);
  uint64_t in[4][2] = {{0x1111222233334444, 0x5555666677778888}, {1, 2}, {0x0123456789abcdef, 42}, {7, 0xfeed}};
  uint64_t out[4][2];
  uint32_t mxcsr_in = 0x3f80;  // round down, all exceptions masked
  uint32_t mxcsr_default = 0x1f80, mxcsr_out;
  __asm__ volatile(
      "ldmxcsr %[mi]\n\t"
      "movdqu 0(%[in]), %%xmm0\n\t"
      "movdqu 16(%[in]), %%xmm1\n\t"
      "movdqu 32(%[in]), %%xmm8\n\t"
      "movdqu 48(%[in]), %%xmm15\n\t"
      "ud2\n\t"
      "movdqu %%xmm0, 0(%[out])\n\t"
      "movdqu %%xmm1, 16(%[out])\n\t"
      "movdqu %%xmm8, 32(%[out])\n\t"
      "movdqu %%xmm15, 48(%[out])\n\t"
      "stmxcsr %[mo]\n\t"
      "ldmxcsr %[md]"
      : [mo] "=m"(mxcsr_out)
      : [in] "r"(in), [out] "r"(out), [mi] "m"(mxcsr_in), [md] "m"(mxcsr_default)
      : "xmm0", "xmm1", "xmm8", "xmm15", "memory");
  check(out[0][0] == in[0][0] && out[0][1] == in[0][1] && out[2][0] == in[2][0] && out[2][1] == in[2][1] &&
            out[3][0] == in[3][0] && out[3][1] == in[3][1],
        "xmm0, xmm8, xmm15 preserved across a handler that clobbers them");
  check(out[1][0] == 0x600df00d && out[1][1] == 2, "xmm1 as the handler changed it in the saved area");
  check(mxcsr_out == mxcsr_in, "MXCSR preserved");
  check(handler_mxcsr == 0x1f80, "the handler starts with the default MXCSR");
  check(saved_xmm0_low == in[0][0], "uc_mcontext.fpregs holds the interrupted xmm0");
}

static void die_blocked(void) {
  install(SIGSEGV, segv_longjmp, 0, 0);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGSEGV);
  sigprocmask(SIG_BLOCK, &s, NULL);
  printf("signals: faulting with SIGSEGV blocked\n");
  fflush(stdout);
  *(volatile int*)16 = 1;
  printf("signals: still alive\n");
}

static void die_badstack(void) {
  char* ro = mmap(NULL, 65536, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  stack_t ss = {.ss_sp = ro, .ss_size = 65536, .ss_flags = 0};
  sigaltstack(&ss, NULL);
  install(SIGUSR1, on_usr1, SA_ONSTACK, 0);
  printf("signals: raising SIGUSR1 onto a read-only alternate stack\n");
  fflush(stdout);
  raise(SIGUSR1);
  printf("signals: still alive\n");
}

// signalfd and sigtimedwait: blocked signals sent to the process itself wait
// in the pending set until they are taken; epoll sees the signalfd readable.
static void test_signalfd_sigtimedwait(void) {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR2);
  sigaddset(&s, SIGTERM);
  sigprocmask(SIG_BLOCK, &s, NULL);
  int sfd = signalfd(-1, &s, SFD_NONBLOCK | SFD_CLOEXEC);
  check(sfd >= 0, "signalfd created");
  struct signalfd_siginfo si;
  check(read(sfd, &si, sizeof si) == -1 && errno == EAGAIN, "signalfd: nothing pending: EAGAIN");
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 7};
  check(epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev) == 0, "signalfd in an epoll set");
  struct epoll_event got;
  check(epoll_wait(ep, &got, 1, 0) == 0, "epoll: signalfd not ready before a signal");
  kill(getpid(), SIGTERM);
  check(epoll_wait(ep, &got, 1, 1000) == 1 && got.data.u32 == 7 && (got.events & EPOLLIN),
        "epoll: signalfd readable once SIGTERM is pending");
  struct pollfd pfd = {.fd = sfd, .events = POLLIN};
  check(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN), "poll: signalfd readable");
  check(read(sfd, &si, sizeof si) == sizeof si && si.ssi_signo == SIGTERM && si.ssi_code == SI_USER,
        "signalfd read: SIGTERM, SI_USER");
  check(read(sfd, &si, sizeof si) == -1 && errno == EAGAIN, "signalfd: the signal was taken");
  check(epoll_wait(ep, &got, 1, 0) == 0, "epoll: not ready after the read");

  struct timespec short_wait = {0, 20 * 1000 * 1000};
  siginfo_t info;
  errno = 0;
  check(sigtimedwait(&s, &info, &short_wait) == -1 && errno == EAGAIN, "sigtimedwait: nothing in 20 ms: EAGAIN");
  raise(SIGUSR2);
  memset(&info, 0, sizeof info);
  check(sigtimedwait(&s, &info, &short_wait) == SIGUSR2 && info.si_signo == SIGUSR2,
        "sigtimedwait takes a pending SIGUSR2");
  int sig = 0;
  kill(getpid(), SIGUSR2);
  check(sigwait(&s, &sig) == 0 && sig == SIGUSR2, "sigwait returns the pending SIGUSR2");
  check((sigpending(&s), sigismember(&s, SIGUSR2)) == 0, "SIGUSR2 no longer pending");
  close(ep);
  close(sfd);
  sigemptyset(&s);
  sigaddset(&s, SIGUSR2);
  sigaddset(&s, SIGTERM);
  sigprocmask(SIG_UNBLOCK, &s, NULL);
}

int main(int argc, char** argv) {
  altstack = mmap(NULL, kAltSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (argc > 1 && strcmp(argv[1], "blocked") == 0) die_blocked();
  if (argc > 1 && strcmp(argv[1], "badstack") == 0) die_badstack();
  if (argc > 1) return 2;
  stack_t ss, old;
  sigaltstack(NULL, &old);
  check(old.ss_flags == SS_DISABLE, "no alternate stack at start: SS_DISABLE");
  ss.ss_sp = altstack;
  ss.ss_size = kAltSize;
  ss.ss_flags = 0;
  check(sigaltstack(&ss, NULL) == 0, "sigaltstack set");
  test_guard_page();
  test_fix_and_return();
  test_fpe_ill();
  test_registers();
  test_raise_and_mask();
  test_sigaltstack();
  test_fpu();
  test_signalfd_sigtimedwait();
  printf("signals: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
