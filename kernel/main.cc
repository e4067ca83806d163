// kmain: bring up the console, the CPU tables, memory and the heap; print a
// banner; run the self-checks (and, on request, a deliberate fault); halt.
//
// Command line (platform::cmdline()):
//   selftest=pagefault|nullderef|stackoverflow|doublefault|ud|panic
//       after the self-checks, fault on purpose (the tests check the report).
//   selftest=net: ping the gateway and serve one HTTP request (net/selftest.cc).

#include <stddef.h>
#include <stdint.h>

#include "arch/cpu.h"
#include "arch/exceptions.h"
#include "fs/cpio.h"
#include "fs/durable/durable.h"
#include "fs/vfs.h"
#include "lib/cmdline.h"
#include "lib/profile.h"
#include "lib/format.h"
#include "lib/panic.h"
#include "lib/string.h"
#include "mm/address_space.h"
#include "mm/frame_allocator.h"
#include "mm/heap.h"
#include "net/etc_files.h"
#include "net/net.h"
#include "platform/platform.h"
#include "proc/elf_loader.h"
#include "proc/process.h"

extern "C" {
extern char __kernel_start[], __kernel_end[];
using InitFunction = void (*)();
extern InitFunction __init_array_start[], __init_array_end[];
[[noreturn]] void kernel_entry(uint32_t boot_path, uint64_t boot_info);
}

