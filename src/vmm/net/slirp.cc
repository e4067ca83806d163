#include "vmm/net/slirp.h"

#include <dirent.h>
#include <sys/socket.h>
#include <time.h>
#include <arpa/inet.h>
#include <slirp/libslirp.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "vmm/net/deadline.h"
#include "vmm/net/frame.h"
#include "vmm/stop_signal.h"

namespace silk::vmm {
namespace {

in_addr to_in_addr(const Ipv4& ip) {
  in_addr addr{};
  std::memcpy(&addr.s_addr, ip.data(), 4);
  return addr;
}

// SLIRP_POLL_* <-> poll(2) events.
short to_poll_events(int slirp_events) {
  short events = 0;
  if (slirp_events & SLIRP_POLL_IN) events |= POLLIN;
  if (slirp_events & SLIRP_POLL_OUT) events |= POLLOUT;
  if (slirp_events & SLIRP_POLL_PRI) events |= POLLPRI;
  if (slirp_events & SLIRP_POLL_ERR) events |= POLLERR;
  if (slirp_events & SLIRP_POLL_HUP) events |= POLLHUP;
  return events;
}
int to_slirp_events(short revents) {
  int events = 0;
  if (revents & POLLIN) events |= SLIRP_POLL_IN;
  if (revents & POLLOUT) events |= SLIRP_POLL_OUT;
  if (revents & POLLPRI) events |= SLIRP_POLL_PRI;
  if (revents & (POLLERR | POLLNVAL)) events |= SLIRP_POLL_ERR;
  if (revents & POLLHUP) events |= SLIRP_POLL_HUP;
  return events;
}

}  // namespace

// A slirp timer: either kind libslirp.h offers (timer_new's callback, or
// timer_new_opaque's id handed back to slirp_handle_timer).
struct SlirpBackend::Timer {
  SlirpTimerCb cb = nullptr;
  SlirpTimerId id = SLIRP_TIMER_RA;
  void* cb_opaque = nullptr;
  bool armed = false;
  int64_t expire_ms = 0;  // on clock_get_ns's clock
};

struct SlirpBackend::Callbacks {
  static SlirpBackend& self(void* opaque) { return *static_cast<SlirpBackend*>(opaque); }

  static ssize_t send_packet(const void* buf, size_t len, void* opaque) {
    SlirpBackend& b = self(opaque);
    if (b.to_guest_.size() >= kQueueFrames || len > kMaxFrame) {
      ++b.dropped_;
      return static_cast<ssize_t>(len);
    }
    auto* p = static_cast<const uint8_t*>(buf);
    b.to_guest_.emplace_back(p, p + len);
    return static_cast<ssize_t>(len);
  }
  // A guest can make slirp complain once per frame: the first few go to
  // stderr, the rest are only counted.
  static void guest_error(const char* msg, void* opaque) {
    constexpr uint64_t kPrinted = 5;
    uint64_t n = ++self(opaque).guest_errors_;
    if (n <= kPrinted)
      std::fprintf(stderr, "silk vm: user-mode networking: the guest sent a bad frame: %s%s\n", msg,
                   n == kPrinted ? " (further such messages are not printed)" : "");
  }
  static int64_t clock_get_ns(void*) { return static_cast<int64_t>(monotonic_ns()); }
  static void* timer_new(SlirpTimerCb cb, void* cb_opaque, void* opaque) {
    auto timer = std::make_unique<Timer>();
    timer->cb = cb;
    timer->cb_opaque = cb_opaque;
    self(opaque).timers_.push_back(std::move(timer));
    return self(opaque).timers_.back().get();
  }
  static void* timer_new_opaque(SlirpTimerId id, void* cb_opaque, void* opaque) {
    auto timer = std::make_unique<Timer>();
    timer->id = id;
    timer->cb_opaque = cb_opaque;
    self(opaque).timers_.push_back(std::move(timer));
    return self(opaque).timers_.back().get();
  }
  static void timer_free(void* timer, void* opaque) {
    std::erase_if(self(opaque).timers_, [timer](const auto& t) { return t.get() == timer; });
  }
  static void timer_mod(void* timer, int64_t expire_ms, void*) {
    static_cast<Timer*>(timer)->armed = true;
    static_cast<Timer*>(timer)->expire_ms = expire_ms;
  }
  // The monitor polls slirp's sockets afresh every round (slirp_pollfds_fill):
  // nothing to register, and no other thread to wake.
  static void register_poll_fd(int, void*) {}
  static void unregister_poll_fd(int, void*) {}
  static void notify(void*) {}

