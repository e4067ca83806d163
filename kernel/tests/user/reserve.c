// Memory at the scale silk's runtime uses it (kernel/proc/memory.h): an
// 8 GiB PROT_NONE + MAP_NORESERVE reservation per wasm memory, made RW a
// part at a time with mprotect, and a 64 MiB value stack mapped PROT_NONE and
// made RW at once. Reserves 8 GiB, makes 1 GiB of it RW, writes a pattern to
// every page of that GiB and reads it back (one word per page, plus whole
// sampled pages, which must otherwise be zero), checks that the rest of the
// reservation still faults, unmaps it, and checks that the memory came back
// and that the address range is reused. Needs about 1.2 GiB of guest RAM.
// Prints "reserve: ... ok" and exits 0, or "reserve: FAILED ..." and 1.
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <time.h>

static const size_t kGiB = 1ull << 30;
static const size_t kPage = 4096;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static unsigned long free_mib(void) {
  struct sysinfo si;
  if (sysinfo(&si) != 0) return 0;
  return si.freeram * si.mem_unit >> 20;
}

static int fail(const char* what) {
  printf("reserve: FAILED: %s\n", what);
  return 1;
}

static sigjmp_buf env;
static void on_segv(int sig, siginfo_t* info, void* uc) { siglongjmp(env, 1); }

static int faults(volatile char* p) {
  if (sigsetjmp(env, 0) == 0) {
    (void)*p;
    return 0;
  }
  return 1;
}

static uint64_t pattern(size_t page) { return (page + 1) * 0x9e3779b97f4a7c15ull; }

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGSEGV, &sa, NULL);

  unsigned long free_before = free_mib();
  double t0 = now();
  char* base = mmap(NULL, 8 * kGiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) return fail("mmap of 8 GiB PROT_NONE");
  if ((uintptr_t)base % (2 << 20) != 0) return fail("a large mapping is not 2 MiB aligned");
  double t1 = now();
  if (mprotect(base, kGiB, PROT_READ | PROT_WRITE) != 0) return fail("mprotect of 1 GiB RW");
  double t2 = now();

  const size_t pages = kGiB / kPage;
  for (size_t i = 0; i < pages; ++i) {
    uint64_t* word = (uint64_t*)(base + i * kPage + (i % 512) * 8);
    *word = pattern(i);
  }
  double t3 = now();
  size_t bad = 0;
  for (size_t i = 0; i < pages; ++i) {
    if (*(uint64_t*)(base + i * kPage + (i % 512) * 8) != pattern(i)) ++bad;
  }
  // Sampled whole pages: the pattern word and zeros everywhere else.
  for (size_t i = 0; i < pages; i += 4099) {
    const uint64_t* w = (const uint64_t*)(base + i * kPage);
    for (size_t k = 0; k < kPage / 8; ++k) {
      if (w[k] != (k == i % 512 ? pattern(i) : 0)) ++bad;
    }
  }
  double t4 = now();
  if (bad != 0) return fail("pattern mismatch");
  unsigned long free_touched = free_mib();

  if (!faults(base + kGiB) || !faults(base + 8 * kGiB - 1) || !faults(base + 3 * kGiB + 12345)) {
    return fail("the PROT_NONE part did not fault");
  }
  if (mprotect(base + kGiB - kPage, kPage, PROT_NONE) != 0 || !faults(base + kGiB - 1)) {
    return fail("mprotect back to PROT_NONE inside a 2 MiB block");
  }
  if (mprotect(base + kGiB - kPage, kPage, PROT_READ) != 0 ||
      *(uint64_t*)(base + kGiB - kPage + ((pages - 1) % 512) * 8) != pattern(pages - 1)) {
    return fail("a PROT_NONE page lost its contents");
  }

  double t5 = now();
  if (munmap(base, 8 * kGiB) != 0) return fail("munmap of 8 GiB");
  double t6 = now();
  unsigned long free_after = free_mib();
  if (!faults(base)) return fail("unmapped memory did not fault");

  // The range is reused, and reserving again costs as little as before.
  char* again = mmap(NULL, 8 * kGiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (again != base) return fail("munmapped address range not reused");
  for (int i = 0; i < 16; ++i) {
    if (mprotect(again + i * (64ull << 20), 64ull << 20, PROT_READ | PROT_WRITE) != 0) return fail("grow by 64 MiB");
  }
  again[0] = 1;
  again[(1ull << 30) - 1] = 2;
  if (munmap(again, 8 * kGiB) != 0) return fail("munmap again");

  // The value stack: 64 MiB mapped PROT_NONE, made RW at once.
  char* stack = mmap(NULL, 64ull << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (stack == MAP_FAILED || mprotect(stack, 64ull << 20, PROT_READ | PROT_WRITE) != 0) return fail("value stack");
  stack[0] = 1;
  stack[(64ull << 20) - 1] = 1;
  munmap(stack, 64ull << 20);

  printf(
      "reserve: free %lu MiB; 8 GiB reserved at %p in %.1f ms, 1 GiB made RW in %.1f ms, %zu pages written in %.0f ms "
      "and checked in %.0f ms (free %lu MiB), unmapped in %.1f ms (free %lu MiB)\n",
      free_before, (void*)base, (t1 - t0) * 1e3, (t2 - t1) * 1e3, pages, (t3 - t2) * 1e3, (t4 - t3) * 1e3, free_touched,
      (t6 - t5) * 1e3, free_after);
  if (free_before - free_touched < 1000) return fail("touching 1 GiB did not use memory (sysinfo)");
  if (free_after + 16 < free_before) return fail("munmap did not give the memory back (sysinfo)");
  printf("reserve: ok\n");
  return 0;
}