namespace silk::kernel {
namespace {

constexpr const char* kVersion = "0.1.0";
// An address no RAM or mapping ever covers (canonical, lower half, 126 TiB).
constexpr uint64_t kUnmappedAddress = 0x00007e5700000000ull;
// A virtual address for the address-space self-check (64 TiB).
constexpr uint64_t kScratchVirtual = 0x0000400000000000ull;

uint64_t g_entry_tsc = 0;

// Boot phases, printed with "trace-boot" on the command line.
struct Mark {
  const char* name;
  uint64_t tsc;
};
Mark g_marks[16];
int g_mark_count = 0;
void mark(const char* name) {
  if (g_mark_count < 16) g_marks[g_mark_count++] = Mark{name, arch::read_timestamp()};
}

void print_marks() {
  uint64_t khz = platform::tsc_khz();
  uint64_t prev = g_entry_tsc;
  kprintf("boot trace (from kernel entry):");
  for (int i = 0; i < g_mark_count; ++i) {
    uint64_t d = g_marks[i].tsc - prev;
    prev = g_marks[i].tsc;
    if (khz != 0) {
      kprintf(" %s %lu us;", g_marks[i].name, d * 1000 / khz);
    } else {
      kprintf(" %s %lu ticks;", g_marks[i].name, d);
    }
  }
  kprintf("\n");
}
int g_checks_passed = 0;
int g_checks_failed = 0;

void check(bool ok, const char* what) {
  if (ok) {
    ++g_checks_passed;
  } else {
    ++g_checks_failed;
    kprintf("self-check FAILED: %s\n", what);
  }
}

void init_memory() {
  mm::kernel_space_init();
  // Everything the frame allocator must never hand out: the first MiB (BIOS
  // data, the PVH start info, the monitor's boot structures), the kernel
  // image, and the initrd.
  platform::BootModule initrd = platform::initrd();
  // A fixed-address ET_EXEC program (usually at 0x400000, inside the
  // identity-mapped RAM): its physical pages stay unused, so its user pages
  // can replace the identity map there (proc/elf_loader.h). The program is
  // the initrd itself, or the file the command line names in a cpio initrd.
  uint64_t exec_lo = 0, exec_hi = 0;
  const auto* program = reinterpret_cast<const uint8_t*>(initrd.base);
  uint64_t program_size = initrd.size;
  if (fs::cpio::is_cpio(program, program_size)) {
    char path[fs::kPathMax];
    proc::program_path(platform::cmdline(), path, sizeof path);
    if (!fs::cpio::find(program, initrd.size, path, &program, &program_size)) program = nullptr;
  }
  if (proc::fixed_range(program, program_size, &exec_lo, &exec_hi)) proc::set_fixed_range(exec_lo, exec_hi);
  const mm::frames::Range reserved[] = {
      {0, 1 * kMiB},
      {reinterpret_cast<uint64_t>(__kernel_start),
       static_cast<uint64_t>(__kernel_end - __kernel_start)},
      {initrd.base, initrd.size},
      {exec_lo, exec_hi - exec_lo},
  };
  platform::MemoryMap map = platform::memory_map();
  mm::frames::Range ram[32];
  size_t n = 0;
  for (size_t i = 0; i < map.count && n < 32; ++i) ram[n++] = {map.regions[i].base, map.regions[i].size};
  mm::frames::init(ram, n, reserved, sizeof reserved / sizeof reserved[0]);
  mark("frames");
  mm::kernel_space_map_high_ram();
  uint64_t heap_bytes = mm::frames::total_bytes() / 8;
  if (heap_bytes > 4 * kMiB) heap_bytes = 4 * kMiB;
  mm::heap::init(heap_bytes);
}

uint64_t ram_bytes() {
  platform::MemoryMap map = platform::memory_map();
  uint64_t total = 0;
  for (size_t i = 0; i < map.count; ++i) total += map.regions[i].size;
  return total;
}

void print_banner() {
  platform::MemoryMap map = platform::memory_map();
  kprintf("silk kernel %s (x86_64), boot path: %s\n", kVersion, platform::boot_path_name());
  kprintf("  cpu: %s%s, cr0 at entry 0x%lx\n", arch::cpu_model(), arch::cpu_has_nx() ? ", nx" : "",
          arch::cpu_boot_cr0());
  kprintf("  memory: %lu MiB RAM in %zu region%s, %lu MiB free, heap %zu KiB\n", ram_bytes() / kMiB, map.count,
          map.count == 1 ? "" : "s", mm::frames::free_bytes() / kMiB, mm::heap::stats().pool_bytes / kKiB);
  kprintf("  kernel: %p-%p (%lu KiB)\n", static_cast<void*>(__kernel_start), static_cast<void*>(__kernel_end),
          static_cast<uint64_t>(__kernel_end - __kernel_start) / kKiB);
  platform::BootModule initrd = platform::initrd();
  if (initrd.size != 0) {
    kprintf("  initrd: %lu bytes at 0x%lx\n", initrd.size, initrd.base);
  } else {
    kprintf("  initrd: none\n");
  }
  kprintf("  cmdline: \"%s\"\n", platform::cmdline());
  uint64_t wall = platform::walltime_ns();
  kprintf("  clock: tsc %lu kHz, walltime %lu.%09lu s\n", platform::tsc_khz(), wall / uint64_t{1000000000},
          wall % uint64_t{1000000000});
}

void check_format() {
  char buf[96];
  format(buf, sizeof buf, "%d|%5s|%-4x|%08lx|%u|%c|%%|%.2s|%zu", -42, "ab", 0xbeu, 0x1234ul, 7u, 'z', "xyz",
         size_t{99});
  check(strcmp(buf, "-42|   ab|be  |00001234|7|z|%|xy|99") == 0, "format: conversions");
  size_t n = format(buf, 8, "%s", "0123456789");
  check(n == 10 && strcmp(buf, "0123456") == 0, "format: truncation");
  format(buf, sizeof buf, "%p %#x %lld", static_cast<void*>(nullptr), 255u, -9ll);
  check(strcmp(buf, "0x0 0xff -9") == 0, "format: %p %#x %lld");
}

void check_memmove() {
  char buf[40];
  for (int i = 0; i < 40; ++i) buf[i] = static_cast<char>(i);
  memmove(buf + 3, buf, 29);  // backwards: 3 quadwords and 5 bytes
  bool up = buf[0] == 0 && buf[3] == 0 && buf[31] == 28 && buf[32] == 32;
  memmove(buf, buf + 3, 29);  // forwards
  bool down = buf[0] == 0 && buf[28] == 28 && buf[29] == 26;
  check(up && down, "memmove: overlapping copies up and down");
}

void check_cmdline() {
  char value[16];
  check(cmdline_value("a=1 selftest=xyz b", "selftest", value, sizeof value) && strcmp(value, "xyz") == 0,
        "cmdline: key=value");
  check(cmdline_value("a=1 b", "b", value, sizeof value) && value[0] == '\0', "cmdline: bare key");
  check(!cmdline_value("ab=1", "a", value, sizeof value), "cmdline: prefix is not a match");
  check(cmdline_value("x cwd=\"/a b\\\"\" y", "cwd", value, sizeof value) && strcmp(value, "/a b\"") == 0,
        "cmdline: a quoted value");
  check(!cmdline_value("a -- b=1", "b", value, sizeof value), "cmdline: the program's words are not the kernel's");
  const char* rest = cmdline_program_args("q -- one \"t w\\\\o\" \"\"");
  bool words = rest != nullptr && cmdline_next_word(&rest, value, sizeof value) && strcmp(value, "one") == 0 &&
               cmdline_next_word(&rest, value, sizeof value) && strcmp(value, "t w\\o") == 0 &&
               cmdline_next_word(&rest, value, sizeof value) && value[0] == '\0' &&
               !cmdline_next_word(&rest, value, sizeof value);
  check(words, "cmdline: program words, quoted and empty");
}

void check_frames() {
  uint64_t before = mm::frames::free_bytes();
  PhysAddr a = mm::frames::allocate_zeroed();
  PhysAddr b = mm::frames::allocate();
  check(!a.is_null() && !b.is_null() && a != b, "frames: two distinct frames");
  check(a.value % mm::frames::kFrameSize == 0 && b.value >= 1 * kMiB, "frames: aligned, above 1 MiB");
  check(*phys_to_virt<uint64_t>(a.offset(4088)) == 0, "frames: zeroed");
  mm::frames::release(b);
  check(mm::frames::allocate() == b, "frames: a released frame is reused");
  mm::frames::release(b);
  mm::frames::release(a);
  check(mm::frames::free_bytes() == before, "frames: free bytes balance");
}

void check_heap() {
  constexpr int kCount = 128;
  void* blocks[kCount];
  uint32_t seed = 12345;
  size_t used_before = mm::heap::stats().used_bytes;
  bool all = true;
  for (int i = 0; i < kCount; ++i) {
    seed = seed * 1103515245u + 12345u;
    size_t size = 1 + (seed >> 16) % 3000;
    blocks[i] = mm::heap::allocate(size);
    all &= blocks[i] != nullptr && reinterpret_cast<uintptr_t>(blocks[i]) % 16 == 0 &&
           mm::heap::usable_size(blocks[i]) >= size;
    if (blocks[i] != nullptr) {  // first and last byte: cheap where ring 0 is emulated
      static_cast<uint8_t*>(blocks[i])[0] = static_cast<uint8_t>(i);
      static_cast<uint8_t*>(blocks[i])[size - 1] = static_cast<uint8_t>(i);
    }
  }
  check(all, "heap: 128 allocations, 16-byte aligned");
  for (int i = 0; i < kCount; i += 2) mm::heap::release(blocks[i]);
  check(mm::heap::check(), "heap: invariants after freeing half");
  void* aligned = mm::heap::allocate(100, 4096);
  void* aligned64 = mm::heap::allocate(40, 64);
  check(aligned != nullptr && reinterpret_cast<uintptr_t>(aligned) % 4096 == 0 && aligned64 != nullptr &&
            reinterpret_cast<uintptr_t>(aligned64) % 64 == 0,
        "heap: aligned allocations");
  mm::heap::release(aligned);
  mm::heap::release(aligned64);
  for (int i = 1; i < kCount; i += 2) mm::heap::release(blocks[i]);
  check(mm::heap::check() && mm::heap::stats().used_bytes == used_before, "heap: everything released");
  // Coalescing: after all that, one block of most of the first pool fits.
  // The untouched tail of the pool is smaller than 7/8 of it; TLSF rounds a
  // request up to its size class, so 7/8 (not all) of the pool is asked for.
  size_t pools_before = mm::heap::stats().pools;
  void* big = mm::heap::allocate(mm::heap::stats().pool_bytes / pools_before * 7 / 8);
  check(big != nullptr && mm::heap::stats().pools == pools_before, "heap: freed blocks coalesce");
  mm::heap::release(big);
  auto* grown = static_cast<uint8_t*>(mm::heap::allocate(8 * kMiB));
  check(grown != nullptr && mm::heap::stats().pools > pools_before, "heap: grows by a new pool");
  if (grown != nullptr) grown[8 * kMiB - 1] = 1;
  mm::heap::release(grown);
  int* object = new int(7);
  check(*object == 7, "heap: operator new");
  delete object;
}

void check_address_space() {
  mm::AddressSpace& space = mm::kernel_space();
  PhysAddr frame = mm::frames::allocate_zeroed();
  VirtAddr scratch{kScratchVirtual};
  bool mapped = space.map(scratch, frame, arch::kPageSize, arch::PageFlags{.writable = true});
  check(mapped, "address space: map a page");
  PhysAddr phys;
  check(space.translate(scratch.offset(8), &phys) && phys == frame.offset(8), "address space: translate");
  *scratch.offset(16).as<volatile uint64_t>() = 0x5117;
  check(*phys_to_virt<uint64_t>(frame.offset(16)) == 0x5117, "address space: write through the mapping");
  check(space.unmap(scratch, arch::kPageSize) && !space.translate(scratch, &phys), "address space: unmap");
  check(!space.translate(VirtAddr{0}, &phys), "address space: page 0 unmapped");
  arch::PageFlags flags;
  check(space.translate(VirtAddr{reinterpret_cast<uint64_t>(&check_address_space)}, &phys, &flags) &&
            flags.executable && !flags.writable,
        "address space: kernel text is read-only and executable");
  check(space.translate(VirtAddr{reinterpret_cast<uint64_t>(&g_checks_passed)}, &phys, &flags) &&
            flags.writable && (!flags.executable || !arch::cpu_has_nx()),
        "address space: kernel data is writable and not executable");
  mm::frames::release(frame);
}

void check_exceptions() {
  check(arch::probe_divide_error(), "exceptions: #DE delivered and resumed at its fixup");
}

void check_clock() {
  uint64_t wall = platform::walltime_ns();
  // 2020-01-01T00:00:00Z, when there is a clock at all.
  check(wall == 0 || wall > 1577836800ull * 1000000000ull, "clock: walltime after 2020");
}

// Recurses until the boot stack's guard page faults (that is the point).
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Winfinite-recursion"
[[clang::noinline]] uint64_t recurse(uint64_t depth) {
  volatile uint8_t frame[512];
  frame[0] = static_cast<uint8_t>(depth);
  return recurse(depth + 1) + frame[0];
}
#pragma clang diagnostic pop

void run_selftest(const char* name) {
  kprintf("selftest: %s\n", name);
  if (strcmp(name, "pagefault") == 0) {
    (void)*reinterpret_cast<volatile uint64_t*>(kUnmappedAddress);
  } else if (strcmp(name, "nullderef") == 0) {
    (void)*reinterpret_cast<volatile uint64_t*>(uintptr_t{0});
  } else if (strcmp(name, "stackoverflow") == 0) {
    recurse(0);
  } else if (strcmp(name, "doublefault") == 0) {
    arch::break_page_fault_gate();
    (void)*reinterpret_cast<volatile uint64_t*>(kUnmappedAddress);
  } else if (strcmp(name, "ud") == 0) {
    asm volatile("ud2");
  } else if (strcmp(name, "panic") == 0) {
    panic("selftest=panic");
  } else if (strcmp(name, "net") == 0) {
    net::run_selftest();  // halts: 0 when the network worked end to end
  }
  panic("selftest=%s did not fault", name);
}

void run_self_checks();

[[noreturn]] void kmain() {
  mark("platform");
  arch::cpu_init();
  mark("cpu");
  init_memory();
  mark("memory");
  // "quiet" (silk vm APP.wasm, silk image): no banner and no self-checks, so
  // the console carries only the program's output and boot is short.
  char word[32];
  bool quiet = cmdline_value(platform::cmdline(), "quiet", word, sizeof word);
  set_quiet(quiet);
  if (!quiet) {
    print_banner();
    mark("banner");
    run_self_checks();
  }
  net::init(quiet, cmdline_value(platform::cmdline(), "trace-boot", word, sizeof word));
  mark("net");
  if (cmdline_value(platform::cmdline(), "trace-boot", word, sizeof word)) {
    print_marks();
    profile::set_enabled(true);
  }
  if (cmdline_value(platform::cmdline(), "selftest", word, sizeof word)) run_selftest(word);
  if (g_checks_failed != 0) platform::halt(platform::kExitSelfCheckFailed);
  // With a program (an ELF initrd, or a cpio archive with the program the
  // command line names): the root file system, then the process.
  platform::BootModule initrd = platform::initrd();
  const auto* image = reinterpret_cast<const uint8_t*>(initrd.base);
  if (fs::classify_initrd(image, initrd.size) != fs::InitrdKind::kNone) {
    char path[fs::kPathMax];
    proc::program_path(platform::cmdline(), path, sizeof path);
    fs::init(image, initrd.size, path);
    mark("root-fs");
    fs::durable::mount(platform::block_device(), platform::cmdline(), quiet);
    mark("disk");
    if (profile::enabled()) print_marks();
    net::write_etc_files();
    int status = proc::run(platform::cmdline());  // returns only on failure
    kprintf("silk kernel: halting, status %d\n", status);
    platform::halt(status);
  }
  kinfo("silk kernel: halting, status 0\n");
  platform::halt(platform::kExitOk);
}

void run_self_checks() {
  check_format();
  check_memmove();
  check_cmdline();
  check_frames();
  mark("checks-1");
  check_heap();
  mark("heap-checks");
  check_address_space();
  check_exceptions();
  check_clock();
  mark("checks-2");

  uint64_t ticks = arch::read_timestamp() - g_entry_tsc;
  uint64_t khz = platform::tsc_khz();
  if (khz != 0) {
    kprintf("self-checks: %d passed, %d failed; %lu us from kernel entry\n", g_checks_passed, g_checks_failed,
            ticks * 1000 / khz);
  } else {
    kprintf("self-checks: %d passed, %d failed; %lu TSC ticks from kernel entry\n", g_checks_passed,
            g_checks_failed, ticks);
  }
}

}  // namespace
}  // namespace silk::kernel

// Both entry stubs (boot_pvh.S, entry64.S) land here with a zeroed .bss and
// the boot stack.
extern "C" void kernel_entry(uint32_t boot_path, uint64_t boot_info) {
  using namespace silk::kernel;
  g_entry_tsc = arch::read_timestamp();
  for (InitFunction* f = __init_array_start; f != __init_array_end; ++f) (*f)();
  platform::init(static_cast<platform::BootPath>(boot_path), boot_info);
  kmain();
}
