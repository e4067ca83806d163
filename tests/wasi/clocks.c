// clock_time_get (all four clocks), clock_res_get, sched_yield, and
// poll_oneoff with relative and absolute clock subscriptions (nanosleep,
// clock_nanosleep).
#include <sched.h>
#include <time.h>

#include "wasi_test.h"

static long long ns(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

static long long now(clockid_t id) {
  struct timespec t;
  if (clock_gettime(id, &t) != 0) return -1;
  return ns(t);
}

int main(void) {
  long long prev = now(CLOCK_MONOTONIC);
  int monotonic = prev > 0;
  for (int i = 0; i < 10000; ++i) {
    long long t = now(CLOCK_MONOTONIC);
    if (t < prev) monotonic = 0;
    prev = t;
  }
  CHECK(monotonic);
  CHECK(now(CLOCK_REALTIME) > 1577836800LL * 1000000000LL);  // after 2020-01-01

  long long cpu0 = now(CLOCK_PROCESS_CPUTIME_ID), th0 = now(CLOCK_THREAD_CPUTIME_ID);
  volatile unsigned x = 0;
  for (unsigned i = 0; i < 20000000; ++i) x += i * i;
  long long cpu1 = now(CLOCK_PROCESS_CPUTIME_ID), th1 = now(CLOCK_THREAD_CPUTIME_ID);
  CHECK(cpu0 >= 0 && cpu1 > cpu0);
  CHECK(th0 >= 0 && th1 > th0);

  struct timespec res;
  CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0 && ns(res) > 0 && ns(res) <= 1000000);
  CHECK(clock_getres(CLOCK_REALTIME, &res) == 0 && ns(res) > 0);
  CHECK(sched_yield() == 0);

  long long t0 = now(CLOCK_MONOTONIC);
  struct timespec sleep = {0, 30 * 1000000};
  CHECK(nanosleep(&sleep, NULL) == 0);
  long long slept = now(CLOCK_MONOTONIC) - t0;
  CHECK(slept >= 30 * 1000000LL && slept < 2000 * 1000000LL);

  struct timespec until;
  clock_gettime(CLOCK_MONOTONIC, &until);
  t0 = ns(until);
  until.tv_nsec += 20 * 1000000;
  if (until.tv_nsec >= 1000000000) {
    until.tv_sec += 1;
    until.tv_nsec -= 1000000000;
  }
  CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == 0);
  CHECK(now(CLOCK_MONOTONIC) >= ns(until));
  struct timespec past = {0, 0};
  CHECK(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &past, NULL) == 0);  // already due
  TEST_DONE();
}
