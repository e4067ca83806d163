#include "vmm/stop_signal.h"

#include <signal.h>
#include <unistd.h>

namespace silk::vmm {
namespace {

volatile sig_atomic_t g_waiting = 0;   // the signal not yet handed over
volatile sig_atomic_t g_received = 0;  // any stop signal so far

void on_stop_signal(int signo) {
  // A second one: the guest did not stop (or is slow to). _exit is
  // async-signal-safe and allowed by the sandbox.
  if (g_received != 0) ::_exit(128 + signo);
  g_received = signo;
  g_waiting = signo;
}

}  // namespace

void install_stop_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: KVM_RUN and ppoll return EINTR
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

bool stop_signal_waiting() { return g_waiting != 0; }

int take_stop_signal() {
  int signo = g_waiting;
  g_waiting = 0;
  return signo;
}

}  // namespace silk::vmm
