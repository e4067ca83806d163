// silk::report_app_start — tells silk's unikernel that the runtime is about
// to run the app, for `silk vm --trace-boot` (monitor start -> app _start).
// Does nothing on Linux: the call is made only when uname() names silk's
// kernel, through the kernel's private system call kSilkBootEventSyscall.
#pragma once

#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstring>

namespace silk {

// Outside Linux's system-call range; silk's kernel forwards it to the
// monitor as an hvt BootEvent (argument: the event, 2 = the app starts).
inline constexpr long kSilkBootEventSyscall = 0x5111;

// Whether this process runs on silk's own kernel (uname's release names it).
inline bool running_in_silk_kernel() {
  static const bool in_silk_kernel = [] {
    utsname u{};
    return ::uname(&u) == 0 && std::strstr(u.release, "-silk") != nullptr;
  }();
  return in_silk_kernel;
}

inline void report_app_start() {
  if (running_in_silk_kernel()) ::syscall(kSilkBootEventSyscall, 2);
}

}  // namespace silk
