// Turns a fault in a memory's guard region into the trap "out of bounds
// memory access" (ENGINE.md: guard pages instead of bounds checks).
//
// The handler runs on an alternate signal stack. If the faulting address lies
// in the reservation of a memory of the store that is executing on this
// thread, it jumps back to that store's innermost call() (see GuardedCall);
// between there and the fault are only interpreter handlers, which own no
// resources. Any other fault goes to the previous handler (or the default
// action), so real crashes still crash.
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>

#include <cstdlib>
#include <mutex>

#include "wasm/runtime/objects.h"

namespace silk::wasm {

namespace {

struct sigaction g_previous_segv;
struct sigaction g_previous_bus;
thread_local GuardedCall* t_current = nullptr;

// An alternate signal stack for this thread, made only when the thread has
// none (sanitizers install their own) and released when the thread ends.
struct AltStack {
  void* base = nullptr;
  size_t size = 0;
  bool checked = false;
  ~AltStack() {
    if (!base) return;
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, nullptr);
    munmap(base, size);
  }
};
thread_local AltStack t_altstack;
constexpr size_t kAltStackSize = 64 * 1024;

bool address_in_store_memory(Store::Impl* store, uintptr_t addr) {
  for (const auto& m : store->memories) {
    uintptr_t base = reinterpret_cast<uintptr_t>(m->base);
    if (addr >= base && addr - base < m->reserved) return true;
  }
  return false;
}

void forward(const struct sigaction& previous, int sig, siginfo_t* info, void* uctx) {
  if (previous.sa_flags & SA_SIGINFO) {
    if (previous.sa_sigaction) previous.sa_sigaction(sig, info, uctx);
    return;
  }
  if (previous.sa_handler == SIG_IGN) return;
  if (previous.sa_handler == SIG_DFL) {
    // Restore the default action; returning re-executes the faulting
    // instruction, which now kills the process as it should.
    signal(sig, SIG_DFL);
    return;
  }
  previous.sa_handler(sig);
}

void on_fault(int sig, siginfo_t* info, void* uctx) {
  GuardedCall* g = t_current;
  // A fault inside a host function is the host's bug, not a wasm trap.
  if (g && !g->store->exec.in_host &&
      address_in_store_memory(g->store, reinterpret_cast<uintptr_t>(info->si_addr))) {
    // If another handler ran ours with the signal blocked (libFuzzer and
    // sanitizers wrap handlers), leaving by siglongjmp would keep it
    // blocked and make the next trap fatal: unblock it first.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGSEGV);
    sigaddset(&set, SIGBUS);
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
    siglongjmp(g->jump, 1);
  }
  forward(sig == SIGSEGV ? g_previous_segv : g_previous_bus, sig, info, uctx);
}

void ensure_altstack() {
  if (t_altstack.checked) return;
  t_altstack.checked = true;
  stack_t current{};
  if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE) && current.ss_size >= kAltStackSize)
    return;  // the thread already has one that is big enough
  void* p = mmap(nullptr, kAltStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return;
  stack_t ss{};
  ss.ss_sp = p;
  ss.ss_size = kAltStackSize;
  if (sigaltstack(&ss, nullptr) != 0) {
    munmap(p, kAltStackSize);
    return;
  }
  t_altstack.base = p;
  t_altstack.size = kAltStackSize;
}

}  // namespace

GuardedCall*& current_guarded_call() { return t_current; }

void install_trap_signal_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa{};
    sa.sa_sigaction = on_fault;
    sigemptyset(&sa.sa_mask);
    // SA_NODEFER: we leave the handler by siglongjmp without restoring the
    // signal mask, so the signal must not be blocked while it runs.
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigaction(SIGSEGV, &sa, &g_previous_segv);
    sigaction(SIGBUS, &sa, &g_previous_bus);
  });
  ensure_altstack();
}

}  // namespace silk::wasm
