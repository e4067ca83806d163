// WASI poll_oneoff (clock subscriptions and fd readiness via ppoll(2)) and
// the sock_* calls on sockets the host handed in (WasiOptions::sockets) or
// that sock_accept created.
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <vector>

#include "wasi/abi.h"
#include "wasi/wasi_state.h"

namespace silk::wasi {

namespace {

int64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

struct Subscription {
  uint64_t userdata = 0;
  uint8_t tag = 0;
  uint32_t clock_id = 0;
  uint64_t timeout = 0;
  uint16_t clock_flags = 0;
  uint32_t fd = 0;
};

// Reads subscription {i} in the layout of preview1 or wasi_unstable.
Subscription load_subscription(const Call& c, GuestPtr in, uint32_t i) {
  Subscription s;
  if (c.unstable) {
    abi::UnstableSubscription u;
    c.mem.load(in + i * uint32_t(sizeof u), u);
    s = {u.userdata, u.tag, u.u.clock.id, u.u.clock.timeout, u.u.clock.flags, u.u.fd_readwrite.fd};
  } else {
    abi::Subscription u;
    c.mem.load(in + i * uint32_t(sizeof u), u);
    s = {u.userdata, u.tag, u.u.clock.id, u.u.clock.timeout, u.u.clock.flags, u.u.fd_readwrite.fd};
  }
  return s;
}

abi::Event make_event(const Subscription& s, Errno error) {
  abi::Event ev{};
  ev.userdata = s.userdata;
  ev.error = uint16_t(error);
  ev.type = s.tag;
  return ev;
}

}  // namespace

Errno call_poll_oneoff(Call& c) {
  const GuestPtr in = c.u32(0), out = c.u32(1), nevents_ptr = c.u32(3);
  const uint32_t nsubs = c.u32(2);
  if (nsubs == 0) return Errno::kINVAL;
  const uint64_t sub_size = c.unstable ? sizeof(abi::UnstableSubscription) : sizeof(abi::Subscription);
  if (!c.mem.in_bounds(in, nsubs * sub_size) || !c.mem.in_bounds(out, nsubs * uint64_t(sizeof(abi::Event))) ||
      !c.mem.in_bounds(nevents_ptr, 4))
    return Errno::kFAULT;

  std::vector<Subscription> subs(nsubs);
  std::vector<abi::Event> events;
  std::vector<pollfd> pfds;
  std::vector<uint32_t> pfd_sub;                     // subscription index of each pollfd
  std::vector<int64_t> deadline(nsubs, INT64_MAX);   // monotonic ns, for clock subscriptions
  const int64_t start = monotonic_ns();
  for (uint32_t i = 0; i < nsubs; ++i) {
    Subscription& s = subs[i] = load_subscription(c, in, i);
    if (s.tag == abi::kEventClock) {
      clockid_t id;
      if (!host_clock(s.clock_id, id)) {
        events.push_back(make_event(s, Errno::kINVAL));
        continue;
      }
      int64_t remaining = int64_t(std::min<uint64_t>(s.timeout, INT64_MAX / 2));
      if (s.clock_flags & abi::kSubclockAbstime) {
        timespec now;
        clock_gettime(id, &now);
        remaining = int64_t(s.timeout) - (int64_t(now.tv_sec) * 1000000000 + now.tv_nsec);
      }
      deadline[i] = start + std::max<int64_t>(remaining, 0);
    } else if (s.tag == abi::kEventFdRead || s.tag == abi::kEventFdWrite) {
      FdEntry* e;
      if (Errno err = c.ctx.fds.get(s.fd, abi::kRightPollFdReadwrite, e); err != Errno::kSUCCESS) {
        events.push_back(make_event(s, err));
        continue;
      }
      pfds.push_back({e->host_fd, short(s.tag == abi::kEventFdRead ? POLLIN : POLLOUT), 0});
      pfd_sub.push_back(i);
    } else {
      return Errno::kINVAL;
    }
  }

  while (events.empty()) {
    int64_t next = INT64_MAX;
    for (int64_t d : deadline) next = std::min(next, d);
    timespec ts, *timeout = nullptr;
    if (next != INT64_MAX) {
      int64_t wait = std::max<int64_t>(next - monotonic_ns(), 0);
      ts = {time_t(wait / 1000000000), long(wait % 1000000000)};
      timeout = &ts;
    }
    int r = ppoll(pfds.data(), pfds.size(), timeout, nullptr);
    if (r < 0) {
      if (errno == EINTR) continue;
      return last_errno();
    }
    for (size_t k = 0; k < pfds.size(); ++k) {
      const short re = pfds[k].revents;
      if (!re) continue;
      const Subscription& s = subs[pfd_sub[k]];
      abi::Event ev = make_event(s, (re & POLLNVAL) ? Errno::kBADF : Errno::kSUCCESS);
      if (re & POLLHUP) ev.flags |= abi::kEventFdReadwriteHangup;
      int avail = 0;
      if (s.tag == abi::kEventFdRead && ioctl(pfds[k].fd, FIONREAD, &avail) == 0 && avail > 0)
        ev.nbytes = uint64_t(avail);
      events.push_back(ev);
    }
    const int64_t now = monotonic_ns();
    for (uint32_t i = 0; i < nsubs; ++i)
      if (deadline[i] != INT64_MAX && deadline[i] <= now) events.push_back(make_event(subs[i], Errno::kSUCCESS));
  }
  for (size_t k = 0; k < events.size(); ++k) c.mem.store(out + uint32_t(k * sizeof(abi::Event)), events[k]);
  c.mem.store<uint32_t>(nevents_ptr, uint32_t(events.size()));
  return Errno::kSUCCESS;
}

Errno call_sock_accept(Call& c) {
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(c.u32(0), abi::kRightSockAccept, e); err != Errno::kSUCCESS) return err;
  const uint32_t flags = c.u32(1);
  if (flags & ~uint32_t(abi::kFdflagNonblock)) return Errno::kINVAL;
  if (!c.mem.in_bounds(c.u32(2), 4)) return Errno::kFAULT;
  int fd;
  do {
    fd = accept4(e->host_fd, nullptr, nullptr, SOCK_CLOEXEC | ((flags & abi::kFdflagNonblock) ? SOCK_NONBLOCK : 0));
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return last_errno();
  FdEntry n;
  n.host_fd = fd;
  n.filetype = filetype_of_host_fd(fd);
  n.rights_base = abi::kRightsSocket & ~abi::kRightSockAccept;
  n.rights_inheriting = 0;
  c.mem.store<uint32_t>(c.u32(2), c.ctx.fds.insert(std::move(n)));
  return Errno::kSUCCESS;
}

Errno call_sock_recv(Call& c) {
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(c.u32(0), abi::kRightFdRead, e); err != Errno::kSUCCESS) return err;
  std::vector<iovec> iov;
  if (Errno err = gather_iovecs(c, c.u32(1), c.u32(2), iov); err != Errno::kSUCCESS) return err;
  const uint32_t riflags = c.u32(3);
  if (riflags & ~uint32_t(abi::kRiflagRecvPeek | abi::kRiflagRecvWaitall)) return Errno::kINVAL;
  if (!c.mem.in_bounds(c.u32(4), 4) || !c.mem.in_bounds(c.u32(5), 2)) return Errno::kFAULT;
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  int flags = ((riflags & abi::kRiflagRecvPeek) ? MSG_PEEK : 0) | ((riflags & abi::kRiflagRecvWaitall) ? MSG_WAITALL : 0);
  ssize_t n;
  do n = recvmsg(e->host_fd, &msg, flags);
  while (n < 0 && errno == EINTR);
  if (n < 0) return last_errno();
  c.mem.store<uint32_t>(c.u32(4), uint32_t(n));
  c.mem.store<uint16_t>(c.u32(5), (msg.msg_flags & MSG_TRUNC) ? abi::kRoflagRecvDataTruncated : 0);
  return Errno::kSUCCESS;
}

