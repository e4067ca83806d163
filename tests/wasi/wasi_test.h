// Shared by the WASI test programs: each is plain POSIX C, built natively
// and for wasm32-wasi, and prints one line per check, so the two runs can
// be compared line by line (run_wasi_test.py). A failed check also makes
// the exit status 1, so a run that fails the same way in both builds still
// fails the test.
#pragma once

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef __wasi__
#include <wasi/api.h>
#endif

static int wasi_test_failures;

// The symbolic name of an errno value: strerror() texts differ between glibc
// and wasi-libc, the names do not.
__attribute__((unused)) static const char* errname(int e) {
  switch (e) {
    case 0: return "0";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ESPIPE: return "ESPIPE";
    case EAGAIN: return "EAGAIN";
    case EXDEV: return "EXDEV";
#ifdef ENOTCAPABLE
    case ENOTCAPABLE: return "ENOTCAPABLE";
#endif
    default: return "E?";
  }
}

#define CHECK(cond)                                                                        \
  do {                                                                                     \
    errno = 0;                                                                             \
    if (cond) {                                                                            \
      printf("ok   %s\n", #cond);                                                          \
    } else {                                                                               \
      printf("FAIL %s (line %d, errno %s)\n", #cond, __LINE__, errname(errno));            \
      wasi_test_failures++;                                                                \
    }                                                                                      \
  } while (0)

// A call expected to fail with {err}.
#define CHECK_ERR(call, err)                                                               \
  do {                                                                                     \
    errno = 0;                                                                             \
    long r_ = (long)(call);                                                                \
    int e_ = errno;                                                                        \
    if (r_ == -1 && e_ == (err)) {                                                         \
      printf("ok   %s fails with %s\n", #call, #err);                                      \
    } else {                                                                               \
      printf("FAIL %s -> %ld, errno %s, expected %s\n", #call, r_, errname(e_), #err);     \
      wasi_test_failures++;                                                                \
    }                                                                                      \
  } while (0)

#define TEST_DONE() return wasi_test_failures ? 1 : 0
