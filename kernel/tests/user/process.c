// The process-level system calls silk's runtime needs (kernel/syscalls:
// process_syscalls.cc, time_syscalls.cc, futex.cc, poll_syscalls.cc,
// memory_syscalls.cc): ids, sleeping (nanosleep and clock_nanosleep sleep at
// least as long as asked), clocks, futex (EAGAIN, ETIMEDOUT), poll, sysinfo,
// getrusage, times, madvise(MADV_DONTNEED) zeroing, mremap and mmap address
// reuse. Prints "process: N passed, M failed" and exits 0 when nothing
// failed.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <elf.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

static int passed, failed;

static void check(int ok, const char* what) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    printf("FAILED: %s (errno %d)\n", what, errno);
  }
}

static int64_t ns_of(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static long sys(long nr, long a, long b, long c, long d, long e, long f) {
  long r = syscall(nr, a, b, c, d, e, f);
  return r == -1 ? -errno : r;
}

static void test_ids(void) {
  check(getuid() == 0 && geteuid() == 0 && getgid() == 0 && getegid() == 0, "uid/gid 0");
  check(getpid() == 1 && getppid() == 0, "pid 1, ppid 0");
  check(getpgrp() == 1 && getpgid(0) == 1 && getsid(0) == 1, "process group and session 1");
  check(setpgid(0, 0) == -1 && errno == EPERM, "setpgid: EPERM");
  check(getpgid(42) == -1 && errno == ESRCH, "getpgid of another pid: ESRCH");
  cpu_set_t set;
  CPU_ZERO(&set);
  check(sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) == 1 && CPU_ISSET(0, &set),
        "sched_getaffinity: CPU 0 only");
  check(sched_yield() == 0, "sched_yield");
  check(sys(SYS_membarrier, 0, 0, 0, 0, 0, 0) > 0 &&
            sys(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0, 0, 0, 0) == 0,
        "membarrier: query, private expedited");
}

static void test_sleep_and_clocks(void) {
  int64_t t0 = ns_of(CLOCK_MONOTONIC);
  struct timespec req = {0, 20 * 1000000};
  check(nanosleep(&req, NULL) == 0, "nanosleep 20 ms");
  int64_t t1 = ns_of(CLOCK_MONOTONIC);
  check(t1 - t0 >= 20 * 1000000, "nanosleep slept at least 20 ms");
  check(sys(SYS_nanosleep, (long)&req, 0, 0, 0, 0, 0) == 0 && ns_of(CLOCK_MONOTONIC) - t1 >= 20 * 1000000,
        "SYS_nanosleep slept at least 20 ms");

  req.tv_nsec = 10 * 1000000;
  t0 = ns_of(CLOCK_MONOTONIC);
  check(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL) == 0 && ns_of(CLOCK_MONOTONIC) - t0 >= 10 * 1000000,
        "clock_nanosleep MONOTONIC relative 10 ms");
  int64_t deadline = ns_of(CLOCK_MONOTONIC) + 15 * 1000000;
  struct timespec abs = {deadline / 1000000000, deadline % 1000000000};
  check(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL) == 0 && ns_of(CLOCK_MONOTONIC) >= deadline,
        "clock_nanosleep MONOTONIC TIMER_ABSTIME");
  deadline = ns_of(CLOCK_REALTIME) + 15 * 1000000;
  abs.tv_sec = deadline / 1000000000;
  abs.tv_nsec = deadline % 1000000000;
  check(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &abs, NULL) == 0 && ns_of(CLOCK_REALTIME) >= deadline,
        "clock_nanosleep REALTIME TIMER_ABSTIME");
  abs.tv_sec = 0;  // in the past: returns at once
  t0 = ns_of(CLOCK_MONOTONIC);
  check(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL) == 0 && ns_of(CLOCK_MONOTONIC) - t0 < 1000000000,
        "clock_nanosleep to a past deadline returns");
  req.tv_nsec = 1000000000;
  check(nanosleep(&req, NULL) == -1 && errno == EINVAL, "nanosleep with tv_nsec = 1e9: EINVAL");
  req.tv_nsec = 1;
  check(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL) == EINVAL, "clock_nanosleep on a CPU clock: EINVAL");

  int monotonic = 1;
  int64_t prev = ns_of(CLOCK_MONOTONIC);
  for (int i = 0; i < 1000; ++i) {
    int64_t now = ns_of(CLOCK_MONOTONIC);
    if (now < prev) monotonic = 0;
    prev = now;
  }
  check(monotonic, "CLOCK_MONOTONIC never goes back");
  struct timespec res;
  check(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec == 1,
        "clock_getres MONOTONIC: 1 ns");
  check(clock_getres(CLOCK_REALTIME_COARSE, &res) == 0 && res.tv_nsec == 4000000, "clock_getres COARSE: 4 ms");
  check(clock_getres(99, &res) == -1 && errno == EINVAL, "clock_getres of a bad clock: EINVAL");
  struct timeval tv;
  check(gettimeofday(&tv, NULL) == 0 && tv.tv_sec > 1577836800 && tv.tv_usec >= 0 && tv.tv_usec < 1000000,
        "gettimeofday after 2020");
  time_t t = 0;
  time_t r = time(&t);
  check(r == t && (int64_t)r - tv.tv_sec >= 0 && (int64_t)r - tv.tv_sec <= 2, "time() agrees with gettimeofday");
  check(sys(SYS_time, 0, 0, 0, 0, 0, 0) >= tv.tv_sec, "SYS_time");
  check(sys(SYS_gettimeofday, (long)&tv, 0, 0, 0, 0, 0) == 0, "SYS_gettimeofday");

  // CPU time leaves out sleeping.
  int64_t c0 = ns_of(CLOCK_PROCESS_CPUTIME_ID);
  req.tv_nsec = 50 * 1000000;
  nanosleep(&req, NULL);
  int64_t c1 = ns_of(CLOCK_PROCESS_CPUTIME_ID);
  check(c1 >= c0 && c1 - c0 < 40 * 1000000, "CLOCK_PROCESS_CPUTIME_ID does not count a 50 ms sleep");
}

