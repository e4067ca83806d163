// Host errno -> WASI errno, generated from errno.def.
#include "wasi/errno.h"

#include <array>
#include <cerrno>

namespace silk::wasi {

namespace {

struct ErrnoRow {
  Errno wasi;
  int host;
};
constexpr ErrnoRow kRows[] = {
#define X(name, value, host) {Errno::k##name, host},
#include "wasi/errno.def"
#undef X
};

constexpr int kMaxHostErrno = 256;
constexpr std::array<Errno, kMaxHostErrno> make_table() {
  std::array<Errno, kMaxHostErrno> t{};
  for (auto& e : t) e = Errno::kIO;
  for (const ErrnoRow& r : kRows)
    if (r.host > 0 && r.host < kMaxHostErrno) t[r.host] = r.wasi;
  t[0] = Errno::kSUCCESS;
  return t;
}
constexpr std::array<Errno, kMaxHostErrno> kFromHost = make_table();
static_assert(kFromHost[ENOENT] == Errno::kNOENT && kFromHost[ELOOP] == Errno::kLOOP);

}  // namespace

Errno errno_from_host(int host_errno) {
  if (host_errno < 0 || host_errno >= kMaxHostErrno) return Errno::kIO;
  return kFromHost[host_errno];
}

const char* errno_name(Errno e) {
  switch (e) {
#define X(name, value, host) \
  case Errno::k##name:       \
    return #name;
#include "wasi/errno.def"
#undef X
  }
  return "?";
}

}  // namespace silk::wasi
