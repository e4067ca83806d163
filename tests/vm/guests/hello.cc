// silk vm's test guest: prints a greeting and its command line, reads the
// wall clock, checks the boot info against what the monitor promises
// (hvt_abi.h, src/vmm/arch/x86_64/layout.h), prints the initrd, then halts
// with status 7. A failed check prints "FAIL: ..." and halts with status 1.
#include "guest.h"

using namespace guest;

extern "C" char _end[];

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (ok) return;
  print("FAIL: ");
  print(what);
  print("\n");
  ++failures;
}

}  // namespace

extern "C" [[noreturn]] __attribute__((section(".text.start"))) void _start(const HvtBootInfo* info) {
  print("hello from the guest\n");

  // The stack is where the monitor reserved it, aligned as for a called function.
  uintptr_t sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  check(sp > 0x50000 && sp <= 0x90000, "stack in the monitor's boot stack");

  check(reinterpret_cast<uintptr_t>(info) == 0x44000, "RDI = boot info at 0x44000");
  check(info->abi_version == kHvtAbiVersion, "abi_version");
  check(info->mem_size % (2u << 20) == 0 && info->mem_size >= (4u << 20), "mem_size");
  uintptr_t end = reinterpret_cast<uintptr_t>(_end);
  check(info->kernel_end >= end && info->kernel_end - end < 4096 && info->kernel_end % 4096 == 0, "kernel_end");
  check(info->tsc_khz > 100000 && info->tsc_khz < 100000000, "tsc_khz");
  check(info->boot_walltime_ns > 1600000000ull * 1000000000ull, "boot_walltime_ns after 2020");
  check(info->net_mtu == 0 && info->block_size == 0, "no network or block device");
  print("mem_size=");
  print_u64(info->mem_size);
  print(" tsc_khz=");
  print_u64(info->tsc_khz);
  print("\n");

  uint64_t now = walltime();
  check(now >= info->boot_walltime_ns && now - info->boot_walltime_ns < 10ull * 1000000000ull,
        "Walltime within 10 s after boot_walltime_ns");

  const char* cmdline = reinterpret_cast<const char*>(info->cmdline);
  print("cmdline=[");
  print(cmdline);
  print("]\n");

  if (info->initrd != 0) {
    check(info->initrd >= info->kernel_end && info->initrd % 4096 == 0, "initrd after the kernel, page-aligned");
    check(info->initrd + info->initrd_size <= info->mem_size, "initrd inside RAM");
    print("initrd=[");
    write(reinterpret_cast<const char*>(info->initrd), info->initrd_size);
    print("]\n");
  } else {
    check(info->initrd_size == 0, "no initrd: initrd_size 0");
  }

  // Unconfigured devices answer -1.
  HvtNetWrite net{0, 0, 0, 0};
  hypercall(Hypercall::NetWrite, &net);
  check(net.ret == -1, "NetWrite without a network: -1");
  HvtBlockFlush flush{0, 0};
  hypercall(Hypercall::BlockFlush, &flush);
  check(flush.ret == -1, "BlockFlush without a block device: -1");
  HvtPoll poll{1000, 0, 0, 0};
  hypercall(Hypercall::Poll, &poll);
  check(poll.ret == 0 && poll.ready_set == 0, "Poll with nothing to wait for: 0");

  if (failures != 0) halt(1);
  print("boot info ok\n");
  halt(7);
}
