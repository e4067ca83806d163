// The dispatcher and the handlers of syscalls.def that are not about files
// (those are in {io,fd,path}_syscalls.cc). User pointers are checked and made
// present with proc::memory::prepare before the kernel touches them (one
// address space: the kernel reads and writes user memory directly).
#include "lib/profile.h"
#include "syscalls/syscalls.h"

#include "arch/cpu.h"
#include "arch/user.h"
#include "fs/durable/durable.h"
#include "lib/format.h"
#include "lib/string.h"
#include "platform/platform.h"
#include "proc/fd_table.h"
#include "proc/memory.h"
#include "proc/process.h"
#include "proc/thread.h"
#include "proc/signal.h"

extern "C" int syscall_dispatch(silk::kernel::arch::TrapFrame* frame);

namespace silk::kernel::syscalls {
namespace {

using Handler = int64_t (*)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

constexpr uint64_t kMaxSyscall = 512;

struct Table {
  Handler handlers[kMaxSyscall] = {};
  const char* names[kMaxSyscall] = {};
  constexpr Table() {
#define SYSCALL(nr, name) \
  handlers[nr] = &sys_##name; \
  names[nr] = #name;
#include "syscalls/syscalls.def"
#undef SYSCALL
  }
};
constexpr Table kTable;

uint64_t g_unknown_logged[kMaxSyscall / 64];

bool writable(uint64_t p, uint64_t n) { return proc::memory::prepare(p, n, true); }

[[noreturn]] void exit_process(uint64_t status) {
  int code = static_cast<int>(status & 0xff);
  kinfo("silk kernel: exit_group(%d)\n", code);
  profile::print(kTable.names);
  platform::halt(code);
}

}  // namespace

int64_t sys_mmap(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, uint64_t fd, uint64_t off) {
  constexpr uint64_t kMapAnonymous = 0x20;
  fs::File* file = nullptr;
  if ((flags & kMapAnonymous) == 0) {
    file = proc::fds::get(static_cast<int32_t>(fd));
    if (file == nullptr) return -kEbadf;
  }
  return proc::memory::mmap(addr, len, static_cast<int>(prot), static_cast<int>(flags), file, off);
}
int64_t sys_munmap(uint64_t addr, uint64_t len, uint64_t, uint64_t, uint64_t, uint64_t) {
  return proc::memory::munmap(addr, len);
}
int64_t sys_mprotect(uint64_t addr, uint64_t len, uint64_t prot, uint64_t, uint64_t, uint64_t) {
  return proc::memory::mprotect(addr, len, static_cast<int>(prot));
}
int64_t sys_brk(uint64_t addr, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return proc::memory::brk(addr); }

int64_t sys_getpid(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 1; }
int64_t sys_gettid(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return proc::thread::current_tid(); }
int64_t sys_set_tid_address(uint64_t address, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  proc::thread::set_clear_child_tid(address);
  return proc::thread::current_tid();
}
int64_t sys_set_robust_list(uint64_t, uint64_t len, uint64_t, uint64_t, uint64_t, uint64_t) {
  return len == 24 ? 0 : -kEinval;
}
int64_t sys_rseq(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return -kEnosys; }

// exit(2) ends the calling thread; the last thread's ends the process.
int64_t sys_exit(uint64_t status, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  proc::thread::exit_current();
  exit_process(status);
}
int64_t sys_exit_group(uint64_t status, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  exit_process(status);
}

int64_t sys_arch_prctl(uint64_t code, uint64_t addr, uint64_t, uint64_t, uint64_t, uint64_t) {
  constexpr uint64_t kSetFs = 0x1002, kGetFs = 0x1003;
  if (code == kSetFs) {
    if (addr >= proc::memory::kUserTop) return -kEperm;
    arch::set_fs_base(addr);
    return 0;
  }
  if (code == kGetFs) {
    if (!writable(addr, 8)) return -kEfault;
    *reinterpret_cast<uint64_t*>(addr) = arch::fs_base();
    return 0;
  }
  return -kEinval;
}

int64_t sys_uname(uint64_t buf, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  constexpr uint64_t kField = 65;
  if (!writable(buf, 6 * kField)) return -kEfault;
  static const char* const kFields[6] = {"Linux", "silk", "6.1.0-silk", "#1 silk unikernel", "x86_64", "(none)"};
  auto* p = reinterpret_cast<char*>(buf);
  memset(p, 0, 6 * kField);
  for (int i = 0; i < 6; ++i) copy_string(p + i * kField, kField, kFields[i]);
  return 0;
}

int64_t sys_clock_gettime(uint64_t clock, uint64_t ts, uint64_t, uint64_t, uint64_t, uint64_t) {
  // REALTIME(_COARSE, TAI) from the boot walltime + TSC; the CPU-time clocks
  // (PROCESS, THREAD) leave out the time slept; every other clock
  // (MONOTONIC, RAW, COARSE, BOOTTIME) is monotonic.
  if (clock > 11) return -kEinval;
  if (!writable(ts, 16)) return -kEfault;
  uint64_t ns = (clock == 0 || clock == 5 || clock == 11) ? proc::realtime_ns()
                : (clock == 2 || clock == 3)                ? proc::cpu_time_ns()
                                                            : proc::monotonic_ns();
  auto* out = reinterpret_cast<uint64_t*>(ts);
  out[0] = ns / 1000000000;
  out[1] = ns % 1000000000;
  return 0;
}

int64_t sys_prlimit64(uint64_t pid, uint64_t resource, uint64_t new_limit, uint64_t old_limit, uint64_t,
                      uint64_t) {
  constexpr uint64_t kInfinity = ~uint64_t{0};
  constexpr uint64_t kRlimitStack = 3, kRlimitNofile = 7;
  if (pid != 0 && pid != 1) return -kEsrch;
  if (resource >= 16) return -kEinval;
  if (old_limit != 0) {
    if (!writable(old_limit, 16)) return -kEfault;
    auto* out = reinterpret_cast<uint64_t*>(old_limit);
    out[0] = resource == kRlimitStack ? proc::memory::kStackSize : resource == kRlimitNofile ? 1024 : kInfinity;
    out[1] = resource == kRlimitNofile ? 1024 : kInfinity;
  }
  return new_limit != 0 ? -kEperm : 0;  // limits are fixed
}

int64_t sys_getrandom(uint64_t buf, uint64_t len, uint64_t flags, uint64_t, uint64_t, uint64_t) {
  if (len > (1u << 20)) len = 1u << 20;
  if (!writable(buf, len)) return -kEfault;
  auto* p = reinterpret_cast<uint8_t*>(buf);
  for (uint64_t i = 0; i < len; i += 8) {
    uint64_t v;
    if (!arch::random64(&v)) v = arch::read_timestamp() * 0x9e3779b97f4a7c15ull ^ (i * 0xbf58476d1ce4e5b9ull);
    memcpy(p + i, &v, len - i < 8 ? len - i : 8);
  }
  return static_cast<int64_t>(len);
}

}  // namespace silk::kernel::syscalls

