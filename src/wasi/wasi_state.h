// silk::wasi — internal: the state behind a WasiContext and the uniform shape
// of a WASI call. Every call_<name> (wasi_functions.def) takes a Call, which
// holds the raw arguments and the checked view of the caller's memory, and
// returns a WASI errno; proc_exit sets {exit_code} and asks for a trap.
#pragma once

#include <time.h>

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "wasi/errno.h"
#include "wasi/fd_table.h"
#include "wasi/guest_memory.h"
#include "wasi/wasi.h"

namespace silk::wasi {

struct WasiContext::Impl {
  WasiOptions options;
  FdTable fds;
  std::optional<int> exit_code;
};

struct Call {
  WasiContext::Impl& ctx;
  GuestMemory mem;
  std::span<const wasm::Value> args;
  bool unstable = false;  // imported from wasi_unstable (older layouts, whence order)
  bool exit_requested = false;

  uint32_t u32(size_t i) const { return args[i].as_i32(); }
  uint64_t u64(size_t i) const { return args[i].as_i64(); }
};

using CallHandler = Errno (*)(Call&);

#define WASI_FUNCTION(name, params, results) Errno call_##name(Call& c);
#include "wasi/wasi_functions.def"
#undef WASI_FUNCTION

// Helpers shared by the calls_*.cc files.

// Reads the guest's iovec array ({iovs}, {count} entries), checks every
// buffer, and turns it into host iovecs. EFAULT if any part is out of bounds.
Errno gather_iovecs(const Call& c, GuestPtr iovs, uint32_t count, std::vector<struct iovec>& out);
// The host clock for WASI clock id {id}; false if there is none.
bool host_clock(uint32_t id, clockid_t& out);
// Host errno -> WASI errno of the current `errno`.
Errno last_errno();

}  // namespace silk::wasi
