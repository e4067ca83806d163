#include "event/eventfd.h"

#include "event/object_file.h"
#include "event/poll_bits.h"
#include "event/wait.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "mm/heap.h"
#include "proc/signal.h"
#include "syscalls/user_iov.h"

namespace silk::kernel::event {
namespace {

constexpr uint64_t kMax = ~uint64_t{0} - 1;  // the counter's ceiling: 0xfffffffffffffffe
constexpr int64_t kDeadlock = err::kDeadlk;

struct EventFd {
  uint64_t count;
  bool semaphore;
};

EventFd* of(fs::File* file) { return static_cast<EventFd*>(file->object); }
bool nonblocking(const fs::File* file) { return (file->flags & fs::kONonblock) != 0; }

int64_t deadlock(const char* what) {
  kprintf("silk kernel: eventfd: a blocking %s that nothing can satisfy (one thread): -EDEADLK\n", what);
  return -kDeadlock;
}

int64_t eventfd_read(fs::File* file, const fs::IoVec* iov, uint64_t count) {
  syscalls::UserIov out(iov, count, true);
  if (out.remaining() < 8) return -err::kInval;
  EventFd* e = of(file);
  if (e->count == 0) {
    if (nonblocking(file)) return -err::kAgain;
    return deadlock("read");
  }
  uint64_t value = e->semaphore ? 1 : e->count;
  if (out.copy_out(&value, 8) != 8) return -err::kFault;
  e->count -= value;
  notify(file, kPollOut);
  return 8;
}

int64_t eventfd_write(fs::File* file, const fs::IoVec* iov, uint64_t count) {
  syscalls::UserIov in(iov, count, false);
  if (in.remaining() < 8) return -err::kInval;
  uint64_t value;
  if (in.copy_in(&value, 8) != 8) return -err::kFault;
  if (value == ~uint64_t{0}) return -err::kInval;
  EventFd* e = of(file);
  if (value > kMax - e->count) {
    if (nonblocking(file)) return -err::kAgain;
    return deadlock("write");
  }
  e->count += value;
  if (value != 0) notify(file, kPollIn);
  return 8;
}

uint32_t eventfd_poll(fs::File* file) {
  const EventFd* e = of(file);
  uint32_t mask = 0;
  if (e->count != 0) mask |= kPollIn | kPollRdNorm;
  if (e->count < kMax) mask |= kPollOut | kPollWrNorm;
  return mask;
}

void eventfd_release(fs::File* file) { mm::heap::release(of(file)); }

const fs::FileOps kEventFdOps = {eventfd_read, eventfd_write, eventfd_poll, nullptr, eventfd_release};

// ---- signalfd ----------------------------------------------------------------

struct SignalFd {
  uint64_t mask;
  fs::File* file;
  SignalFd* next;  // every signalfd, for signals_raised()
};
SignalFd* g_signalfds = nullptr;

constexpr uint64_t kSiginfoSize = 128;  // struct signalfd_siginfo

// Takes the pending signals of the mask, one signalfd_siginfo each
// (ssi_signo at byte 0, ssi_code at 8; the sender is the host or the process
// itself: ssi_pid and the rest stay 0). Blocks, when it may, until one is
// pending; a pending signal outside the mask that is not blocked ends the
// wait with -EINTR, as on Linux.
int64_t signalfd_read(fs::File* file, const fs::IoVec* iov, uint64_t count) {
  syscalls::UserIov out(iov, count, true);
  if (out.remaining() < kSiginfoSize) return -err::kInval;
  const SignalFd* s = static_cast<SignalFd*>(file->object);
  for (;;) {
    while (out.remaining() >= kSiginfoSize) {
      int code = 0;
      int signo = proc::signal::take(s->mask, &code);
      if (signo == 0) break;
      uint8_t info[kSiginfoSize] = {};
      auto u32 = static_cast<uint32_t>(signo);
      auto i32 = static_cast<int32_t>(code);
      __builtin_memcpy(info, &u32, 4);
      __builtin_memcpy(info + 8, &i32, 4);
      if (out.copy_out(info, kSiginfoSize) != kSiginfoSize) return syscalls::partial_result(out.done(), -err::kFault);
    }
    if (out.done() != 0) return static_cast<int64_t>(out.done());
    if (nonblocking(file)) return -err::kAgain;
    if (proc::signal::deliverable()) return -err::kIntr;
    wait_step(kForever);
  }
}

int64_t signalfd_write(fs::File*, const fs::IoVec*, uint64_t) { return -err::kInval; }
uint32_t signalfd_poll(fs::File* file) {
  return (proc::signal::pending() & static_cast<SignalFd*>(file->object)->mask) != 0 ? kPollIn | kPollRdNorm : 0;
}
void signalfd_release(fs::File* file) {
  auto* s = static_cast<SignalFd*>(file->object);
  for (SignalFd** p = &g_signalfds; *p != nullptr; p = &(*p)->next) {
    if (*p == s) {
      *p = s->next;
      break;
    }
  }
  mm::heap::release(s);
}

const fs::FileOps kSignalFdOps = {signalfd_read, signalfd_write, signalfd_poll, nullptr, signalfd_release};

}  // namespace

fs::File* eventfd_create(uint64_t initval, uint32_t flags) {
  auto* e = static_cast<EventFd*>(mm::heap::allocate(sizeof(EventFd)));
  if (e == nullptr) return nullptr;
  *e = EventFd{initval, (flags & kEfdSemaphore) != 0};
  fs::File* file = new_object_file(&kEventFdOps, e, fs::kORdwr | (flags & kEfdNonblock));
  if (file == nullptr) mm::heap::release(e);
  return file;
}

int64_t signalfd_set(fs::File* existing, uint64_t mask, bool nonblock, fs::File** out) {
  if (existing != nullptr) {
    if (existing->ops != &kSignalFdOps) return -err::kInval;
    static_cast<SignalFd*>(existing->object)->mask = mask;
    *out = existing;
    if ((proc::signal::pending() & mask) != 0) notify(existing, kPollIn);
    return 0;
  }
  auto* s = static_cast<SignalFd*>(mm::heap::allocate(sizeof(SignalFd)));
  if (s == nullptr) return -err::kNomem;
  fs::File* file = new_object_file(&kSignalFdOps, s, fs::kORdwr | (nonblock ? fs::kONonblock : 0));
  if (file == nullptr) {
    mm::heap::release(s);
    return -err::kNomem;
  }
  *s = SignalFd{mask, file, g_signalfds};
  g_signalfds = s;
  *out = file;
  return 0;
}

void signals_raised() {
  uint64_t pending = proc::signal::pending();
  for (SignalFd* s = g_signalfds; s != nullptr; s = s->next) {
    if ((pending & s->mask) != 0) notify(s->file, kPollIn);
  }
  notify(nullptr, 0);  // poll/select loops look again
}

}  // namespace silk::kernel::event
