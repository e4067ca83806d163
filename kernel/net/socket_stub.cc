// net/socket.h without lwIP (the kernel was configured without
// SILK_LWIP_DIR): socket(2) reports -EAFNOSUPPORT, as Linux without IPv4,
// so no socket file ever exists and the rest is unreachable.

#include "lib/errno.h"
#include "net/socket.h"

namespace silk::kernel::net::socket {

int64_t create(int, int, bool, fs::File**) { return -err::kAfnosupport; }
bool is_socket(const fs::File*) { return false; }
int64_t bind(fs::File*, const SockAddrIn&) { return -err::kNotsock; }
int64_t listen(fs::File*, int) { return -err::kNotsock; }
int64_t accept(fs::File*, bool, fs::File**, SockAddrIn*) { return -err::kNotsock; }
int64_t connect(fs::File*, const SockAddrIn&) { return -err::kNotsock; }
int64_t send(fs::File*, const fs::IoVec*, uint64_t, int, const SockAddrIn*) { return -err::kNotsock; }
int64_t recv(fs::File*, const fs::IoVec*, uint64_t, int, SockAddrIn*, int*) { return -err::kNotsock; }
int64_t shutdown(fs::File*, int) { return -err::kNotsock; }
int64_t setsockopt(fs::File*, int, int, const uint8_t*, uint32_t) { return -err::kNotsock; }
int64_t getsockopt(fs::File*, int, int, uint8_t*, uint32_t*) { return -err::kNotsock; }
int64_t name(fs::File*, bool, SockAddrIn*) { return -err::kNotsock; }

}  // namespace silk::kernel::net::socket
