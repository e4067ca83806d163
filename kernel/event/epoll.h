// epoll(7) instances: each entry (a Watch) ties an epoll file to one open
// file and descriptor number, with the events asked for and the user's data.
// As on Linux, an entry belongs to the open file, not to the descriptor:
// it stays while a dup of the descriptor is open and goes away when the
// file's last reference does (fs::file_unref calls forget). Entries do not
// hold a reference.
//
// Readiness is pushed, not scanned: an object reports a change with
// event::notify (event/wait.h), which puts the entries watching it on their
// epoll's ready list; epoll_wait then looks only at that list, asks each
// file for its current mask (fs::poll_mask) and reports it. Level-triggered
// entries that are still ready go back on the list; EPOLLET entries wait for
// the next notify; EPOLLONESHOT entries are disabled until EPOLL_CTL_MOD.
// An epoll file is itself readable while its ready list holds a ready entry
// (nesting is allowed one level deep, which rules out cycles: -ELOOP).
#pragma once

#include <stdint.h>

namespace silk::kernel::fs {
struct File;
}  // namespace silk::kernel::fs

namespace silk::kernel::event::epoll {

inline constexpr int kCtlAdd = 1, kCtlDel = 2, kCtlMod = 3;
// struct epoll_event: packed on x86-64.
inline constexpr uint64_t kEventSize = 12;

// A new epoll file (refs 1), nullptr when out of memory.
fs::File* create();
bool is_epoll(const fs::File* file);

// epoll_ctl on {ep} for descriptor {fd} open as {target}. -EINVAL ({target}
// is {ep}, a bad op, EPOLLEXCLUSIVE with MOD), -EPERM ({target} cannot be
// polled: regular files, directories), -EEXIST, -ENOENT, -ELOOP, -ENOMEM.
int64_t ctl(fs::File* ep, int op, int32_t fd, fs::File* target, uint32_t events, uint64_t data);

// epoll_wait: writes up to {max} struct epoll_event to {out} (user memory
// the caller has prepared for writing) and returns how many; waits until
// one is ready or {deadline} (event/wait.h) passes, then returns 0.
int64_t wait(fs::File* ep, uint64_t out, int max, uint64_t deadline);

// Removes every entry watching {file} (its last reference is going).
void forget(fs::File* file);

// event::notify's part: queues the entries watching {file} that asked for
// any of {events} (0: any).
void wake(fs::File* file, uint32_t events);

}  // namespace silk::kernel::event::epoll
