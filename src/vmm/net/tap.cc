#include "vmm/net/tap.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "vmm/net/deadline.h"
#include "vmm/stop_signal.h"

namespace silk::vmm {

Result<std::unique_ptr<TapBackend>> TapBackend::open(const std::string& ifname) {
  // TUNSETIFF would create a missing interface (with CAP_NET_ADMIN): only
  // attach to one that exists, as Solo5 does.
  if (::if_nametoindex(ifname.c_str()) == 0) return make_error(ifname + ": no such network interface");
  Fd fd(::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) return make_error(ifname + ": /dev/net/tun: " + std::strerror(errno));
  ifreq req{};
  req.ifr_flags = IFF_TAP | IFF_NO_PI;
  std::memcpy(req.ifr_name, ifname.c_str(), ifname.size() + 1);  // net_config.cc checked < IFNAMSIZ
  if (::ioctl(fd.get(), TUNSETIFF, &req) < 0) {
    int err = errno;
    std::string why = err == EINVAL ? "not a tap device, or another process has it"
                      : err == EBUSY ? "another process has it open"
                      : err == EPERM ? "not permitted (the tap's owner/group must be this user, or run as root)"
                                     : std::strerror(err);
    return make_error(ifname + ": attaching (TUNSETIFF): " + why);
  }
  return std::unique_ptr<TapBackend>(new TapBackend(std::move(fd), ifname));
}

Result<void> TapBackend::send(std::span<const uint8_t> frame) {
  for (;;) {
    ssize_t n = ::write(fd_.get(), frame.data(), frame.size());
    if (n >= 0) return {};
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {  // the tap's queue is full: dropped, as on a wire
      ++dropped_;
      return {};
    }
    return make_error(ifname_ + ": write: " + std::strerror(errno));
  }
}

Result<size_t> TapBackend::receive(std::span<uint8_t> buf) {
  for (;;) {
    ssize_t n = ::read(fd_.get(), buf.data(), buf.size());
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return size_t{0};
    return make_error(ifname_ + ": read: " + std::strerror(errno));
  }
}

Result<bool> TapBackend::wait(uint64_t timeout_ns) {
  Deadline deadline(timeout_ns);
  for (;;) {
    pollfd p{fd_.get(), POLLIN, 0};
    timespec ts = deadline.remaining_timespec();
    int n = ::ppoll(&p, 1, &ts, nullptr);
    if (n > 0) {
      if ((p.revents & (POLLERR | POLLNVAL)) != 0) return make_error(ifname_ + ": ppoll: the device failed");
      return true;
    }
    if (n == 0) return false;
    if (errno != EINTR) return make_error(ifname_ + ": ppoll: " + std::strerror(errno));
    if (deadline.passed() || stop_signal_waiting()) return false;
  }
}

}  // namespace silk::vmm
