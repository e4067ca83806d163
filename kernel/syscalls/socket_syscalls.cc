// The socket system calls: argument checks and the copies of addresses,
// message headers and options between user memory and the kernel; the
// sockets themselves are net/socket.h. Errors as Linux orders them: -EBADF
// for a closed descriptor, -ENOTSOCK for one that is not a socket, then
// -EFAULT/-EINVAL for the arguments, then the protocol's.
#include "fs/file.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "net/socket.h"
#include "proc/fd_table.h"
#include "syscalls/args.h"
#include "syscalls/syscalls.h"

namespace silk::kernel::syscalls {
namespace {

namespace sock = net::socket;
using sock::SockAddrIn;

constexpr int32_t kSockaddrStorage = 128;  // the largest address Linux copies in
constexpr uint64_t kMaxIov = 1024;         // UIO_MAXIOV
constexpr uint64_t kMaxMmsg = 1024;        // UIO_MAXIOV for sendmmsg/recvmmsg
constexpr uint32_t kMaxOption = 256;
constexpr int kSockMax = 11;  // SOCK_MAX
constexpr int kAfMax = 46;    // AF_MAX (NPROTO)

// struct msghdr and struct mmsghdr (x86-64).
struct MsgHdr {
  uint64_t name;
  uint32_t namelen;
  uint32_t pad0;
  uint64_t iov;
  uint64_t iovlen;
  uint64_t control;
  uint64_t controllen;
  int32_t flags;
  uint32_t pad1;
};
static_assert(sizeof(MsgHdr) == 56);
constexpr uint64_t kMmsgSize = 64;  // msghdr + unsigned int msg_len + padding
constexpr uint64_t kMsgNamelenOffset = 8, kMsgControllenOffset = 40, kMsgFlagsOffset = 48;

// The socket open at {fd}: 0, -EBADF or -ENOTSOCK.
int64_t socket_at(uint64_t fd, fs::File** out) {
  fs::File* file = file_of(fd);
  if (file == nullptr) return -err::kBadf;
  if (!sock::is_socket(file)) return -err::kNotsock;
  *out = file;
  return 0;
}

// Copies a struct sockaddr of {len} bytes in. AF_INET needs all 16 bytes;
// other families keep only their family (the protocol rejects them).
int64_t read_address(uint64_t user, uint64_t len, SockAddrIn* out) {
  auto n = static_cast<int32_t>(len);
  if (n < 0 || n > kSockaddrStorage) return -err::kInval;
  if (n < 2) return -err::kInval;
  uint8_t buf[16] = {};
  if (!copy_from_user(buf, user, n < 16 ? static_cast<uint64_t>(n) : 16)) return -err::kFault;
  memcpy(out, buf, sizeof *out);
  if (out->family == sock::kAfInet && n < 16) return -err::kInval;
  return 0;
}

// Reads the user's socklen_t at {len_ptr} (the room at {user}) before the
// call: -EFAULT, -EINVAL (negative). {user} 0: nothing to report.
int64_t read_address_room(uint64_t user, uint64_t len_ptr, int32_t* room) {
  *room = 0;
  if (user == 0) return 0;
  if (!copy_from_user(room, len_ptr, sizeof *room)) return -err::kFault;
  return *room < 0 ? -err::kInval : 0;
}

// Writes {a} truncated to {room} bytes and its real length to {len_ptr};
// {family} AF_UNSPEC: no address (length 0).
int64_t write_address(uint64_t user, uint64_t len_ptr, int32_t room, const SockAddrIn& a) {
  if (user == 0) return 0;
  int32_t real = a.family == sock::kAfUnspec ? 0 : static_cast<int32_t>(sizeof a);
  uint64_t n = static_cast<uint64_t>(room < real ? room : real);
  if (n != 0 && !copy_to_user(user, &a, n)) return -err::kFault;
  return copy_to_user(len_ptr, &real, sizeof real) ? 0 : -err::kFault;
}

// Checks a user iovec array: -EMSGSIZE (too many), -EFAULT, -EINVAL (a
// negative length).
int64_t check_iov(uint64_t iov, uint64_t count) {
  if (count > kMaxIov) return -err::kMsgsize;
  if (count != 0 && !user_readable(iov, count * sizeof(fs::IoVec))) return -err::kFault;
  // SAFETY: checked readable above.
  const auto* v = reinterpret_cast<const fs::IoVec*>(iov);
  for (uint64_t i = 0; i < count; ++i) {
    if (static_cast<int64_t>(v[i].len) < 0) return -err::kInval;
  }
  return 0;
}

int64_t send_msg(fs::File* file, uint64_t msg, int flags) {
  MsgHdr h;
  if (!copy_from_user(&h, msg, sizeof h)) return -err::kFault;
  if (int64_t r = check_iov(h.iov, h.iovlen); r != 0) return r;
  SockAddrIn to{};
  bool has_to = h.name != 0 && h.namelen != 0;
  if (has_to) {
    if (int64_t r = read_address(h.name, h.namelen, &to); r != 0) return r;
  }
  // Control messages (SCM_RIGHTS, ...) are not supported and are ignored.
  return sock::send(file, reinterpret_cast<const fs::IoVec*>(h.iov), h.iovlen, flags, has_to ? &to : nullptr);
}

int64_t recv_msg(fs::File* file, uint64_t msg, int flags) {
  MsgHdr h;
  if (!copy_from_user(&h, msg, sizeof h)) return -err::kFault;
  if (int64_t r = check_iov(h.iov, h.iovlen); r != 0) return r;
  if (static_cast<int32_t>(h.namelen) < 0) return -err::kInval;
  SockAddrIn from{};
  int msg_flags = 0;
  int64_t r = sock::recv(file, reinterpret_cast<const fs::IoVec*>(h.iov), h.iovlen, flags,
                         h.name != 0 ? &from : nullptr, &msg_flags);
  if (r < 0) return r;
  uint32_t namelen = 0;
  if (h.name != 0 && from.family != sock::kAfUnspec) {
    uint64_t n = h.namelen < sizeof from ? h.namelen : sizeof from;
    if (n != 0 && !copy_to_user(h.name, &from, n)) return -err::kFault;
    namelen = sizeof from;
  }
  uint64_t controllen = 0;  // no control messages
  if (!copy_to_user(msg + kMsgNamelenOffset, &namelen, sizeof namelen) ||
      !copy_to_user(msg + kMsgControllenOffset, &controllen, sizeof controllen) ||
      !copy_to_user(msg + kMsgFlagsOffset, &msg_flags, sizeof msg_flags)) {
    return -err::kFault;
  }
  return r;
}

int64_t do_accept(uint64_t fd, uint64_t addr, uint64_t len_ptr, uint64_t flags) {
  if ((flags & ~uint64_t{sock::kSockNonblock | sock::kSockCloexec}) != 0) return -err::kInval;
  fs::File* file;
  if (int64_t r = socket_at(fd, &file); r != 0) return r;
  int32_t room;
  if (int64_t r = read_address_room(addr, len_ptr, &room); r != 0) return r;
  if (addr != 0 && !user_writable(addr, static_cast<uint64_t>(room))) return -err::kFault;
  fs::File* accepted;
  SockAddrIn peer;
  if (int64_t r = sock::accept(file, (flags & sock::kSockNonblock) != 0, &accepted, &peer); r != 0) return r;
  int new_fd = proc::fds::install(accepted, (flags & sock::kSockCloexec) != 0);
  if (new_fd < 0) return new_fd;
  // As Linux, a failed address copy loses the connection's descriptor.
  if (int64_t r = write_address(addr, len_ptr, room, peer); r != 0) {
    proc::fds::close(new_fd);
    return r;
  }
  return new_fd;
}

int64_t get_name(uint64_t fd, uint64_t addr, uint64_t len_ptr, bool peer) {
  fs::File* file;
  if (int64_t r = socket_at(fd, &file); r != 0) return r;
  int32_t room;
  if (!copy_from_user(&room, len_ptr, sizeof room)) return -err::kFault;
  if (room < 0) return -err::kInval;
  SockAddrIn a;
  if (int64_t r = sock::name(file, peer, &a); r != 0) return r;
  return write_address(addr, len_ptr, room, a);
}

}  // namespace

int64_t sys_socket(uint64_t domain, uint64_t type, uint64_t protocol, uint64_t, uint64_t, uint64_t) {
  auto t = static_cast<int32_t>(type);
  int flags = t & ~0xf;
  if ((flags & ~(sock::kSockNonblock | sock::kSockCloexec)) != 0) return -err::kInval;
  auto family = static_cast<int32_t>(domain);
  if (family < 0 || family >= kAfMax) return -err::kAfnosupport;
  int base = t & 0xf;
  if (base >= kSockMax) return -err::kInval;
  // Only IPv4: AF_INET6 and AF_UNIX callers (glibc's nscd probe, hiredis,
  // getaddrinfo's results) fall back when told the family is unsupported.
  if (family != sock::kAfInet) return -err::kAfnosupport;
  fs::File* file;
  if (int64_t r = sock::create(base, static_cast<int32_t>(protocol), (flags & sock::kSockNonblock) != 0, &file);
      r != 0) {
    return r;
  }
  return proc::fds::install(file, (flags & sock::kSockCloexec) != 0);
}

int64_t sys_socketpair(uint64_t domain, uint64_t, uint64_t, uint64_t sv, uint64_t, uint64_t) {
  if (!user_writable(sv, 8)) return -err::kFault;
  // AF_UNIX is not there yet; AF_INET has no pairs (Linux: -EOPNOTSUPP).
  return static_cast<int32_t>(domain) == sock::kAfInet ? -err::kOpnotsupp : -err::kAfnosupport;
}

int64_t sys_bind(uint64_t fd, uint64_t addr, uint64_t len, uint64_t, uint64_t, uint64_t) {
  fs::File* file;
  if (int64_t r = socket_at(fd, &file); r != 0) return r;
  SockAddrIn a;
  if (int64_t r = read_address(addr, len, &a); r != 0) return r;
  if (static_cast<int32_t>(len) < static_cast<int32_t>(sizeof a)) return -err::kInval;  // inet_bind's first check
  return sock::bind(file, a);
}

int64_t sys_listen(uint64_t fd, uint64_t backlog, uint64_t, uint64_t, uint64_t, uint64_t) {
  fs::File* file;
  if (int64_t r = socket_at(fd, &file); r != 0) return r;
  auto n = static_cast<int32_t>(backlog);
  return sock::listen(file, n > 4096 ? 4096 : n);  // net.core.somaxconn
}

int64_t sys_accept(uint64_t fd, uint64_t addr, uint64_t len_ptr, uint64_t, uint64_t, uint64_t) {
  return do_accept(fd, addr, len_ptr, 0);
}
int64_t sys_accept4(uint64_t fd, uint64_t addr, uint64_t len_ptr, uint64_t flags, uint64_t, uint64_t) {
  return do_accept(fd, addr, len_ptr, flags);
}

int64_t sys_connect(uint64_t fd, uint64_t addr, uint64_t len, uint64_t, uint64_t, uint64_t) {
  fs::File* file;
  if (int64_t r = socket_at(fd, &file); r != 0) return r;
  SockAddrIn a;
  if (int64_t r = read_address(addr, len, &a); r != 0) return r;
  return sock::connect(file, a);
}

int64_t sys_shutdown(uint64_t fd, uint64_t how, uint64_t, uint64_t, uint64_t, uint64_t) {
  fs::File* file;
  if (int64_t r = socket_at(fd, &file); r != 0) return r;
  return sock::shutdown(file, static_cast<int32_t>(how));
}

int64_t sys_getsockname(uint64_t fd, uint64_t addr, uint64_t len_ptr, uint64_t, uint64_t, uint64_t) {
  return get_name(fd, addr, len_ptr, false);
}
int64_t sys_getpeername(uint64_t fd, uint64_t addr, uint64_t len_ptr, uint64_t, uint64_t, uint64_t) {
  return get_name(fd, addr, len_ptr, true);
}

int64_t sys_sendto(uint64_t fd, uint64_t buf, uint64_t len, uint64_t flags, uint64_t addr, uint64_t addr_len) {
  fs::File* file;
  if (int64_t r = socket_at(fd, &file); r != 0) return r;
  SockAddrIn to{};
  bool has_to = addr != 0 && addr_len != 0;
  if (has_to) {
    if (int64_t r = read_address(addr, addr_len, &to); r != 0) return r;
  }
  fs::IoVec v{buf, len};
  return sock::send(file, &v, 1, static_cast<int32_t>(flags), has_to ? &to : nullptr);
}

int64_t sys_recvfrom(uint64_t fd, uint64_t buf, uint64_t len, uint64_t flags, uint64_t addr, uint64_t len_ptr) {
  fs::File* file;
  if (int64_t r = socket_at(fd, &file); r != 0) return r;
  int32_t room;
  if (int64_t r = read_address_room(addr, len_ptr, &room); r != 0) return r;
  fs::IoVec v{buf, len};
  SockAddrIn from{};
  int64_t r = sock::recv(file, &v, 1, static_cast<int32_t>(flags), addr != 0 ? &from : nullptr, nullptr);
  if (r < 0) return r;
  if (int64_t w = write_address(addr, len_ptr, room, from); w != 0) return w;
  return r;
}

int64_t sys_sendmsg(uint64_t fd, uint64_t msg, uint64_t flags, uint64_t, uint64_t, uint64_t) {
  fs::File* file;
  if (int64_t r = socket_at(fd, &file); r != 0) return r;
  return send_msg(file, msg, static_cast<int32_t>(flags));
}

int64_t sys_recvmsg(uint64_t fd, uint64_t msg, uint64_t flags, uint64_t, uint64_t, uint64_t) {
  fs::File* file;
  if (int64_t r = socket_at(fd, &file); r != 0) return r;
  return recv_msg(file, msg, static_cast<int32_t>(flags));
}

int64_t sys_sendmmsg(uint64_t fd, uint64_t vec, uint64_t vlen, uint64_t flags, uint64_t, uint64_t) {
  fs::File* file;
  if (int64_t r = socket_at(fd, &file); r != 0) return r;
  uint64_t n = static_cast<uint32_t>(vlen);
  if (n > kMaxMmsg) n = kMaxMmsg;
  uint64_t sent = 0;
  for (; sent < n; ++sent) {
    uint64_t entry = vec + sent * kMmsgSize;
    int64_t r = send_msg(file, entry, static_cast<int32_t>(flags));
    if (r < 0) return sent != 0 ? static_cast<int64_t>(sent) : r;
    auto len = static_cast<uint32_t>(r);
    if (!copy_to_user(entry + sizeof(MsgHdr), &len, sizeof len)) {
      return sent != 0 ? static_cast<int64_t>(sent) : -err::kFault;
    }
  }
  return static_cast<int64_t>(sent);
}

int64_t sys_recvmmsg(uint64_t fd, uint64_t vec, uint64_t vlen, uint64_t flags, uint64_t timeout, uint64_t) {
  fs::File* file;
  if (int64_t r = socket_at(fd, &file); r != 0) return r;
  if (timeout != 0) {
    int64_t ts[2];
    if (!copy_from_user(ts, timeout, sizeof ts)) return -err::kFault;
    if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000) return -err::kInval;
  }
  uint64_t n = static_cast<uint32_t>(vlen);
  if (n > kMaxMmsg) n = kMaxMmsg;
  auto f = static_cast<int32_t>(flags);
  uint64_t got = 0;
  for (; got < n; ++got) {
    uint64_t entry = vec + got * kMmsgSize;
    int64_t r = recv_msg(file, entry, f & ~sock::kMsgWaitforone);
    if (r < 0) return got != 0 ? static_cast<int64_t>(got) : r;
    auto len = static_cast<uint32_t>(r);
    if (!copy_to_user(entry + sizeof(MsgHdr), &len, sizeof len)) {
      return got != 0 ? static_cast<int64_t>(got) : -err::kFault;
    }
    if ((f & sock::kMsgWaitforone) != 0) f |= sock::kMsgDontwait;
  }
  return static_cast<int64_t>(got);
}

