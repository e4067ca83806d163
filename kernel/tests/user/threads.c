// Threads in the kernel (kernel/proc/thread.h), the way glibc's pthreads use
// them: clone with CLONE_THREAD/SETTLS/PARENT_SETTID/CHILD_CLEARTID, futex
// waits and wakes (mutexes, condition variables, join), TLS, per-thread
// signal masks and handlers, sleeps that let other threads run. Prints
// "threads: N passed, M failed" and exits 0 when nothing failed.
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static __thread int tls_value;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static void* worker(void* arg) {
  int n = (int)(intptr_t)arg;
  tls_value = n * 10;
  sched_yield();  // others run and set their own
  long sum = 0;
  for (int i = 1; i <= 1000 * n; ++i) sum += i;
  return (void*)(intptr_t)(tls_value == n * 10 ? sum : -1);
}

static void test_create_join(void) {
  pthread_t t[4];
  int created = 1;
  for (int i = 0; i < 4; ++i) created &= pthread_create(&t[i], NULL, worker, (void*)(intptr_t)(i + 1)) == 0;
  check(created, "pthread_create x4");
  int joined = 1;
  for (int i = 0; i < 4; ++i) {
    void* r;
    long n = 1000L * (i + 1);
    joined &= pthread_join(t[i], &r) == 0 && (long)(intptr_t)r == n * (n + 1) / 2;
  }
  check(joined, "pthread_join x4: each thread's result, its own TLS");
}

// Ping-pong through a mutex and a condition variable: neither thread can
// finish without the other running in between (futex wait and wake).
static int turn, rounds = 200;
static void* ponger(void* arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  for (int i = 0; i < rounds; ++i) {
    while (turn != 1) pthread_cond_wait(&cv, &mu);
    turn = 0;
    pthread_cond_signal(&cv);
  }
  pthread_mutex_unlock(&mu);
  return NULL;
}

static void test_ping_pong(void) {
  pthread_t t;
  check(pthread_create(&t, NULL, ponger, NULL) == 0, "ponger created");
  pthread_mutex_lock(&mu);
  for (int i = 0; i < rounds; ++i) {
    turn = 1;
    pthread_cond_signal(&cv);
    while (turn != 0) pthread_cond_wait(&cv, &mu);
  }
  pthread_mutex_unlock(&mu);
  check(pthread_join(t, NULL) == 0, "200 condition-variable round trips between two threads");
}

// A thread that sleeps lets the others run: the main thread waits on a
// condition variable that only the sleeper's wake-up sets.
static int slept;
static void* sleeper(void* arg) {
  (void)arg;
  struct timespec ts = {0, 50 * 1000 * 1000};
  nanosleep(&ts, NULL);
  pthread_mutex_lock(&mu);
  slept = 1;
  pthread_cond_signal(&cv);
  pthread_mutex_unlock(&mu);
  return NULL;
}

static void test_sleep_and_wait(void) {
  pthread_t t;
  check(pthread_create(&t, NULL, sleeper, NULL) == 0, "sleeper created");
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 10;
  pthread_mutex_lock(&mu);
  int r = 0;
  while (!slept && r == 0) r = pthread_cond_timedwait(&cv, &mu, &deadline);
  pthread_mutex_unlock(&mu);
  errno = r;
  check(slept && r == 0, "a timed condition wait ends when the sleeping thread signals");
  pthread_join(t, NULL);
}

static pid_t child_tid;
static volatile int handled_in;
static void on_usr1(int sig) {
  (void)sig;
  handled_in = (int)syscall(SYS_gettid);
}
static void* tid_reporter(void* arg) {
  (void)arg;
  child_tid = (pid_t)syscall(SYS_gettid);
  // This thread's own mask: SIGUSR2 blocked here only.
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &s, NULL);
  pthread_kill(pthread_self(), SIGUSR1);  // tgkill to itself: its handler runs here
  return NULL;
}

static void test_ids_and_signals(void) {
  signal(SIGUSR1, on_usr1);
  pthread_t t;
  pthread_create(&t, NULL, tid_reporter, NULL);
  pthread_join(t, NULL);
  check(child_tid > 1 && child_tid != getpid() && syscall(SYS_gettid) == getpid(),
        "gettid: the main thread's is the pid, a new thread's another");
  check(handled_in == child_tid, "pthread_kill: the handler runs in that thread");
  sigset_t mine;
  pthread_sigmask(SIG_BLOCK, NULL, &mine);
  check(!sigismember(&mine, SIGUSR2), "a thread's pthread_sigmask leaves the others' masks alone");
  check(syscall(SYS_tgkill, getpid(), 99999, SIGUSR1) == -1 && errno == ESRCH, "tgkill to no such thread: ESRCH");
}

static void test_futex_wake_count(void) {
  static uint32_t word;
  check(syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0) == 0, "FUTEX_WAKE with no waiter: 0");
}

int main(void) {
  test_create_join();
  test_ping_pong();
  test_sleep_and_wait();
  test_ids_and_signals();
  test_futex_wake_count();
  printf("threads: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
