// silk::wasi — the WASI preview1 ABI as the guest sees it: flag and enum
// values from the witx (typenames.witx) and the little-endian layouts of the
// structs in linear memory. Struct sizes and offsets are static_asserted; the
// host is x86-64, itself little-endian, so a memcpy is a faithful load/store.
#pragma once

#include <cstddef>
#include <cstdint>

namespace silk::wasi::abi {

// rights (u64)
enum : uint64_t {
  kRightFdDatasync = 1ull << 0,
  kRightFdRead = 1ull << 1,
  kRightFdSeek = 1ull << 2,
  kRightFdFdstatSetFlags = 1ull << 3,
  kRightFdSync = 1ull << 4,
  kRightFdTell = 1ull << 5,
  kRightFdWrite = 1ull << 6,
  kRightFdAdvise = 1ull << 7,
  kRightFdAllocate = 1ull << 8,
  kRightPathCreateDirectory = 1ull << 9,
  kRightPathCreateFile = 1ull << 10,
  kRightPathLinkSource = 1ull << 11,
  kRightPathLinkTarget = 1ull << 12,
  kRightPathOpen = 1ull << 13,
  kRightFdReaddir = 1ull << 14,
  kRightPathReadlink = 1ull << 15,
  kRightPathRenameSource = 1ull << 16,
  kRightPathRenameTarget = 1ull << 17,
  kRightPathFilestatGet = 1ull << 18,
  kRightPathFilestatSetSize = 1ull << 19,
  kRightPathFilestatSetTimes = 1ull << 20,
  kRightFdFilestatGet = 1ull << 21,
  kRightFdFilestatSetSize = 1ull << 22,
  kRightFdFilestatSetTimes = 1ull << 23,
  kRightPathSymlink = 1ull << 24,
  kRightPathRemoveDirectory = 1ull << 25,
  kRightPathUnlinkFile = 1ull << 26,
  kRightPollFdReadwrite = 1ull << 27,
  kRightSockShutdown = 1ull << 28,
  kRightSockAccept = 1ull << 29,
  kRightsAll = (1ull << 30) - 1,
};

// What an fd of each kind may ever hold.
constexpr uint64_t kRightsRegularFile =
    kRightFdDatasync | kRightFdRead | kRightFdSeek | kRightFdFdstatSetFlags | kRightFdSync | kRightFdTell |
    kRightFdWrite | kRightFdAdvise | kRightFdAllocate | kRightFdFilestatGet | kRightFdFilestatSetSize |
    kRightFdFilestatSetTimes | kRightPollFdReadwrite;
constexpr uint64_t kRightsDirectory =
    kRightFdDatasync | kRightFdFdstatSetFlags | kRightFdSync | kRightFdAdvise | kRightPathCreateDirectory |
    kRightPathCreateFile | kRightPathLinkSource | kRightPathLinkTarget | kRightPathOpen | kRightFdReaddir |
    kRightPathReadlink | kRightPathRenameSource | kRightPathRenameTarget | kRightPathFilestatGet |
    kRightPathFilestatSetSize | kRightPathFilestatSetTimes | kRightFdFilestatGet | kRightFdFilestatSetTimes |
    kRightPathSymlink | kRightPathRemoveDirectory | kRightPathUnlinkFile | kRightPollFdReadwrite;
constexpr uint64_t kRightsSocket = kRightFdRead | kRightFdWrite | kRightFdFdstatSetFlags | kRightFdFilestatGet |
                                   kRightPollFdReadwrite | kRightSockShutdown | kRightSockAccept;
// A terminal: no seek/tell, which is how wasi-libc's isatty() recognises it.
constexpr uint64_t kRightsTty = kRightsRegularFile & ~(kRightFdSeek | kRightFdTell);

enum Filetype : uint8_t {
  kFiletypeUnknown = 0,
  kFiletypeBlockDevice = 1,
  kFiletypeCharacterDevice = 2,
  kFiletypeDirectory = 3,
  kFiletypeRegularFile = 4,
  kFiletypeSocketDgram = 5,
  kFiletypeSocketStream = 6,
  kFiletypeSymbolicLink = 7,
};

enum : uint16_t { kFdflagAppend = 1, kFdflagDsync = 2, kFdflagNonblock = 4, kFdflagRsync = 8, kFdflagSync = 16 };
enum : uint16_t { kOflagCreat = 1, kOflagDirectory = 2, kOflagExcl = 4, kOflagTrunc = 8 };
enum : uint32_t { kLookupSymlinkFollow = 1 };
enum : uint16_t { kFstflagAtim = 1, kFstflagAtimNow = 2, kFstflagMtim = 4, kFstflagMtimNow = 8 };
enum : uint8_t { kWhenceSet = 0, kWhenceCur = 1, kWhenceEnd = 2 };
// wasi_unstable numbered whence differently (cur, end, set).
enum : uint8_t { kUnstableWhenceCur = 0, kUnstableWhenceEnd = 1, kUnstableWhenceSet = 2 };
enum : uint32_t { kClockRealtime = 0, kClockMonotonic = 1, kClockProcessCputime = 2, kClockThreadCputime = 3 };
enum : uint8_t { kEventClock = 0, kEventFdRead = 1, kEventFdWrite = 2 };
enum : uint16_t { kEventFdReadwriteHangup = 1 };
enum : uint16_t { kSubclockAbstime = 1 };
enum : uint16_t { kRiflagRecvPeek = 1, kRiflagRecvWaitall = 2 };
enum : uint16_t { kRoflagRecvDataTruncated = 1 };
enum : uint8_t { kSdflagRd = 1, kSdflagWr = 2 };
enum : uint8_t { kPreopentypeDir = 0 };
enum : uint8_t { kAdviceNormal = 0, kAdviceSequential, kAdviceRandom, kAdviceWillneed, kAdviceDontneed, kAdviceNoreuse };

// Layouts in linear memory --------------------------------------------------

struct Iovec {  // ciovec and iovec
  uint32_t buf;
  uint32_t buf_len;
};
static_assert(sizeof(Iovec) == 8);

struct Fdstat {
  uint8_t fs_filetype;
  uint8_t pad0;
  uint16_t fs_flags;
  uint32_t pad1;
  uint64_t fs_rights_base;
  uint64_t fs_rights_inheriting;
};
static_assert(sizeof(Fdstat) == 24 && offsetof(Fdstat, fs_flags) == 2 && offsetof(Fdstat, fs_rights_base) == 8);

struct Filestat {
  uint64_t dev;
  uint64_t ino;
  uint8_t filetype;
  uint8_t pad[7];
  uint64_t nlink;
  uint64_t size;
  uint64_t atim;
  uint64_t mtim;
  uint64_t ctim;
};
static_assert(sizeof(Filestat) == 64 && offsetof(Filestat, nlink) == 24 && offsetof(Filestat, ctim) == 56);

// wasi_unstable's filestat: nlink was a u32.
struct UnstableFilestat {
  uint64_t dev;
  uint64_t ino;
  uint8_t filetype;
  uint8_t pad[3];
  uint32_t nlink;
  uint64_t size;
  uint64_t atim;
  uint64_t mtim;
  uint64_t ctim;
};
static_assert(sizeof(UnstableFilestat) == 56 && offsetof(UnstableFilestat, nlink) == 20 &&
              offsetof(UnstableFilestat, size) == 24);

struct Prestat {
  uint8_t tag;
  uint8_t pad[3];
  uint32_t pr_name_len;
};
static_assert(sizeof(Prestat) == 8);

struct Dirent {  // followed by d_namlen bytes of name
  uint64_t d_next;
  uint64_t d_ino;
  uint32_t d_namlen;
  uint8_t d_type;
  uint8_t pad[3];
};
static_assert(sizeof(Dirent) == 24 && offsetof(Dirent, d_type) == 20);

struct Event {
  uint64_t userdata;
  uint16_t error;
  uint8_t type;
  uint8_t pad[5];
  uint64_t nbytes;  // fd_readwrite
  uint16_t flags;
  uint8_t pad2[6];
};
static_assert(sizeof(Event) == 32 && offsetof(Event, nbytes) == 16 && offsetof(Event, flags) == 24);

struct Subscription {
  uint64_t userdata;
  uint8_t tag;
  uint8_t pad[7];
  union {
    struct {
      uint32_t id;
      uint32_t pad;
      uint64_t timeout;
      uint64_t precision;
      uint16_t flags;
      uint8_t pad2[6];
    } clock;
    struct {
      uint32_t fd;
    } fd_readwrite;
  } u;
};
static_assert(sizeof(Subscription) == 48 && offsetof(Subscription, u) == 16);

// wasi_unstable's subscription_clock began with an `identifier` u64.
struct UnstableSubscription {
  uint64_t userdata;
  uint8_t tag;
  uint8_t pad[7];
  union {
    struct {
      uint64_t identifier;
      uint32_t id;
      uint32_t pad;
      uint64_t timeout;
      uint64_t precision;
      uint16_t flags;
      uint8_t pad2[6];
    } clock;
    struct {
      uint32_t fd;
    } fd_readwrite;
  } u;
};
static_assert(sizeof(UnstableSubscription) == 56);

}  // namespace silk::wasi::abi
