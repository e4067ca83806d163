// A random walk over mmap(MAP_FIXED), munmap, mprotect, madvise(MADV_DONTNEED)
// and reads and writes in a 64 MiB window (2 MiB aligned, so some ranges
// get 2 MiB leaves and some operations cut them), checked against a model
// of every page's protection and contents: a read or write faults exactly
// where the model says (SIGSEGV, siglongjmp), and reads return what was last
// written, or zero after mmap and MADV_DONTNEED. mprotect is only asked for
// fully mapped ranges (over a hole, Linux changes the part before the hole
// and silk changes nothing; POSIX allows both). Passes on Linux too.
// Usage: memstress [OPERATIONS] (default 20000). Prints "memstress: N
// operations, E errors" and exits 0 when E is 0.
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum { kPages = 16384 };  // 64 MiB
enum { kUnmapped, kNone, kRead, kReadWrite };

static uint8_t state[kPages];
static uint8_t content[kPages];  // the byte at offset (page % 4096) of each page
static char* base;
static sigjmp_buf env;
static int errors;

static void on_segv(int sig, siginfo_t* info, void* uc) { siglongjmp(env, 1); }

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void) {  // xorshift64
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static int prot_of(int st) { return st == kNone ? PROT_NONE : st == kRead ? PROT_READ : PROT_READ | PROT_WRITE; }

static void fail(const char* what, int op, size_t page) {
  if (errors++ < 10) printf("memstress: FAILED at operation %d, page %zu: %s\n", op, page, what);
}

static volatile char* byte_of(size_t page) { return base + page * 4096 + page % 4096; }

static void check_read(int op, size_t page) {
  if (sigsetjmp(env, 0) == 0) {
    char v = *byte_of(page);
    if (state[page] < kRead) {
      fail("a read did not fault", op, page);
    } else if ((uint8_t)v != content[page]) {
      fail("contents differ", op, page);
    }
  } else if (state[page] >= kRead) {
    fail("a read faulted", op, page);
  }
}

static void check_write(int op, size_t page) {
  uint8_t value = (uint8_t)rnd();
  if (sigsetjmp(env, 0) == 0) {
    *byte_of(page) = (char)value;
    if (state[page] != kReadWrite) {
      fail("a write did not fault", op, page);
    } else {
      content[page] = value;
    }
  } else if (state[page] == kReadWrite) {
    fail("a write faulted", op, page);
  }
}

static int fully_mapped(size_t start, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    if (state[start + i] == kUnmapped) return 0;
  }
  return 1;
}

int main(int argc, char** argv) {
  int operations = argc > 1 ? atoi(argv[1]) : 20000;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGSEGV, &sa, NULL);
  char* area = mmap(NULL, (size_t)kPages * 4096 + (2 << 20), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  base = (char*)(((uintptr_t)area + (2 << 20) - 1) & ~(uintptr_t)((2 << 20) - 1));
  munmap(base, (size_t)kPages * 4096);

  for (int op = 0; op < operations; ++op) {
    size_t start = rnd() % kPages, len = 1 + (rnd() % 4 == 0 ? rnd() % 2048 : rnd() % 64);
    if (rnd() % 3 == 0) start &= ~(size_t)511;  // 2 MiB aligned
    if (start + len > kPages) len = kPages - start;
    char* at = base + start * 4096;
    int kind = (int)(rnd() % 6);
    if (kind == 0) {
      int st = kNone + (int)(rnd() % 3);
      if (mmap(at, len * 4096, prot_of(st), MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != at) {
        fail("mmap", op, start);
      }
      memset(state + start, st, len);
      memset(content + start, 0, len);
    } else if (kind == 1) {
      if (munmap(at, len * 4096) != 0) fail("munmap", op, start);
      memset(state + start, kUnmapped, len);
    } else if (kind == 2) {
      if (!fully_mapped(start, len)) continue;
      int st = kNone + (int)(rnd() % 3);
      if (mprotect(at, len * 4096, prot_of(st)) != 0) fail("mprotect", op, start);
      memset(state + start, st, len);
    } else if (kind == 3) {
      int full = fully_mapped(start, len);
      int r = madvise(at, len * 4096, MADV_DONTNEED);
      if (full ? r != 0 : !(r == -1 && errno == ENOMEM)) fail("madvise's result", op, start);
      for (size_t i = 0; i < len; ++i) {
        if (state[start + i] != kUnmapped) content[start + i] = 0;
      }
    } else {
      for (size_t i = 0; i < len; i += 1 + rnd() % 7) {
        check_read(op, start + i);
        if (kind == 5) check_write(op, start + i);
      }
    }
  }
  for (size_t page = 0; page < kPages; ++page) check_read(-1, page);
  printf("memstress: %d operations, %d errors\n", operations, errors);
  return errors != 0;
}
