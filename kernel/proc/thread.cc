#include "proc/thread.h"

#include "arch/fpu.h"
#include "arch/trap_frame.h"
#include "arch/user.h"
#include "event/wait.h"
#include "lib/clock.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "mm/heap.h"
#include "net/net.h"
#include "proc/futex.h"
#include "proc/signal.h"
#include "proc/sleep.h"
#include "syscalls/user_copy.h"

namespace silk::kernel::proc::thread {
namespace {

constexpr uint64_t kKernelStackSize = 64 * 1024;
constexpr uint64_t kMaxBlockNs = 1'000'000'000ull;  // block at most 1 s at a time

struct Thread {
  alignas(16) uint8_t fpu[arch::kFpuStateSize];  // FXSAVE area while switched out
  int tid;
  uint64_t saved_rsp;        // its kernel context while switched out
  uint64_t kernel_stack_top;
  uint8_t* kernel_stack;     // nullptr for the first thread (the boot's syscall stack)
  uint64_t fs_base;
  signal::ThreadState signals;
  uint64_t clear_child_tid;
  bool waiting;              // inside wait(): nothing to do until something changes
  uint64_t deadline;         // of that wait
  uint64_t seen;             // event::generation() when it last found nothing
  Thread* next;              // the ring of live threads
};

Thread g_first{};            // tid 1: the thread the process started with
Thread* g_current = nullptr;
Thread* g_zombie = nullptr;  // an exited thread whose stack is freed by the next one
int g_count = 1;
int g_next_tid = 2;

Thread* current() {
  if (g_current == nullptr) {
    g_first.tid = 1;
    g_first.kernel_stack_top = arch::kernel_stack();
    g_first.next = &g_first;
    g_current = &g_first;
  }
  return g_current;
}

void reap() {
  if (g_zombie == nullptr) return;
  mm::heap::release(g_zombie->kernel_stack);
  mm::heap::release(g_zombie);
  g_zombie = nullptr;
}

// Saves what is the running thread's own, loads {next}'s and continues it;
// returns when this thread is switched back to.
void switch_to(Thread* next, bool save) {
  Thread* self = g_current;
  if (save) {
    self->fs_base = arch::fs_base();
    arch::fpu_save(self->fpu);
    self->signals = signal::thread_state();
  }
  g_current = next;
  arch::set_kernel_stack(next->kernel_stack_top);
  arch::set_fs_base(next->fs_base);
  arch::fpu_restore(next->fpu);
  signal::set_thread_state(next->signals);
  uint64_t discard = 0;
  arch::switch_context(save ? &self->saved_rsp : &discard, next->saved_rsp);
  reap();
}

// A thread with nothing to do: it waits, has looked since the last change
// (event::generation) and its deadline has not passed.
bool idle(const Thread* t, uint64_t generation, uint64_t now) {
  return t->waiting && t->seen == generation && t->deadline > now;
}

// The next thread after {self} in the ring that has something to do, else
// {self} if it has, else nullptr (everyone is idle).
Thread* next_busy(Thread* self) {
  uint64_t generation = event::generation(), now = monotonic_ns();
  for (Thread* t = self->next; t != self; t = t->next)
    if (!idle(t, generation, now)) return t;
  return idle(self, generation, now) ? nullptr : self;
}

uint64_t earliest_deadline() {
  uint64_t earliest = g_current->deadline;
  for (Thread* t = g_current->next; t != g_current; t = t->next)
    if (t->deadline < earliest) earliest = t->deadline;
  return earliest;
}

}  // namespace

int current_tid() { return current()->tid; }
int count() { return g_count; }

bool exists(int tid) {
  Thread* self = current();
  Thread* t = self;
  do {
    if (t->tid == tid) return true;
    t = t->next;
  } while (t != self);
  return false;
}

int64_t clone(uint64_t flags, uint64_t stack, uint64_t parent_tid, uint64_t child_tid, uint64_t tls) {
  Thread* self = current();
  constexpr uint64_t kThreadFlags = kCloneVm | kCloneSighand | kCloneThread;
  if ((flags & kThreadFlags) != kThreadFlags) {
    static bool said = false;
    if (!said) {
      said = true;
      kinfo("silk kernel: clone without CLONE_THREAD: no child processes in this kernel (-ENOSYS)\n");
    }
    return -err::kNosys;
  }
  if (stack == 0) return -err::kInval;
  auto* t = static_cast<Thread*>(mm::heap::allocate(sizeof(Thread), 16));
  auto* kstack = static_cast<uint8_t*>(mm::heap::allocate(kKernelStackSize, 16));
  if (t == nullptr || kstack == nullptr) {
    if (t != nullptr) mm::heap::release(t);
    if (kstack != nullptr) mm::heap::release(kstack);
    return -err::kNomem;
  }
  *t = Thread{};
  t->tid = g_next_tid++;
  t->kernel_stack = kstack;
  t->kernel_stack_top = reinterpret_cast<uint64_t>(kstack) + kKernelStackSize;
  // The child returns from the same system call with 0, on its own stack.
  arch::TrapFrame frame = *arch::user_frame();
  frame.rax = 0;
  frame.rsp = stack;
  t->saved_rsp = arch::prepare_thread_start(t->kernel_stack_top, &frame, sizeof frame);
  t->fs_base = (flags & kCloneSettls) != 0 ? tls : arch::fs_base();
  arch::fpu_save(t->fpu);  // the parent's registers, as clone copies them
  t->signals = signal::new_thread_state(signal::thread_state());
  if ((flags & kCloneChildCleartid) != 0) t->clear_child_tid = child_tid;
  auto tid = static_cast<uint32_t>(t->tid);
  if ((flags & kCloneParentSettid) != 0 && !syscalls::copy_out(parent_tid, tid)) goto fault;
  if ((flags & kCloneChildSettid) != 0 && !syscalls::copy_out(child_tid, tid)) goto fault;
  t->next = self->next;
  self->next = t;
  ++g_count;
  event::notify(nullptr, 0);  // a thread that has not run yet is never idle
  return t->tid;
fault:
  mm::heap::release(kstack);
  mm::heap::release(t);
  return -err::kFault;
}

void set_clear_child_tid(uint64_t address) { current()->clear_child_tid = address; }

bool exit_current() {
  Thread* self = current();
  if (g_count == 1) return false;
  if (self->clear_child_tid != 0) {
    // pthread_join waits for this word to become 0 (CLONE_CHILD_CLEARTID).
    if (syscalls::copy_out(self->clear_child_tid, uint32_t{0})) futex::wake(self->clear_child_tid, 1, futex::kAnyBit);
  }
  Thread* prev = self;
  while (prev->next != self) prev = prev->next;
  prev->next = self->next;
  --g_count;
  event::notify(nullptr, 0);
  reap();
  if (self->kernel_stack != nullptr) g_zombie = self;  // freed once off its stack
  switch_to(self->next, false);
  __builtin_unreachable();
}

void wait(uint64_t deadline) {
  Thread* self = current();
  self->waiting = true;
  self->deadline = deadline;
  self->seen = event::generation();
  for (;;) {
    Thread* next = next_busy(self);
    if (next == self) break;  // this thread's own condition may hold now
    if (next != nullptr) {
      switch_to(next, true);
      break;
    }
    // Everyone has looked and nothing changed: the CPU waits for the network
    // (frames are pumped only here, or when a thread polls itself), the
    // earliest deadline or the host.
    uint64_t earliest = earliest_deadline(), now = monotonic_ns();
    net::poll(earliest > now ? (earliest - now < kMaxBlockNs ? earliest - now : kMaxBlockNs) : 0);
    uint64_t end = monotonic_ns();
    add_slept(end > now ? end - now : 0);  // the CPU-time clocks leave it out
    event::take_host_signal();
  }
  self->waiting = false;
}

void yield() {
  Thread* self = current();
  Thread* next = next_busy(self);
  if (next != nullptr && next != self) switch_to(next, true);
}

}  // namespace silk::kernel::proc::thread
