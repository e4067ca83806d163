// The check helpers the kernel's test programs share: every check counts;
// a failure prints "FAIL N - what (errno E: text)"; a pass prints "ok N -
// what" unless CHECK_QUIET is defined before this header (each console write
// costs kernel time where ring 0 is emulated). The programs end with their own
// "NAME: P passed, F failed" line, which the tests match.
#pragma once

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int passed, failed;

static void check(int ok, const char* what) {
  if (ok) {
    ++passed;
#ifndef CHECK_QUIET
    printf("ok %d - %s\n", passed + failed, what);
#endif
  } else {
    ++failed;
    printf("FAIL %d - %s (errno %d: %s)\n", passed + failed, what, errno, strerror(errno));
  }
  fflush(stdout);
}

// A call that must fail with {expected}.
static void check_errno(long result, int expected, const char* what) {
  int ok = result == -1 && errno == expected;
  if (!ok && result != -1) errno = 0;
  check(ok, what);
}