static void test_futex(void) {
  static uint32_t word = 7, other = 0x10;
  long uaddr = (long)&word;
  check(sys(SYS_futex, uaddr, FUTEX_WAIT, 8, 0, 0, 0) == -EAGAIN, "FUTEX_WAIT on another value: EAGAIN");
  check(sys(SYS_futex, uaddr, FUTEX_WAIT_PRIVATE, 8, 0, 0, 0) == -EAGAIN, "FUTEX_WAIT_PRIVATE: EAGAIN");
  struct timespec ts = {0, 10 * 1000000};
  int64_t t0 = ns_of(CLOCK_MONOTONIC);
  check(sys(SYS_futex, uaddr, FUTEX_WAIT_PRIVATE, 7, (long)&ts, 0, 0) == -ETIMEDOUT &&
            ns_of(CLOCK_MONOTONIC) - t0 >= 10 * 1000000,
        "FUTEX_WAIT with a 10 ms timeout: ETIMEDOUT after 10 ms");
  int64_t deadline = ns_of(CLOCK_MONOTONIC) + 10 * 1000000;
  struct timespec abs = {deadline / 1000000000, deadline % 1000000000};
  check(sys(SYS_futex, uaddr, FUTEX_WAIT_BITSET_PRIVATE, 7, (long)&abs, 0, FUTEX_BITSET_MATCH_ANY) == -ETIMEDOUT &&
            ns_of(CLOCK_MONOTONIC) >= deadline,
        "FUTEX_WAIT_BITSET absolute MONOTONIC: ETIMEDOUT at the deadline");
  deadline = ns_of(CLOCK_REALTIME) + 10 * 1000000;
  abs.tv_sec = deadline / 1000000000;
  abs.tv_nsec = deadline % 1000000000;
  check(sys(SYS_futex, uaddr, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 7, (long)&abs, 0, FUTEX_BITSET_MATCH_ANY) ==
                -ETIMEDOUT &&
            ns_of(CLOCK_REALTIME) >= deadline,
        "FUTEX_WAIT_BITSET absolute REALTIME: ETIMEDOUT at the deadline");
  check(sys(SYS_futex, uaddr, FUTEX_WAIT_BITSET, 7, (long)&abs, 0, 0) == -EINVAL, "FUTEX_WAIT_BITSET bitset 0: EINVAL");
  check(sys(SYS_futex, uaddr, FUTEX_WAKE, 1, 0, 0, 0) == 0 &&
            sys(SYS_futex, uaddr, FUTEX_WAKE_PRIVATE, 100, 0, 0, 0) == 0,
        "FUTEX_WAKE: nobody woken");
  check(sys(SYS_futex, uaddr + 1, FUTEX_WAKE, 1, 0, 0, 0) == -EINVAL, "misaligned futex: EINVAL");
  check(sys(SYS_futex, 16, FUTEX_WAIT, 0, 0, 0, 0) == -EFAULT, "futex on unmapped memory: EFAULT");
  // FUTEX_WAKE_OP: *uaddr2 |= 0x3.
  check(sys(SYS_futex, uaddr, FUTEX_WAKE_OP, 1, 1, (long)&other, FUTEX_OP(FUTEX_OP_OR, 3, FUTEX_OP_CMP_EQ, 0)) == 0 &&
            other == 0x13,
        "FUTEX_WAKE_OP applies its operation");
  check(sys(SYS_futex, uaddr, FUTEX_CMP_REQUEUE, 1, 1, (long)&other, 6) == -EAGAIN &&
            sys(SYS_futex, uaddr, FUTEX_CMP_REQUEUE, 1, 1, (long)&other, 7) == 0,
        "FUTEX_CMP_REQUEUE compares");
}

