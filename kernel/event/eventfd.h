// eventfd(2) and signalfd(2) objects.
//
// eventfd: a 64-bit counter; reads take it (or 1 with EFD_SEMAPHORE), writes
// add to it; readable while non-zero, writable while below 2^64 - 2. With
// one thread nothing else can change the counter while a read or write
// blocks, so a blocking read of 0 (or a write that would overflow) returns
// -EDEADLK with a message instead of hanging the machine.
//
// signalfd: readable while a signal of its mask is pending (proc/signal.h);
// a read takes them. Signals come from kill/tgkill to the process itself and
// from the host (silk vm passes on its SIGINT/SIGTERM: event/wait.h).
#pragma once

#include <stdint.h>

namespace silk::kernel::fs {
struct File;
}  // namespace silk::kernel::fs

namespace silk::kernel::event {

// eventfd2 flags (include/uapi/linux/eventfd.h).
inline constexpr uint32_t kEfdSemaphore = 1, kEfdNonblock = 04000, kEfdCloexec = 02000000;

// A new eventfd file with counter {initval}; nullptr when out of memory.
fs::File* eventfd_create(uint64_t initval, uint32_t flags);

// A new signalfd file for {mask} (signal n is bit n - 1) in {out}, or, with
// {existing}, that signalfd's mask replaced. 0, -EINVAL ({existing} is not
// a signalfd), -ENOMEM.
int64_t signalfd_set(fs::File* existing, uint64_t mask, bool nonblock, fs::File** out);

// A signal became pending: the signalfds whose mask holds a pending signal
// are readable now (their epoll entries are queued), and poll/select look again.
void signals_raised();

}  // namespace silk::kernel::event
