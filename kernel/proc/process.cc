#include "proc/process.h"

#include "arch/cpu.h"
#include "arch/user.h"
#include "lib/format.h"
#include "lib/string.h"
#include "platform/platform.h"
#include "proc/elf_loader.h"
#include "proc/memory.h"
#include "proc/signal.h"
#include "proc/sleep.h"
#include "proc/user_clear.h"

namespace silk::kernel::proc {
namespace {

constexpr int kMaxArgs = 64;
constexpr uint64_t kStackPrefault = 64 * 1024;  // written by the kernel below

char g_args[4096];  // the words after "--", NUL-separated
char g_exe[256];
uint64_t g_wall0 = 0, g_tsc0 = 0;

// auxv types (include/uapi/linux/auxvec.h).
enum : uint64_t {
  kAtNull = 0, kAtPhdr = 3, kAtPhent = 4, kAtPhnum = 5, kAtPagesz = 6, kAtBase = 7, kAtFlags = 8,
  kAtEntry = 9, kAtUid = 11, kAtEuid = 12, kAtGid = 13, kAtEgid = 14, kAtPlatform = 15, kAtHwcap = 16,
  kAtClktck = 17, kAtSecure = 23, kAtRandom = 25, kAtHwcap2 = 26, kAtExecfn = 31,
};

uint64_t random_u64() {
  uint64_t v;
  if (arch::random64(&v)) return v;
  // No RDRAND: the TSC, mixed (splitmix64). Not secret; good enough for
  // AT_RANDOM's stack protector canary until there is an entropy source.
  static uint64_t state = 0;
  state += arch::read_timestamp() + 0x9e3779b97f4a7c15ull;
  uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t ticks_to_ns(uint64_t ticks) {
  uint64_t khz = platform::tsc_khz();
  if (khz == 0) return 0;
  return ticks / khz * 1000000 + (ticks % khz) * 1000000 / khz;
}

// Splits {cmdline} after " -- " into argv; returns argc.
int parse_args(const char* cmdline, const char** argv) {
  const char* rest = nullptr;
  for (const char* p = cmdline; *p != '\0'; ++p) {
    if (p[0] == '-' && p[1] == '-' && (p == cmdline || p[-1] == ' ') && (p[2] == ' ' || p[2] == '\0')) {
      rest = p + 2;
      break;
    }
  }
  if (rest == nullptr) rest = "init";
  copy_string(g_args, sizeof g_args, rest);
  int argc = 0;
  char* p = g_args;
  while (*p != '\0' && argc < kMaxArgs) {
    while (*p == ' ') *p++ = '\0';
    if (*p == '\0') break;
    argv[argc++] = p;
    while (*p != '\0' && *p != ' ') ++p;
  }
  return argc;
}

// Builds the SysV initial stack (System V AMD64 ABI 3.4.1) at the top of the
// stack region; returns the RSP to start with (-> argc, 16-byte aligned).
uint64_t build_stack(const ElfImage& image, int argc, const char* const* argv) {
  static const char* const kEnv[] = {"HOME=/", "TERM=linux"};
  constexpr int kEnvc = 2;
  uint64_t sp = memory::kStackTop;
  auto push_bytes = [&sp](const void* data, uint64_t n) {
    sp -= n;
    memcpy(reinterpret_cast<void*>(sp), data, n);
    return sp;
  };
  uint64_t argv_at[kMaxArgs], env_at[kEnvc];
  uint64_t execfn = push_bytes(g_exe, strlen(g_exe) + 1);
  for (int i = argc - 1; i >= 0; --i) argv_at[i] = push_bytes(argv[i], strlen(argv[i]) + 1);
  for (int i = kEnvc - 1; i >= 0; --i) env_at[i] = push_bytes(kEnv[i], strlen(kEnv[i]) + 1);
  uint64_t platform_at = push_bytes("x86_64", 7);
  uint64_t random_bytes[2] = {random_u64(), random_u64()};
  sp &= ~uint64_t{15};
  uint64_t random_at = push_bytes(random_bytes, 16);

  const uint64_t auxv[][2] = {
      {kAtPhdr, image.phdr},      {kAtPhent, image.phent},     {kAtPhnum, image.phnum},
      {kAtPagesz, 4096},          {kAtBase, 0},                {kAtFlags, 0},
      {kAtEntry, image.entry},    {kAtUid, 0},                 {kAtEuid, 0},
      {kAtGid, 0},                {kAtEgid, 0},                {kAtSecure, 0},
      {kAtHwcap, arch::hwcap()}, {kAtHwcap2, 0},              {kAtClktck, 100},
      {kAtRandom, random_at},     {kAtPlatform, platform_at},  {kAtExecfn, execfn},
      {kAtNull, 0},
  };
  constexpr uint64_t kAuxWords = sizeof auxv / 8;
  uint64_t words = 1 + (argc + 1) + (kEnvc + 1) + kAuxWords;
  sp -= words * 8;
  sp &= ~uint64_t{15};
  auto* w = reinterpret_cast<uint64_t*>(sp);
  *w++ = static_cast<uint64_t>(argc);
  for (int i = 0; i < argc; ++i) *w++ = argv_at[i];
  *w++ = 0;
  for (int i = 0; i < kEnvc; ++i) *w++ = env_at[i];
  *w++ = 0;
  memcpy(w, auxv, sizeof auxv);
  return sp;
}

}  // namespace

void run(const uint8_t* data, uint64_t size, const char* cmdline) {
  const char* argv[kMaxArgs];
  int argc = parse_args(cmdline, argv);
  if (argv[0][0] == '/') {
    copy_string(g_exe, sizeof g_exe, argv[0]);
  } else {
    format(g_exe, sizeof g_exe, "/%s", argv[0]);
  }
  uint64_t xcr0 = arch::user_init();
  ElfImage image;
  if (const char* error = load_elf(data, size, &image)) {
    kprintf("silk kernel: cannot run the initrd: %s\n", error);
    return;
  }
  memory::set_brk_base(image.pie ? image.end : memory::kExecBrkBase);
  if (!memory::add_region(memory::kStackTop - memory::kStackSize, memory::kStackSize,
                          memory::kProtRead | memory::kProtWrite) ||
      !memory::prepare(memory::kStackTop - kStackPrefault, kStackPrefault, true)) {
    kprintf("silk kernel: cannot set up the user stack\n");
    return;
  }
  if (!user_clear::init()) kprintf("silk kernel: no stub page: recycled memory is cleared in ring 0\n");
  uint64_t sp = build_stack(image, argc, argv);
  kprintf("silk kernel: running %s (%s, entry 0x%lx, %d arg%s, xcr0 0x%lx)\n", g_exe,
          image.pie ? "static-pie" : "static", image.entry, argc, argc == 1 ? "" : "s", xcr0);
  g_wall0 = platform::walltime_ns();
  g_tsc0 = arch::read_timestamp();
  arch::enter_user(image.entry, sp);
}

void user_page_fault(arch::TrapFrame* frame, uint64_t address) {
  memory::Fault result = memory::handle_fault(address, frame->error_code, frame);
  if (result == memory::Fault::kResolved) return;
  signal::Fault fault{signal::kSigSegv, signal::kSegvMaperr, address, 14, frame->error_code, address};
  if (result == memory::Fault::kDenied) fault.code = signal::kSegvAccerr;
  if (result == memory::Fault::kNoMemory) fault.signo = signal::kSigBus, fault.code = signal::kBusAdrerr;
  signal::force_fault(frame, fault);
}

bool kernel_fault_on_user(uint64_t address, uint64_t error) {
  return address >= memory::kUserMin && memory::handle_fault(address, error, nullptr) == memory::Fault::kResolved;
}

const char* exe_path() { return g_exe; }

uint64_t realtime_ns() {
  if (platform::tsc_khz() == 0) return platform::walltime_ns();
  return g_wall0 + ticks_to_ns(arch::read_timestamp() - g_tsc0);
}

uint64_t monotonic_ns() {
  if (platform::tsc_khz() == 0) return platform::walltime_ns() - g_wall0;
  return ticks_to_ns(arch::read_timestamp() - g_tsc0);
}

uint64_t cpu_time_ns() {
  uint64_t now = monotonic_ns(), slept = slept_ns();
  return now > slept ? now - slept : 0;
}

}  // namespace silk::kernel::proc