static void test_poll(void) {
  struct pollfd fds[2] = {{1, POLLOUT, 0}, {-1, POLLIN, 0}};
  check(poll(fds, 2, 1000) == 1 && fds[0].revents == POLLOUT && fds[1].revents == 0, "poll: stdout writable at once");
  int64_t t0 = ns_of(CLOCK_MONOTONIC);
  check(sys(SYS_poll, (long)&fds[1], 1, 20, 0, 0, 0) == 0 && ns_of(CLOCK_MONOTONIC) - t0 >= 20 * 1000000,
        "poll on nothing with a 20 ms timeout: 0 after 20 ms");
  struct timespec ts = {0, 15 * 1000000};
  t0 = ns_of(CLOCK_MONOTONIC);
  check(sys(SYS_ppoll, 0, 0, (long)&ts, 0, 8, 0) == 0 && ns_of(CLOCK_MONOTONIC) - t0 >= 15 * 1000000,
        "ppoll with a 15 ms timeout: 0 after 15 ms");
  // The tests' stdin is /dev/null (silk vm) or the PVH console, which has no
  // input: at its end, so readable, as on Linux.
  struct pollfd in = {0, POLLIN, 0};
  char byte;
  check(poll(&in, 1, 1000) == 1 && in.revents == POLLIN && read(0, &byte, 1) == 0, "poll on stdin at its end: POLLIN");
  struct pollfd bad = {5, POLLIN, 0};
  check(poll(&bad, 1, 0) == 1 && bad.revents == POLLNVAL, "poll on a closed fd: POLLNVAL");
  check(sys(SYS_poll, 16, 1, 0, 0, 0, 0) == -EFAULT, "poll on a bad pointer: EFAULT");
}

static void test_accounting(void) {
  struct sysinfo si;
  check(sysinfo(&si) == 0 && si.totalram > 0 && si.freeram > 0 && si.freeram <= si.totalram && si.procs == 1 &&
            si.mem_unit == 1,
        "sysinfo: RAM, one process");
  struct rusage ru;
  check(getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_maxrss > 0 && ru.ru_utime.tv_usec < 1000000,
        "getrusage(RUSAGE_SELF)");
  check(getrusage(RUSAGE_CHILDREN, &ru) == 0 && ru.ru_maxrss == 0, "getrusage(RUSAGE_CHILDREN): nothing");
  check(getrusage(7, &ru) == -1 && errno == EINVAL, "getrusage of a bad who: EINVAL");
  struct tms tm;
  clock_t c0 = times(&tm);
  struct timespec req = {0, 30 * 1000000};
  nanosleep(&req, NULL);
  clock_t c1 = times(&tm);
  check(c0 != (clock_t)-1 && c1 >= c0 + 2 && tm.tms_cutime == 0, "times: ticks advance by a 30 ms sleep");
}

