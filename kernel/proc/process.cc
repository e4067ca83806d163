#include "lib/profile.h"
#include "proc/process.h"

#include "arch/cpu.h"
#include "arch/user.h"
#include "fs/file_data.h"
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
#include "proc/signal.h"
#include "proc/sleep.h"
#include "proc/vdso.h"

namespace silk::kernel::proc {
namespace {

constexpr int kMaxArgs = 64;
constexpr uint64_t kStackPrefault = 64 * 1024;  // written by the kernel below

char g_args[4096];  // the words after "--", NUL-separated
char g_exe[fs::kPathMax];
uint64_t g_wall0 = 0, g_tsc0 = 0;

// auxv types (include/uapi/linux/auxvec.h).
enum : uint64_t {
  kAtNull = 0, kAtIgnore = 1, kAtPhdr = 3, kAtPhent = 4, kAtPhnum = 5, kAtPagesz = 6, kAtBase = 7, kAtFlags = 8,
  kAtEntry = 9, kAtUid = 11, kAtEuid = 12, kAtGid = 13, kAtEgid = 14, kAtPlatform = 15, kAtHwcap = 16,
  kAtClktck = 17, kAtSecure = 23, kAtRandom = 25, kAtHwcap2 = 26, kAtExecfn = 31, kAtSysinfoEhdr = 33,
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

// Splits {cmdline} after "--" into argv (double-quoted words unquoted, see
// lib/cmdline.h); returns argc. The `virtio_mmio.device=` words QEMU appends
// to the command line (after the program's words) are the kernel's, not the
// program's: dropped.
int parse_args(const char* cmdline, const char** argv) {
  const char* rest = cmdline_program_args(cmdline);
  if (rest == nullptr) rest = "init";
  int argc = 0;
  size_t used = 0;
  while (argc < kMaxArgs && used + 1 < sizeof g_args) {
    char* word = g_args + used;
    if (!cmdline_next_word(&rest, word, sizeof g_args - used)) break;
    argv[argc++] = word;
    used += strlen(word) + 1;
  }
  while (argc > 1 && strncmp(argv[argc - 1], "virtio_mmio.device=", 19) == 0) --argc;
  return argc;
}

// The program's environment: the NUL-separated "K=V" entries of the file
// /etc/silk/environ when the initrd has one (silk vm passes the host's
// environment that way, as a process started on the host would get it),
// else HOME=/ and TERM=linux. Returns the count; at most kMaxEnv.
constexpr int kMaxEnv = 256;
char g_env[16384];
int load_environment(const char** env) {
  static const char* const kDefault[] = {"HOME=/", "TERM=linux"};
  fs::Node* file;
  if (fs::resolve(fs::root(), "/etc/silk/environ", true, &file) != 0 || !file->is_regular()) {
    env[0] = kDefault[0];
    env[1] = kDefault[1];
    return 2;
  }
  uint64_t n = fs::data::read(file, 0, g_env, sizeof g_env - 1);
  g_env[n] = '\0';
  int count = 0;
  for (uint64_t at = 0; at < n && count < kMaxEnv;) {
    uint64_t len = strlen(g_env + at);
    bool has_equals = false;
    for (uint64_t i = 0; i < len && !has_equals; ++i) has_equals = g_env[at + i] == '=';
    if (has_equals) env[count++] = g_env + at;
    at += len + 1;
  }
  return count;
}

// Builds the SysV initial stack (System V AMD64 ABI 3.4.1) at the top of the
// stack region; returns the RSP to start with (-> argc, 16-byte aligned).
uint64_t build_stack(const ElfImage& image, uint64_t interp_base, uint64_t vdso_base, int argc,
                     const char* const* argv) {
  static const char* kEnv[kMaxEnv];
  const int kEnvc = load_environment(kEnv);
  uint64_t sp = memory::kStackTop;
  auto push_bytes = [&sp](const void* data, uint64_t n) {
    sp -= n;
    memcpy(reinterpret_cast<void*>(sp), data, n);
    return sp;
  };
  uint64_t argv_at[kMaxArgs], env_at[kMaxEnv];
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
      {vdso_base != 0 ? kAtSysinfoEhdr : kAtIgnore, vdso_base},
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
  if (rest == nullptr || !cmdline_next_word(&rest, out, cap) || out[0] == '\0') copy_string(out, cap, "init");
  if (out[0] == '/') return;
  // Relative: to the cwd= directory, else to the root.
  char cwd[fs::kPathMax];
  if (!cmdline_value(cmdline, "cwd", cwd, sizeof cwd) || cwd[0] != '/') copy_string(cwd, sizeof cwd, "/");
  size_t dir_len = strlen(cwd), name_len = strlen(out);
  bool slash = cwd[dir_len - 1] != '/';
  if (dir_len + slash + name_len + 1 > cap) {
    out[0] = '\0';  // too long: looked up as "", which fails
    return;
  }
  memmove(out + dir_len + slash, out, name_len + 1);
  memcpy(out, cwd, dir_len);
  if (slash) out[dir_len] = '/';
}

int run(const char* cmdline) {
  const char* argv[kMaxArgs];
  int argc = parse_args(cmdline, argv);
  if (argc == 0) argv[argc++] = "init";
  program_path(cmdline, g_exe, sizeof g_exe);
  fs::procfs::set_exe_path(g_exe);
  fds::init();
  // cwd=DIR: the process's working directory (silk vm passes the host's).
  char cwd[fs::kPathMax];
  if (cmdline_value(cmdline, "cwd", cwd, sizeof cwd) && cwd[0] != '\0') {
    fs::Node* dir;
    if (fs::resolve(fs::root(), cwd, true, &dir) != 0 || !dir->is_dir()) {
      kprintf("silk kernel: cwd=%s: not a directory in the root file system; the cwd stays /\n", cwd);
    } else {
      fds::set_cwd(dir);
    }
  }
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
  uint64_t sp = build_stack(image, loader.bias, vdso::map(), argc, argv);
  uint64_t entry = interp[0] != '\0' ? loader.entry : image.entry;
  kinfo("silk kernel: running %s (%s%s%s, entry 0x%lx, %d arg%s, xcr0 0x%lx)\n", g_exe,
          interp[0] != '\0' ? "dynamic" : image.pie ? "static-pie" : "static",
          interp[0] != '\0' ? ", interpreter " : "", interp, entry, argc, argc == 1 ? "" : "s", xcr0);
  g_wall0 = platform::walltime_ns();
  g_tsc0 = arch::read_timestamp();
  vdso::seal(platform::tsc_khz(), g_tsc0, g_wall0);
  platform::boot_event(1);  // hvt::BootEvent::kProcessStart
  arch::enter_user(entry, sp);
}

void user_page_fault(arch::TrapFrame* frame, uint64_t address) {
  uint64_t start = arch::read_timestamp();
  memory::Fault result = memory::handle_fault(address, frame->error_code);
  if (profile::enabled()) profile::add(profile::kFault, arch::read_timestamp() - start);
  if (result == memory::Fault::kResolved) return;
  signal::Fault fault{signal::kSigSegv, signal::kSegvMaperr, address, 14, frame->error_code, address};
  if (result == memory::Fault::kDenied) fault.code = signal::kSegvAccerr;
  // Out of memory, or a page wholly past the end of a mapped file: SIGBUS
  // BUS_ADRERR, as on Linux.
  if (result == memory::Fault::kNoMemory || result == memory::Fault::kBeyondFile) {
    fault.signo = signal::kSigBus, fault.code = signal::kBusAdrerr;
  }
  signal::force_fault(frame, fault);
}

bool kernel_fault_on_user(uint64_t address, uint64_t error) {
  return address >= memory::kUserMin && memory::handle_fault(address, error) == memory::Fault::kResolved;
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

uint64_t cpu_time_ns() {
  uint64_t now = monotonic_ns(), slept = slept_ns();
  return now > slept ? now - slept : 0;
}

}  // namespace silk::kernel::proc