  static int add_poll(int fd, int events, void* opaque) {
    SlirpBackend& b = self(opaque);
    b.pollfds_.push_back(pollfd{fd, to_poll_events(events), 0});
    return static_cast<int>(b.pollfds_.size() - 1);
  }
  static int get_revents(int index, void* opaque) {
    SlirpBackend& b = self(opaque);
    if (index < 0 || static_cast<size_t>(index) >= b.pollfds_.size()) return 0;
    return to_slirp_events(b.pollfds_[static_cast<size_t>(index)].revents);
  }

  static constexpr SlirpCb kTable = {
      .send_packet = send_packet,
      .guest_error = guest_error,
      .clock_get_ns = clock_get_ns,
      .timer_new = timer_new,
      .timer_free = timer_free,
      .timer_mod = timer_mod,
      .register_poll_fd = register_poll_fd,
      .unregister_poll_fd = unregister_poll_fd,
      .notify = notify,
      .init_completed = nullptr,
      .timer_new_opaque = timer_new_opaque,
  };
};

namespace {

// libslirp listens on its -p sockets with a backlog of 1: a burst of
// connections (a browser, a load test) loses SYNs and waits out the
// client's 1 s retransmission. listen() again on a listening socket only
// changes its backlog, so every listening socket of this process (slirp's
// forwards are the only ones) gets SOMAXCONN, before the sandbox forbids it.
void widen_listen_backlogs() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return;
  while (dirent* e = ::readdir(dir)) {
    int fd = std::atoi(e->d_name);
    if (fd <= 2 || fd == ::dirfd(dir)) continue;
    int listening = 0;
    socklen_t len = sizeof listening;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening != 0)
      (void)::listen(fd, SOMAXCONN);
  }
  ::closedir(dir);
}

}  // namespace

Result<std::unique_ptr<SlirpBackend>> SlirpBackend::create(const std::vector<PortForward>& forwards) {
  std::unique_ptr<SlirpBackend> backend(new SlirpBackend());
  auto dns = DnsRelay::create();
  if (!dns) return dns.take_error();
  backend->dns_ = std::move(*dns);

  SlirpConfig cfg{};
  cfg.version = 4;
  cfg.restricted = 0;  // the guest may reach the host's networks through NAT, as with QEMU
  cfg.in_enabled = true;
  cfg.vnetwork = to_in_addr(kUserNetwork);
  cfg.vnetmask = to_in_addr(Ipv4{255, 255, 255, 0});
  cfg.vhost = to_in_addr(kUserHost);
  cfg.in6_enabled = false;
  cfg.vhostname = "silk";
  cfg.vdhcp_start = to_in_addr(kUserGuest);
  cfg.vnameserver = to_in_addr(kUserDns);
  cfg.if_mtu = kNetMtu;
  cfg.if_mru = kNetMtu;
  cfg.disable_host_loopback = false;  // 10.0.2.2:PORT reaches the host's 127.0.0.1:PORT
  cfg.enable_emu = false;             // slirp's protocol rewriting (FTP, IRC, ...): "not safe"
  cfg.disable_dns = true;             // dns_relay.h answers 10.0.2.3:53
  cfg.disable_dhcp = false;
  backend->slirp_ = slirp_new(&cfg, &Callbacks::kTable, backend.get());
  if (backend->slirp_ == nullptr) return make_error("user-mode networking: libslirp could not start");

  for (const PortForward& f : forwards) {
    if (slirp_add_hostfwd(backend->slirp_, f.udp ? 1 : 0, to_in_addr(Ipv4{127, 0, 0, 1}), f.host_port,
                          to_in_addr(kUserGuest), f.guest_port) < 0) {
      std::string spec = std::string(f.udp ? "udp:" : "") + std::to_string(f.host_port) + ":" +
                         std::to_string(f.guest_port);
      return make_error("-p " + spec + ": 127.0.0.1:" + std::to_string(f.host_port) + ": " + std::strerror(errno));
    }
  }
  if (!forwards.empty()) widen_listen_backlogs();
  return backend;
}


SlirpBackend::~SlirpBackend() {
  if (slirp_ != nullptr) slirp_cleanup(slirp_);
}

std::string SlirpBackend::name() const {
  return std::string("user (libslirp ") + slirp_version_string() + ", DNS relay to " + dns_.upstream() + ")";
}

std::string SlirpBackend::stats() const {
  return "DNS " + std::to_string(dns_.queries()) + " queries, " + std::to_string(dns_.answers()) + " answers; " +
         std::to_string(filtered_) + " other frames to 10.0.2.3 dropped; " + std::to_string(guest_errors_) +
         " bad frames";
}

