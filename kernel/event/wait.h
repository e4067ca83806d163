// Waiting for events, with one CPU and no interrupts: every change of an
// object's readiness happens inside a system call or inside net::poll()
// (lwIP's callbacks), so a blocked call waits by running net::poll() and
// then looks again (net/net.h). Objects report each change with notify(),
// which queues the epoll entries watching the file (event/epoll.h) and
// advances a generation counter that poll/select loops compare to know
// whether anything changed at all.
#pragma once

#include <stdint.h>

namespace silk::kernel::fs {
struct File;
}  // namespace silk::kernel::fs

namespace silk::kernel::event {

inline constexpr uint64_t kForever = ~uint64_t{0};

// The object behind {file} changed; {events} (EPOLL* bits) may hold now.
// {file} may be nullptr (an object without a descriptor yet: a connection
// waiting in an accept queue). Never calls lwIP: safe inside its callbacks.
void notify(fs::File* file, uint32_t events);

// Increases with every notify().
uint64_t generation();

// A deadline {ms} milliseconds from now (monotonic ns); kForever for ms < 0.
uint64_t deadline_after_ms(int64_t ms);
uint64_t deadline_after_ns(uint64_t ns);

// Lets the network make progress without waiting (net::poll(0)).
void poll_now();

// Makes a signal the host sent (platform::take_host_signal) pending in the
// process and wakes its signalfds. Run after every wait on the platform.
void take_host_signal();

// One step of a blocking wait: runs net::poll() for at most the time left
// before {deadline} (1 s at a time). False, without waiting, once the
// deadline has passed. Callers re-check their condition after each step
// (and proc::signal::deliverable(): -EINTR).
bool wait_step(uint64_t deadline);

}  // namespace silk::kernel::event
