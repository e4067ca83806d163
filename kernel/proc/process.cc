#include "proc/process.h"

#include "arch/cpu.h"
#include "arch/user.h"
#include "fs/node.h"
#include "fs/path.h"
#include "fs/procfs.h"
#include "lib/cmdline.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"
#include "platform/platform.h"
#include "proc/elf_loader.h"
#include "proc/fd_table.h"
#include "proc/memory.h"

namespace silk::kernel::proc {
namespace {

constexpr int kMaxArgs = 64;
constexpr uint64_t kStackPrefault = 64 * 1024;  // written by the kernel below

char g_args[4096];  // the words after "--", NUL-separated
char g_exe[fs::kPathMax];
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
  const char* rest = cmdline_program_args(cmdline);
  if (rest == nullptr) rest = "init";
  // Without QEMU's trailing virtio_mmio.device= words (lib/cmdline.h).
  size_t len = static_cast<size_t>(cmdline_program_args_end(rest) - rest);
  if (len > sizeof g_args - 1) len = sizeof g_args - 1;
  memcpy(g_args, rest, len);
  g_args[len] = '\0';
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
uint64_t build_stack(const ElfImage& image, uint64_t interp_base, int argc, const char* const* argv) {
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
      {kAtPagesz, 4096},          {kAtBase, interp_base},      {kAtFlags, 0},
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

const char* errno_text(int64_t error) {
  switch (-error) {
    case err::kNoent:
      return "no such file in the initrd";
    case err::kNotdir:
      return "a path component is not a directory";
    case err::kLoop:
      return "too many levels of symbolic links";
    case err::kNametoolong:
      return "name too long";
    default:
      return "cannot be looked up";
  }
}

// Loads {path} (and, for the program, the interpreter it names) from the
// root file system; nullptr or why not, with {status} set.
const char* load(const char* path, uint64_t dyn_base, ElfImage* image, char* interp, size_t interp_cap,
                 int* status) {
  fs::Node* file;
  if (int r = fs::resolve(fs::root(), path, true, &file); r != 0) {
    *status = kExitNotFound;
    return errno_text(r);
  }
  *status = kExitCannotRun;
  if (!file->is_regular()) return "not a regular file";
  return load_elf(file, dyn_base, image, interp, interp_cap);
}

}  // namespace

void program_path(const char* cmdline, char* out, size_t cap) {
  const char* rest = cmdline_program_args(cmdline);
  if (rest == nullptr) rest = "init";
  while (*rest == ' ') ++rest;
  size_t len = 0;
  while (rest[len] != '\0' && rest[len] != ' ') ++len;
  if (len == 0) rest = "init", len = 4;
  size_t at = 0;
  if (rest[0] != '/' && cap > 1) out[at++] = '/';
  if (len > cap - 1 - at) len = cap - 1 - at;
  memcpy(out + at, rest, len);
  out[at + len] = '\0';
}

int run(const char* cmdline) {
  const char* argv[kMaxArgs];
  int argc = parse_args(cmdline, argv);
  if (argc == 0) argv[argc++] = "init";
  program_path(cmdline, g_exe, sizeof g_exe);
  fs::procfs::set_exe_path(g_exe);
  fds::init();
  uint64_t xcr0 = arch::user_init();
  ElfImage image, loader{};
  char interp[256], none[2];
  int status;
  if (const char* error = load(g_exe, kPieBase, &image, interp, sizeof interp, &status)) {
    kprintf("silk kernel: cannot run %s: %s\n", g_exe, error);
    return status;
  }
  if (interp[0] != '\0') {
    if (const char* error = load(interp, kInterpBase, &loader, none, sizeof none, &status)) {
      kprintf("silk kernel: cannot run %s: its interpreter %s: %s\n", g_exe, interp, error);
      return status;
    }
  }
  memory::set_brk_base(image.pie ? image.end : memory::kExecBrkBase);
  if (!memory::add_region(memory::kStackTop - memory::kStackSize, memory::kStackSize,
                          memory::kProtRead | memory::kProtWrite, memory::RegionKind::kStack) ||
      !memory::prepare(memory::kStackTop - kStackPrefault, kStackPrefault, true)) {
    kprintf("silk kernel: cannot set up the user stack\n");
    return kExitCannotRun;
  }
  uint64_t sp = build_stack(image, loader.bias, argc, argv);
  uint64_t entry = interp[0] != '\0' ? loader.entry : image.entry;
  kprintf("silk kernel: running %s (%s%s%s, entry 0x%lx, %d arg%s, xcr0 0x%lx)\n", g_exe,
          interp[0] != '\0' ? "dynamic" : image.pie ? "static-pie" : "static",
          interp[0] != '\0' ? ", interpreter " : "", interp, entry, argc, argc == 1 ? "" : "s", xcr0);
  g_wall0 = platform::walltime_ns();
  g_tsc0 = arch::read_timestamp();
  arch::enter_user(entry, sp);
}

void user_exception(uint64_t vector, uint64_t error, uint64_t rip, uint64_t rsp, uint64_t address) {
  if (vector == 14 && memory::handle_fault(address, error)) return;
  int signal = kSigSegv;
  const char* name = "SIGSEGV";
  bool past_eof = vector == 14 && memory::beyond_file_end(address);  // SIGBUS, as on Linux
  switch (past_eof ? 17 : vector) {
    case 0:
    case 16:
    case 19:
      signal = kSigFpe, name = "SIGFPE";
      break;
    case 6:
      signal = kSigIll, name = "SIGILL";
      break;
    case 1:
    case 3:
      signal = kSigTrap, name = "SIGTRAP";
      break;
    case 17:
      signal = kSigBus, name = "SIGBUS";
      break;
    default:
      break;
  }
  if (past_eof) {
    kprintf("silk kernel: %s: %s: access past the end of a mapped file at address 0x%lx, rip 0x%lx, rsp 0x%lx\n",
            g_exe, name, address, rip, rsp);
  } else if (vector == 14) {
    kprintf("silk kernel: %s: %s: %s at address 0x%lx, rip 0x%lx, rsp 0x%lx\n", g_exe, name,
            (error & 1) ? "protection violation" : "unmapped memory",
            address, rip, rsp);
  } else {
    kprintf("silk kernel: %s: %s: exception %lu (error code 0x%lx) at rip 0x%lx, rsp 0x%lx\n", g_exe, name,
            vector, error, rip, rsp);
  }
  kprintf("silk kernel: process killed by %s, halting with status %d\n", name, 128 + signal);
  platform::halt(128 + signal);
}

bool kernel_fault_on_user(uint64_t address, uint64_t error) {
  return address >= memory::kUserMin && memory::handle_fault(address, error);
}

const char* exe_path() { return g_exe; }

uint64_t realtime_ns() {
  if (platform::tsc_khz() == 0) return platform::walltime_ns();
  if (g_tsc0 == 0) {
    // Before the process starts (the file system's timestamps at boot): one
    // read of the platform clock (a hypercall under hvt), then the TSC.
    g_wall0 = platform::walltime_ns();
    g_tsc0 = arch::read_timestamp();
  }
  return g_wall0 + ticks_to_ns(arch::read_timestamp() - g_tsc0);
}

uint64_t monotonic_ns() {
  if (platform::tsc_khz() == 0) return platform::walltime_ns() - g_wall0;
  return ticks_to_ns(arch::read_timestamp() - g_tsc0);
}

}  // namespace silk::kernel::proc