static void test_memory(void) {
  // madvise(MADV_DONTNEED) zeroes anonymous memory, in 2 MiB leaves (an
  // aligned 4 MiB mapping) and in 4 KiB pages.
  size_t size = 4 << 20;
  unsigned char* p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  memset(p, 0xab, size);
  check(madvise(p + (1 << 20), (1 << 20) + 4096, MADV_DONTNEED) == 0, "madvise(MADV_DONTNEED)");
  int zeroed = 1, kept = 1;
  for (size_t i = 0; i < size; i += 512) {
    int inside = i >= (1 << 20) && i < (2 << 20) + 4096;
    if (inside && p[i] != 0) zeroed = 0;
    if (!inside && p[i] != 0xab) kept = 0;
  }
  check(zeroed, "MADV_DONTNEED: the range reads zero");
  check(kept, "MADV_DONTNEED: the rest keeps its contents");
  p[(1 << 20) + 5] = 1;
  check(p[(1 << 20) + 5] == 1 && p[(1 << 20) + 6] == 0, "MADV_DONTNEED memory is usable again");
  check(madvise(p, 4096, MADV_WILLNEED) == 0 && madvise(p + 1, 4096, MADV_DONTNEED) == -1 && errno == EINVAL,
        "madvise: other advice accepted; misaligned EINVAL");
  unsigned char* small = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  small[0] = 1;
  small[4096] = 2;
  madvise(small, 4096, MADV_DONTNEED);
  check(small[0] == 0 && small[4096] == 2, "MADV_DONTNEED on a 4 KiB page");

  // mremap: grow (moving), keep the contents, zero the new part; shrink.
  unsigned char* q = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (size_t i = 0; i < (1 << 20); i += 4096) q[i] = (unsigned char)(i >> 12);
  unsigned char* blocker =
      mmap(q + (1 << 20), 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  unsigned char* r = mremap(q, 1 << 20, 8 << 20, MREMAP_MAYMOVE);
  int same = r != MAP_FAILED;
  for (size_t i = 0; same && i < (1 << 20); i += 4096) same = r[i] == (unsigned char)(i >> 12);
  // (The blocker makes room to grow in place unlikely; a region right above
  // q, from an earlier mmap, does the same.)
  check(r != q && same, "mremap MREMAP_MAYMOVE: moved, contents kept");
  check(r != MAP_FAILED && r[(8 << 20) - 1] == 0 && r[(4 << 20)] == 0, "mremap: the new part is zero");
  check(r != MAP_FAILED && mremap(r, 8 << 20, 1 << 20, 0) == r && r[4096] == 1, "mremap: shrink in place");
  check(mremap(r, 1 << 20, 16 << 20, 0) != MAP_FAILED || errno == ENOMEM, "mremap without MAYMOVE grows or ENOMEM");
  if (blocker != MAP_FAILED) munmap(blocker, 4096);

  // munmapped ranges are reused.
  void* a = mmap(NULL, 3 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  memset(a, 0x5a, 3 << 20);
  munmap(a, 3 << 20);
  void* b = mmap(NULL, 3 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  check(a == b, "mmap reuses a freed range");
  check(((unsigned char*)b)[12345] == 0, "reused memory reads zero");
  munmap(b, 3 << 20);
  munmap(p, size);
}

// Memory that was used and freed comes back zeroed: more than the guest's
// RAM is mapped, filled and unmapped in rounds, so later rounds run on
// recycled 2 MiB blocks and 4 KiB frames (cleared by the kernel).
static void test_recycled_memory(void) {
  struct sysinfo si;
  sysinfo(&si);
  size_t big = 32 << 20, small = (1 << 20) + 12288;
  int rounds = (int)(si.totalram / big) + 4, dirty = 0, ok = 1;
  for (int r = 0; r < rounds && ok; ++r) {
    unsigned char* b = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char* s = mmap(NULL, small, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (b == MAP_FAILED || s == MAP_FAILED) {
      ok = 0;
      break;
    }
    for (size_t i = 0; i < big; i += 4096) dirty |= b[i + (i >> 12) % 4096] | b[i + 4095];
    for (size_t i = 0; i < small; i += 4096) dirty |= s[i] | s[i + 4095];
    memset(b, 0xa5, big);
    memset(s, 0x5a, small);
    munmap(b, big);
    munmap(s, small);
  }
  // A read-only mapping's first touch is a read: the page is cleared and
  // then made read-only.
  unsigned char* ro = mmap(NULL, 8 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (size_t i = 0; i < (8 << 20); i += 4096) dirty |= ro[i];
  munmap(ro, 8 << 20);
  check(ok && dirty == 0, "recycled memory reads zero (more than the guest's RAM mapped in rounds)");
}

static int64_t syscall_ns(clockid_t clock) {
  struct timespec t;
  sys(SYS_clock_gettime, clock, (long)&t, 0, 0, 0, 0);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

// A symbol of the vDSO at {base}, found as a dynamic loader does: PT_DYNAMIC,
// then DT_HASH (its nchain counts the symbols), DT_SYMTAB and DT_STRTAB.
static void* vdso_symbol(const unsigned char* base, const char* name) {
  const Elf64_Ehdr* eh = (const Elf64_Ehdr*)base;
  const Elf64_Phdr* ph = (const Elf64_Phdr*)(base + eh->e_phoff);
  const Elf64_Dyn* dyn = NULL;
  for (int i = 0; i < eh->e_phnum; ++i)
    if (ph[i].p_type == PT_DYNAMIC) dyn = (const Elf64_Dyn*)(base + ph[i].p_vaddr);
  if (dyn == NULL) return NULL;
  const uint32_t* hash = NULL;
  const Elf64_Sym* syms = NULL;
  const char* strs = NULL;
  for (; dyn->d_tag != DT_NULL; ++dyn) {
    if (dyn->d_tag == DT_HASH) hash = (const uint32_t*)(base + dyn->d_un.d_ptr);
    if (dyn->d_tag == DT_SYMTAB) syms = (const Elf64_Sym*)(base + dyn->d_un.d_ptr);
    if (dyn->d_tag == DT_STRTAB) strs = (const char*)(base + dyn->d_un.d_ptr);
  }
  if (hash == NULL || syms == NULL || strs == NULL) return NULL;
  for (uint32_t i = 0; i < hash[1]; ++i)
    if (syms[i].st_shndx != SHN_UNDEF && strcmp(strs + syms[i].st_name, name) == 0)
      return (void*)(base + syms[i].st_value);
  return NULL;
}

// The vDSO (AT_SYSINFO_EHDR): an ELF image whose __vdso_clock_gettime (what
// glibc calls for clock_gettime) reads the same clocks as the system call.
static void test_vdso(void) {
  const unsigned char* ehdr = (const unsigned char*)getauxval(AT_SYSINFO_EHDR);
  check(ehdr != NULL && memcmp(ehdr, "\177ELF", 4) == 0, "AT_SYSINFO_EHDR points at an ELF image (the vDSO)");
  if (ehdr == NULL) return;
  int (*vdso_gettime)(clockid_t, struct timespec*) =
      (int (*)(clockid_t, struct timespec*))vdso_symbol(ehdr, "__vdso_clock_gettime");
  check(vdso_gettime != NULL, "the vDSO exports __vdso_clock_gettime");
  if (vdso_gettime == NULL) return;
  int ordered = 1;
  for (int i = 0; i < 100; ++i) {
    struct timespec t;
    vdso_gettime(CLOCK_MONOTONIC, &t);
    int64_t a = (int64_t)t.tv_sec * 1000000000 + t.tv_nsec, b = syscall_ns(CLOCK_MONOTONIC);
    vdso_gettime(CLOCK_MONOTONIC, &t);
    int64_t c = (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
    if (!(a > 0 && a <= b && b <= c)) ordered = 0;
  }
  check(ordered, "CLOCK_MONOTONIC: __vdso_clock_gettime, system call, vDSO readings in order (100 times)");
  struct timespec vr;
  check(vdso_gettime(CLOCK_REALTIME, &vr) == 0 && vr.tv_sec > 1600000000, "__vdso_clock_gettime(CLOCK_REALTIME)");
  check(vdso_gettime(CLOCK_PROCESS_CPUTIME_ID, &vr) == 0, "__vdso_clock_gettime: CPU time through its system call");
  int64_t r1 = ns_of(CLOCK_REALTIME), r2 = syscall_ns(CLOCK_REALTIME), r3 = ns_of(CLOCK_REALTIME);
  check(r1 <= r2 && r2 <= r3, "CLOCK_REALTIME: vDSO and system call agree");
  struct timeval tv;
  gettimeofday(&tv, NULL);
  time_t t = time(NULL);
  check(tv.tv_sec > 1600000000 && (t == tv.tv_sec || t == tv.tv_sec + 1), "gettimeofday and time: the wall clock");
  struct timespec cpu;
  check(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0 && ns_of(CLOCK_PROCESS_CPUTIME_ID) <= ns_of(CLOCK_MONOTONIC),
        "CPU-time clocks still answered (by the system call)");
  errno = 0;
  check(clock_gettime(99, &cpu) == -1 && errno == EINVAL, "a bad clock id: EINVAL");
  struct timespec res;
  check(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0, "clock_getres");
}

int main(void) {
  test_ids();
  test_vdso();
  test_sleep_and_clocks();
  test_futex();
  test_poll();
  test_accounting();
  test_memory();
  test_recycled_memory();
  printf("process: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