namespace silk::kernel::syscalls {

void note_syscall_fault_path() {
  static bool noted = false;
  if (!noted) {
    noted = true;
    kinfo("silk kernel: SYSCALL stays in ring 3 on this hypervisor: system calls run from the #PF handler\n");
  }
}

namespace {

// silk's own call, outside Linux's numbers (src/common/boot_event.h): the
// runtime reports a boot milestone, which goes to the monitor (silk vm
// --trace-boot). Made only when uname's release names this kernel.
constexpr uint64_t kSilkBootEvent = 0x5111;

int64_t invoke(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5) {
  if (nr < kMaxSyscall && kTable.handlers[nr] != nullptr) {
    // A change to the disk's files is durable before the call returns.
    return fs::durable::finish(kTable.handlers[nr](a0, a1, a2, a3, a4, a5));
  }
  if (nr == kSilkBootEvent) {
    platform::boot_event(static_cast<uint32_t>(a0));
    return 0;
  }
  if (nr >= kMaxSyscall || (g_unknown_logged[nr / 64] & (1ull << (nr % 64))) == 0) {
    if (nr < kMaxSyscall) g_unknown_logged[nr / 64] |= 1ull << (nr % 64);
    kprintf("silk kernel: unimplemented system call %lu (-ENOSYS)\n", nr);
  }
  return -kEnosys;
}

}  // namespace

void run(arch::TrapFrame* frame) {
  uint64_t nr = frame->rax, start = profile::enabled() ? arch::read_timestamp() : 0;
  frame->rax = static_cast<uint64_t>(
      invoke(frame->rax, frame->rdi, frame->rsi, frame->rdx, frame->r10, frame->r8, frame->r9));
  if (profile::enabled()) profile::add(nr, arch::read_timestamp() - start);
  proc::signal::deliver_pending(frame);
}

}  // namespace silk::kernel::syscalls

// From syscall_entry (entry.S): nonzero when SYSRET may return.
extern "C" int syscall_dispatch(silk::kernel::arch::TrapFrame* frame) {
  silk::kernel::syscalls::run(frame);
  return silk::kernel::arch::can_sysret(*frame) ? 1 : 0;
}
