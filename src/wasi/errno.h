// silk::wasi — WASI preview1 errno values (errno.def) and the mapping from
// host errno values to them.
#pragma once

#include <cstdint>

namespace silk::wasi {

enum class Errno : uint16_t {
#define X(name, value, host) k##name = value,
#include "wasi/errno.def"
#undef X
};

// The WASI errno for host errno {host_errno}; unknown values become EIO
// (ENOTSUP and EWOULDBLOCK alias EOPNOTSUPP and EAGAIN on Linux).
Errno errno_from_host(int host_errno);
// The WASI name without the E ("NOENT"), for diagnostics and tests.
const char* errno_name(Errno e);

}  // namespace silk::wasi