int64_t sys_setsockopt(uint64_t fd, uint64_t level, uint64_t name, uint64_t value, uint64_t len, uint64_t) {
  fs::File* file;
  if (int64_t r = socket_at(fd, &file); r != 0) return r;
  auto n = static_cast<int32_t>(len);
  if (n < 0) return -err::kInval;
  uint8_t buf[kMaxOption];
  uint32_t copied = static_cast<uint32_t>(n) < kMaxOption ? static_cast<uint32_t>(n) : kMaxOption;
  if (copied != 0 && !copy_from_user(buf, value, copied)) return -err::kFault;
  return sock::setsockopt(file, static_cast<int32_t>(level), static_cast<int32_t>(name), buf, copied);
}

int64_t sys_getsockopt(uint64_t fd, uint64_t level, uint64_t name, uint64_t value, uint64_t len_ptr, uint64_t) {
  fs::File* file;
  if (int64_t r = socket_at(fd, &file); r != 0) return r;
  int32_t room;
  if (!copy_from_user(&room, len_ptr, sizeof room)) return -err::kFault;
  if (room < 0) return -err::kInval;
  uint8_t buf[kMaxOption] = {};
  uint32_t n = static_cast<uint32_t>(room) < kMaxOption ? static_cast<uint32_t>(room) : kMaxOption;
  if (int64_t r = sock::getsockopt(file, static_cast<int32_t>(level), static_cast<int32_t>(name), buf, &n); r != 0) {
    return r;
  }
  if (n != 0 && !copy_to_user(value, buf, n)) return -err::kFault;
  auto written = static_cast<int32_t>(n);
  return copy_to_user(len_ptr, &written, sizeof written) ? 0 : -err::kFault;
}

}  // namespace silk::kernel::syscalls