Errno call_sock_send(Call& c) {
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(c.u32(0), abi::kRightFdWrite, e); err != Errno::kSUCCESS) return err;
  std::vector<iovec> iov;
  if (Errno err = gather_iovecs(c, c.u32(1), c.u32(2), iov); err != Errno::kSUCCESS) return err;
  if (c.u32(3) != 0) return Errno::kINVAL;  // siflags: none defined
  if (!c.mem.in_bounds(c.u32(4), 4)) return Errno::kFAULT;
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  ssize_t n;
  do n = sendmsg(e->host_fd, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) return last_errno();
  c.mem.store<uint32_t>(c.u32(4), uint32_t(n));
  return Errno::kSUCCESS;
}

Errno call_sock_shutdown(Call& c) {
  FdEntry* e;
  if (Errno err = c.ctx.fds.get(c.u32(0), abi::kRightSockShutdown, e); err != Errno::kSUCCESS) return err;
  int how;
  switch (c.u32(1)) {
    case abi::kSdflagRd: how = SHUT_RD; break;
    case abi::kSdflagWr: how = SHUT_WR; break;
    case abi::kSdflagRd | abi::kSdflagWr: how = SHUT_RDWR; break;
    default: return Errno::kINVAL;
  }
  return shutdown(e->host_fd, how) == 0 ? Errno::kSUCCESS : last_errno();
}

}  // namespace silk::wasi
