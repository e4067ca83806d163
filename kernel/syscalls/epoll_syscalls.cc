// epoll_create/epoll_create1/epoll_ctl/epoll_wait/epoll_pwait/epoll_pwait2
// (event/epoll.h), eventfd/eventfd2 and signalfd/signalfd4
// (event/eventfd.h). The signal masks of the pwait forms are checked, not
// applied: no signal can arrive while one waits.
#include "event/epoll.h"
#include "event/eventfd.h"
#include "event/wait.h"
#include "fs/file.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "proc/fd_table.h"
#include "syscalls/args.h"
#include "syscalls/syscalls.h"

namespace silk::kernel::syscalls {
namespace {

constexpr uint64_t kEpollCloexec = 02000000;
constexpr uint64_t kMaxEventsPerCall = 1024;  // reported at most per call (fewer than asked is allowed)
constexpr uint64_t kNsPerSec = 1'000'000'000ull;

int64_t install(fs::File* file, bool cloexec) {
  if (file == nullptr) return -err::kNomem;
  return proc::fds::install(file, cloexec);
}

int64_t epoll_wait_until(uint64_t epfd, uint64_t events, uint64_t max, uint64_t deadline) {
  auto n = static_cast<int32_t>(max);
  if (n <= 0 || static_cast<uint64_t>(n) > 0x7fffffffu / event::epoll::kEventSize) return -err::kInval;
  uint64_t count = static_cast<uint64_t>(n) < kMaxEventsPerCall ? static_cast<uint64_t>(n) : kMaxEventsPerCall;
  if (!user_writable(events, count * event::epoll::kEventSize)) return -err::kFault;
  fs::File* ep = file_of(epfd);
  if (ep == nullptr) return -err::kBadf;
  if (!event::epoll::is_epoll(ep)) return -err::kInval;
  return event::epoll::wait(ep, events, static_cast<int>(count), deadline);
}

int64_t check_sigmask(uint64_t sigmask, uint64_t size) { return sigmask != 0 && size != 8 ? -err::kInval : 0; }

int64_t new_signalfd(uint64_t fd, uint64_t mask_ptr, uint64_t size, uint64_t flags) {
  constexpr uint64_t kSfdNonblock = 04000, kSfdCloexec = 02000000;
  if (size != 8 || (flags & ~(kSfdNonblock | kSfdCloexec)) != 0) return -err::kInval;
  uint64_t mask;
  if (!copy_from_user(&mask, mask_ptr, sizeof mask)) return -err::kFault;
  fs::File* existing = nullptr;
  if (static_cast<int32_t>(fd) != -1) {
    existing = file_of(fd);
    if (existing == nullptr) return -err::kBadf;
  }
  fs::File* file;
  if (int64_t r = event::signalfd_set(existing, mask, (flags & kSfdNonblock) != 0, &file); r != 0) return r;
  if (existing != nullptr) return static_cast<int32_t>(fd);
  return proc::fds::install(file, (flags & kSfdCloexec) != 0);
}

}  // namespace

int64_t sys_epoll_create(uint64_t size, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  if (static_cast<int32_t>(size) <= 0) return -err::kInval;
  return install(event::epoll::create(), false);
}

int64_t sys_epoll_create1(uint64_t flags, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  if ((flags & ~kEpollCloexec) != 0) return -err::kInval;
  return install(event::epoll::create(), flags != 0);
}

int64_t sys_epoll_ctl(uint64_t epfd, uint64_t op, uint64_t fd, uint64_t event_ptr, uint64_t, uint64_t) {
  auto o = static_cast<int32_t>(op);
  uint32_t events = 0;
  uint64_t data = 0;
  if (o != event::epoll::kCtlDel) {  // DEL ignores the event (Linux before 2.6.9 wanted one)
    uint8_t raw[event::epoll::kEventSize];
    if (!copy_from_user(raw, event_ptr, sizeof raw)) return -err::kFault;
    memcpy(&events, raw, 4);
    memcpy(&data, raw + 4, 8);
  }
  fs::File* ep = file_of(epfd);
  fs::File* target = file_of(fd);
  if (ep == nullptr || target == nullptr) return -err::kBadf;
  if (!event::epoll::is_epoll(ep)) return -err::kInval;
  return event::epoll::ctl(ep, o, static_cast<int32_t>(fd), target, events, data);
}

int64_t sys_epoll_wait(uint64_t epfd, uint64_t events, uint64_t max, uint64_t timeout, uint64_t, uint64_t) {
  return epoll_wait_until(epfd, events, max, event::deadline_after_ms(static_cast<int32_t>(timeout)));
}

int64_t sys_epoll_pwait(uint64_t epfd, uint64_t events, uint64_t max, uint64_t timeout, uint64_t sigmask,
                        uint64_t size) {
  if (int64_t r = check_sigmask(sigmask, size); r != 0) return r;
  return epoll_wait_until(epfd, events, max, event::deadline_after_ms(static_cast<int32_t>(timeout)));
}

int64_t sys_epoll_pwait2(uint64_t epfd, uint64_t events, uint64_t max, uint64_t timeout, uint64_t sigmask,
                         uint64_t size) {
  if (int64_t r = check_sigmask(sigmask, size); r != 0) return r;
  uint64_t deadline = event::kForever;
  if (timeout != 0) {
    int64_t ts[2];
    if (!copy_from_user(ts, timeout, sizeof ts)) return -err::kFault;
    if (ts[0] < 0 || ts[1] < 0 || static_cast<uint64_t>(ts[1]) >= kNsPerSec) return -err::kInval;
    uint64_t sec = static_cast<uint64_t>(ts[0]);
    deadline = sec > 100ull * 365 * 86400 ? event::kForever
                                          : event::deadline_after_ns(sec * kNsPerSec + static_cast<uint64_t>(ts[1]));
  }
  return epoll_wait_until(epfd, events, max, deadline);
}

int64_t sys_eventfd(uint64_t initval, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  return install(event::eventfd_create(static_cast<uint32_t>(initval), 0), false);
}

int64_t sys_eventfd2(uint64_t initval, uint64_t flags, uint64_t, uint64_t, uint64_t, uint64_t) {
  using event::kEfdCloexec, event::kEfdNonblock, event::kEfdSemaphore;
  if ((flags & ~uint64_t{kEfdCloexec | kEfdNonblock | kEfdSemaphore}) != 0) return -err::kInval;
  return install(event::eventfd_create(static_cast<uint32_t>(initval), static_cast<uint32_t>(flags)),
                 (flags & kEfdCloexec) != 0);
}

int64_t sys_signalfd(uint64_t fd, uint64_t mask, uint64_t size, uint64_t, uint64_t, uint64_t) {
  return new_signalfd(fd, mask, size, 0);
}

int64_t sys_signalfd4(uint64_t fd, uint64_t mask, uint64_t size, uint64_t flags, uint64_t, uint64_t) {
  return new_signalfd(fd, mask, size, flags);
}

}  // namespace silk::kernel::syscalls