Result<void> SlirpBackend::send(std::span<const uint8_t> frame) {
  if (dns_.take_query(frame)) return {};
  // slirp must not see any other traffic to 10.0.2.3 (dns_relay.h): only
  // ICMP, which it answers itself.
  frame::Ipv4Packet ip;
  if (frame::parse_ipv4(frame, ip) && ip.dst == kUserDns && ip.protocol != frame::kProtoIcmp) {
    ++filtered_;
    return {};
  }
  slirp_input(slirp_, frame.data(), static_cast<int>(frame.size()));
  return {};
}

Result<size_t> SlirpBackend::receive(std::span<uint8_t> buf) {
  // A guest that only reads still moves the network; and slirp must look at
  // its sockets now and then even while frames wait for the guest: its
  // port-forward listeners have a backlog of 1, and a burst of connections
  // is reset by the host's kernel when nobody accepts them.
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  uint64_t now_ns = static_cast<uint64_t>(now.tv_sec) * 1000000000ull + static_cast<uint64_t>(now.tv_nsec);
  if (to_guest_.empty() || now_ns - last_poll_ns_ > 200000) {
    last_poll_ns_ = now_ns;
    SILK_TRY(poll_once(0));
  }
  if (to_guest_.empty()) return size_t{0};
  std::vector<uint8_t>& next = to_guest_.front();
  size_t n = std::min(next.size(), buf.size());
  std::memcpy(buf.data(), next.data(), n);
  to_guest_.pop_front();
  return n;
}

Result<bool> SlirpBackend::wait(uint64_t timeout_ns) {
  Deadline deadline(timeout_ns);
  for (;;) {
    if (!to_guest_.empty()) return true;
    SILK_TRY(poll_once(deadline.remaining_ns()));
    if (!to_guest_.empty()) return true;
    if (deadline.passed() || stop_signal_waiting()) return false;
  }
}

Result<void> SlirpBackend::poll_once(uint64_t timeout_ns) {
  pollfds_.clear();
  // slirp lowers the timeout (ms) to its own TCP timers' needs.
  uint64_t ms = std::min<uint64_t>((timeout_ns + 999999) / 1000000, UINT32_MAX - 1);
  uint32_t slirp_ms = static_cast<uint32_t>(ms);
  slirp_pollfds_fill(slirp_, &slirp_ms, Callbacks::add_poll, this);
  uint64_t wait_ns = std::min<uint64_t>(timeout_ns, uint64_t{slirp_ms} * 1000000);
  int64_t now_ms = static_cast<int64_t>(monotonic_ns() / 1000000);
  for (const auto& t : timers_)
    if (t->armed) wait_ns = std::min<uint64_t>(wait_ns, t->expire_ms <= now_ms ? 0 : (t->expire_ms - now_ms) * 1000000);
  size_t dns_index = pollfds_.size();
  if (dns_.fd() >= 0) pollfds_.push_back(pollfd{dns_.fd(), POLLIN, 0});

  timespec ts{static_cast<time_t>(wait_ns / 1000000000), static_cast<long>(wait_ns % 1000000000)};
  int n = ::ppoll(pollfds_.data(), pollfds_.size(), &ts, nullptr);
  if (n < 0 && errno != EINTR) return make_error(std::string("user-mode networking: ppoll: ") + std::strerror(errno));
  // On EINTR slirp skips its sockets (select_error) but still runs its TCP timers.
  slirp_pollfds_poll(slirp_, n < 0 ? 1 : 0, Callbacks::get_revents, this);
  run_expired_timers();
  if (n > 0 && dns_index < pollfds_.size() && pollfds_[dns_index].revents != 0)
    dns_.read_answers(to_guest_, kQueueFrames);
  return {};
}

void SlirpBackend::run_expired_timers() {
  int64_t now_ms = static_cast<int64_t>(monotonic_ns() / 1000000);
  // A callback may modify or free timers: collect first, then fire.
  std::vector<Timer*> due;
  for (const auto& t : timers_)
    if (t->armed && t->expire_ms <= now_ms) due.push_back(t.get());
  for (Timer* t : due) {
    bool alive = std::any_of(timers_.begin(), timers_.end(), [t](const auto& u) { return u.get() == t; });
    if (!alive || !t->armed) continue;
    t->armed = false;
    if (t->cb != nullptr) {
      t->cb(t->cb_opaque);
    } else {
      slirp_handle_timer(slirp_, t->id, t->cb_opaque);
    }
  }
}

}  // namespace silk::vmm
