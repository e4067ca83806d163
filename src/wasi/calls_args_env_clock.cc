// WASI calls without file descriptors: args_*, environ_*, clock_*, and the
// process calls proc_exit, proc_raise, sched_yield, random_get.
#include <sched.h>
#include <sys/random.h>
#include <time.h>

#include <cerrno>

#include "wasi/abi.h"
#include "wasi/wasi_state.h"

namespace silk::wasi {

namespace {

// args_get/environ_get: {ptrs} receives one pointer per string, {buf} the
// NUL-terminated strings back to back.
Errno write_strings(Call& c, const std::vector<std::string>& strings, GuestPtr ptrs, GuestPtr buf) {
  uint64_t total = 0;
  for (const std::string& s : strings) total += s.size() + 1;
  auto ptr_bytes = c.mem.bytes(ptrs, uint64_t(strings.size()) * 4);
  auto buf_bytes = c.mem.bytes(buf, total);
  if (!ptr_bytes || !buf_bytes) return Errno::kFAULT;
  uint32_t offset = 0;
  for (size_t i = 0; i < strings.size(); ++i) {
    c.mem.store<uint32_t>(ptrs + uint32_t(i) * 4, buf + offset);
    std::memcpy(buf_bytes->data() + offset, strings[i].c_str(), strings[i].size() + 1);
    offset += uint32_t(strings[i].size() + 1);
  }
  return Errno::kSUCCESS;
}

Errno write_sizes(Call& c, const std::vector<std::string>& strings, GuestPtr count_ptr, GuestPtr size_ptr) {
  uint64_t total = 0;
  for (const std::string& s : strings) total += s.size() + 1;
  if (!c.mem.in_bounds(count_ptr, 4) || !c.mem.in_bounds(size_ptr, 4)) return Errno::kFAULT;
  c.mem.store<uint32_t>(count_ptr, uint32_t(strings.size()));
  c.mem.store<uint32_t>(size_ptr, uint32_t(total));
  return Errno::kSUCCESS;
}

}  // namespace

bool host_clock(uint32_t id, clockid_t& out) {
  switch (id) {
    case abi::kClockRealtime: out = CLOCK_REALTIME; return true;
    case abi::kClockMonotonic: out = CLOCK_MONOTONIC; return true;
    case abi::kClockProcessCputime: out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case abi::kClockThreadCputime: out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
  }
}

Errno call_args_get(Call& c) { return write_strings(c, c.ctx.options.args, c.u32(0), c.u32(1)); }
Errno call_args_sizes_get(Call& c) { return write_sizes(c, c.ctx.options.args, c.u32(0), c.u32(1)); }
Errno call_environ_get(Call& c) { return write_strings(c, c.ctx.options.env, c.u32(0), c.u32(1)); }
Errno call_environ_sizes_get(Call& c) { return write_sizes(c, c.ctx.options.env, c.u32(0), c.u32(1)); }

Errno call_clock_res_get(Call& c) {
  clockid_t id;
  if (!host_clock(c.u32(0), id)) return Errno::kINVAL;
  timespec ts;
  if (clock_getres(id, &ts) != 0) return last_errno();
  uint64_t ns = uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
  return c.mem.store<uint64_t>(c.u32(1), ns) ? Errno::kSUCCESS : Errno::kFAULT;
}

Errno call_clock_time_get(Call& c) {
  clockid_t id;
  if (!host_clock(c.u32(0), id)) return Errno::kINVAL;
  // {precision} (arg 1) is a hint; the host clock is always read precisely.
  timespec ts;
  if (clock_gettime(id, &ts) != 0) return last_errno();
  uint64_t ns = uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
  return c.mem.store<uint64_t>(c.u32(2), ns) ? Errno::kSUCCESS : Errno::kFAULT;
}

Errno call_proc_exit(Call& c) {
  c.ctx.exit_code = int(c.u32(0));
  c.exit_requested = true;
  return Errno::kSUCCESS;
}

// Signals are not part of the sandbox: the guest cannot raise one on the host.
Errno call_proc_raise(Call&) { return Errno::kNOSYS; }

Errno call_sched_yield(Call&) {
  sched_yield();
  return Errno::kSUCCESS;
}

Errno call_random_get(Call& c) {
  auto buf = c.mem.bytes(c.u32(0), c.u32(1));
  if (!buf) return Errno::kFAULT;
  size_t done = 0;
  while (done < buf->size()) {
    ssize_t n = getrandom(buf->data() + done, buf->size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno();
    }
    done += size_t(n);
  }
  return Errno::kSUCCESS;
}

}  // namespace silk::wasi
