// The readiness bits of poll(2) and epoll(7) (include/uapi/linux/eventpoll.h,
// asm-generic/poll.h): the low 16 bits are the same for both.
#pragma once

#include <stdint.h>

namespace silk::kernel::event {

inline constexpr uint32_t kPollIn = 0x1, kPollPri = 0x2, kPollOut = 0x4, kPollErr = 0x8, kPollHup = 0x10,
                          kPollNval = 0x20, kPollRdNorm = 0x40, kPollRdBand = 0x80, kPollWrNorm = 0x100,
                          kPollWrBand = 0x200, kPollMsg = 0x400, kPollRdHup = 0x2000;
// epoll_ctl's input-only flags.
inline constexpr uint32_t kEpollExclusive = 1u << 28, kEpollWakeup = 1u << 29, kEpollOneshot = 1u << 30,
                          kEpollEt = 1u << 31;
// Reported whether asked for or not.
inline constexpr uint32_t kAlwaysReported = kPollErr | kPollHup;

}  // namespace silk::kernel::event
