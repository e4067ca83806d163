// Linux errno values (include/uapi/asm-generic/errno-base.h, errno.h). Kernel
// functions that can fail the way a system call does return -errno as an
// int64_t (or int), so a system call handler passes the value through.
#pragma once

#include <stdint.h>

namespace silk::kernel::err {

inline constexpr int64_t kPerm = 1, kNoent = 2, kSrch = 3, kIntr = 4, kIo = 5, kNxio = 6, kBadf = 9,
                         kAgain = 11, kNomem = 12, kAcces = 13, kFault = 14, kBusy = 16, kExist = 17, kXdev = 18,
                         kNodev = 19, kNotdir = 20, kIsdir = 21, kInval = 22, kNfile = 23, kMfile = 24,
                         kNotty = 25, kFbig = 27, kNospc = 28, kSpipe = 29, kRofs = 30, kMlink = 31, kRange = 34,
                         kNametoolong = 36, kNosys = 38, kNotempty = 39, kLoop = 40, kOpnotsupp = 95;
// Pipes and sockets.
inline constexpr int64_t kPipe = 32, kDeadlk = 35, kNotsock = 88, kDestaddrreq = 89, kMsgsize = 90,
                         kPrototype = 91, kNoprotoopt = 92, kProtonosupport = 93, kSocktnosupport = 94,
                         kPfnosupport = 96, kAfnosupport = 97, kAddrinuse = 98, kAddrnotavail = 99,
                         kNetdown = 100, kNetunreach = 101, kConnaborted = 103, kConnreset = 104, kNobufs = 105,
                         kIsconn = 106, kNotconn = 107, kTimedout = 110, kConnrefused = 111, kHostunreach = 113,
                         kAlready = 114, kInprogress = 115;

}  // namespace silk::kernel::err
