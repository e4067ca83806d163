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

inline void report_app_start() {
  static const bool in_silk_kernel = [] {
    utsname u{};
    return ::uname(&u) == 0 && std::strstr(u.release, "-silk") != nullptr;
  }();
  if (in_silk_kernel) ::syscall(kSilkBootEventSyscall, 2);
}

}  // namespace silk
