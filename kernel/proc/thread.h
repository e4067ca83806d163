// The process's threads (clone with CLONE_THREAD, as glibc's pthread_create
// makes them). Each has its own kernel stack, FS base (TLS), FPU registers,
// signal mask and alternate stack, tid and clear_child_tid; everything else
// is the process's. One CPU and no preemption: a thread runs until it waits
// (event::wait_step, a sleep, a futex) or exits, and then the next one in the
// ring runs. When every thread waits and nothing changed since each last
// looked, the CPU blocks in the network poll until a frame arrives, the
// earliest deadline passes, or the host sends a signal.
#pragma once

#include <stdint.h>

namespace silk::kernel::proc::thread {

// The clone flags this kernel reads (uapi linux/sched.h); CLONE_FS, _FILES
// and _SYSVSEM are implied (one process) and ignored.
inline constexpr uint64_t kCloneVm = 0x100, kCloneSighand = 0x800, kCloneThread = 0x10000, kCloneSettls = 0x80000,
                          kCloneParentSettid = 0x100000, kCloneChildCleartid = 0x200000,
                          kCloneChildSettid = 0x1000000;

// The running thread's id (the first thread is 1, the process's pid).
int current_tid();
// Live threads.
int count();
bool exists(int tid);

// clone(2) for a thread: {stack} its user stack, {tls} its FS base with
// CLONE_SETTLS. The new thread's id, or -errno: -ENOSYS for anything but a
// thread (no fork), -EINVAL without a stack, -ENOMEM.
int64_t clone(uint64_t flags, uint64_t stack, uint64_t parent_tid, uint64_t child_tid, uint64_t tls);

// set_tid_address: *{address} = 0 and a futex wake there when this thread exits.
void set_clear_child_tid(uint64_t address);

// exit(2) of the running thread: its clear_child_tid is cleared and woken,
// and the next thread runs. The last thread's exit ends the process (returns
// false: the caller halts with the status).
bool exit_current();

// One step of a wait that ends at {deadline} (monotonic ns): lets the other
// threads run, and blocks the CPU only when all of them wait too. Only with
// count() > 1.
void wait(uint64_t deadline);

// sched_yield: the next thread runs, if there is one.
void yield();

}  // namespace silk::kernel::proc::thread
