// The monitor: set up guest memory, the kernel, the boot info and the vCPU,
// then run the vCPU loop (Solo5's hvt_vcpu_loop): KVM_RUN, serve a hypercall
// on an `out` to kHvtPortBase + nr, stop the VM on anything else.
#include "vmm/monitor.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>

#include "vmm/arch/boot.h"
#include "vmm/block/file_disk.h"
#include "vmm/elf_loader.h"
#include "vmm/embedded_kernel.h"
#include "vmm/sandbox/seccomp_filter.h"
#include "vmm/hypercalls/hypercalls.h"
#include "vmm/kvm/fd.h"
#include "vmm/kvm/vcpu.h"
#include "vmm/kvm/vm.h"
#include "vmm/net/net_backend.h"
#include "vmm/stop_signal.h"

namespace silk::vmm {
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

// Where the time went, and what the guest made the vCPU do.
struct BootTrace {
  Clock::time_point start, loaded, devices_ready, kvm_ready, first_run, first_hypercall, end;
  bool saw_hypercall = false;
  std::array<uint64_t, 64> exits{};
  std::array<uint64_t, kHypercallLimit> hypercalls{};
  uint64_t initrd_bytes = 0, initrd_mapped = 0;
  std::array<uint64_t, 4> events_ns{};  // HypercallContext::boot_event_ns

  Clock::time_point event(hvt::BootEvent e) const {
    return Clock::time_point(std::chrono::nanoseconds(events_ns[static_cast<uint32_t>(e)]));
  }
  bool has(hvt::BootEvent e) const { return events_ns[static_cast<uint32_t>(e)] != 0; }
  int seccomp_rules = 0;
  const NetBackend* net = nullptr;
  const FileDisk* disk = nullptr;
  DeviceCounters devices;

  void print_devices(FILE* out) const {
    const DeviceCounters& d = devices;
    if (net != nullptr)
      std::fprintf(out,
                   "  net %s: out %" PRIu64 " frames %" PRIu64 " bytes, in %" PRIu64 " frames %" PRIu64
                   " bytes, %" PRIu64 " dropped, %" PRIu64 " errors\n",
                   net->name().c_str(), d.frames_out, d.bytes_out, d.frames_in, d.bytes_in, net->dropped(),
                   d.net_errors);
    if (net != nullptr && !net->stats().empty()) std::fprintf(out, "    %s\n", net->stats().c_str());
    if (disk != nullptr)
      std::fprintf(out,
                   "  block %s (%" PRIu64 " bytes%s): %" PRIu64 " reads %" PRIu64 " bytes, %" PRIu64 " writes %" PRIu64
                   " bytes, %" PRIu64 " flushes, %" PRIu64 " errors\n",
                   disk->path().c_str(), disk->size(), disk->readonly() ? ", read-only" : "", d.block_reads,
                   d.block_read_bytes, d.block_writes, d.block_write_bytes, d.block_flushes, d.block_errors);
  }

  void print(FILE* out) const {
    std::fprintf(out, "silk vm: boot trace\n");
    std::fprintf(out, "  guest memory + ELF load  %8.3f ms\n", ms_between(start, loaded));
    if (initrd_bytes != 0)
      std::fprintf(out, "  initrd %" PRIu64 " bytes (%" PRIu64 " mapped from host files, not copied)\n", initrd_bytes,
                   initrd_mapped);
    if (net != nullptr || disk != nullptr)
      std::fprintf(out, "  devices (net, disk)      %8.3f ms\n", ms_between(loaded, devices_ready));
    std::fprintf(out, "  KVM setup (VM, vCPU)     %8.3f ms\n", ms_between(devices_ready, kvm_ready));
    if (seccomp_rules != 0)
      std::fprintf(out, "  seccomp: %d rules allow the vCPU loop's system calls\n", seccomp_rules);
    if (saw_hypercall)
      std::fprintf(out, "  first KVM_RUN -> first hypercall %8.3f ms\n", ms_between(first_run, first_hypercall));
    using hvt::BootEvent;
    if (has(BootEvent::kProcessStart)) {
      std::fprintf(out, "  guest kernel: first KVM_RUN -> process start %8.3f ms\n",
                   ms_between(first_run, event(BootEvent::kProcessStart)));
      if (has(BootEvent::kAppStart)) {
        std::fprintf(out, "  runtime start: process start -> app _start %8.3f ms\n",
                     ms_between(event(BootEvent::kProcessStart), event(BootEvent::kAppStart)));
        std::fprintf(out, "  app: _start -> halt       %8.3f ms\n", ms_between(event(BootEvent::kAppStart), end));
      }
    }
    std::fprintf(out, "  guest run                %8.3f ms\n", ms_between(first_run, end));
    if (has(BootEvent::kAppStart))
      std::fprintf(out, "  monitor start -> app _start %8.3f ms\n", ms_between(start, event(BootEvent::kAppStart)));
    std::fprintf(out, "  total                    %8.3f ms\n", ms_between(start, end));
    std::fprintf(out, "  VM exits:");
    for (size_t i = 0; i < exits.size(); ++i)
      if (exits[i] != 0) std::fprintf(out, " %s=%" PRIu64, exit_reason_name(static_cast<uint32_t>(i)), exits[i]);
    std::fprintf(out, "\n  hypercalls:");
    for (uint16_t nr = 0; nr < kHypercallLimit; ++nr)
      if (hypercalls[nr] != 0) std::fprintf(out, " %s=%" PRIu64, hypercall_name(nr), hypercalls[nr]);
    std::fprintf(out, "\n");
    print_devices(out);
  }
};

Result<void> check_memory_size(uint64_t bytes) {
  if (bytes < arch::kMinMemory || bytes > arch::kMaxMemory || bytes % arch::kMemoryAlign != 0)
    return make_error("guest memory of " + std::to_string(bytes >> 20) + " MiB: need a multiple of " +
                      std::to_string(arch::kMemoryAlign >> 20) + " MiB from " +
                      std::to_string(arch::kMinMemory >> 20) + " MiB to " + std::to_string(arch::kMaxMemory >> 30) +
                      " GiB");
  return {};
}

struct Initrd {
  GuestPhys gpa = 0;
  uint64_t size = 0;
};

// Reads the initrd file into guest memory at {at} (page-aligned, after the kernel).
Result<Initrd> load_initrd(const std::string& path, GuestMemory& memory, GuestPhys at) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (!fd.valid() || ::fstat(fd.get(), &st) < 0) return make_error(path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return make_error(path + ": not a regular file");
  uint64_t size = static_cast<uint64_t>(st.st_size);
  uint8_t* dst = memory.checked(at, size);
  if (dst == nullptr)
    return make_error(path + ": " + std::to_string(size) + " bytes do not fit in guest RAM after the kernel (at " +
                      hex(at) + " of " + std::to_string(memory.size() >> 20) + " MiB; try a larger --mem)");
  for (uint64_t done = 0; done < size;) {
    ssize_t n = ::pread(fd.get(), dst + done, size - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error(path + ": read: " + (n == 0 ? "file shrank" : std::strerror(errno)));
    done += static_cast<uint64_t>(n);
  }
  return Initrd{at, size};
}

// The boot info's device fields (hvt_abi.h): MTU and MAC, the addresses
// user-mode networking dictates, the disk's geometry.
void describe_devices(hvt::HvtBootInfo& info, const NetConfig& net_config, const NetBackend* net,
                      const FileDisk* disk) {
  if (net != nullptr) {
    info.net_mtu = kNetMtu;
    std::memcpy(info.net_mac, kGuestMac.data(), sizeof info.net_mac);
    if (net_config.kind == NetConfig::Kind::kUser) {
      std::memcpy(info.net_ipv4_addr, kUserGuest.data(), 4);
      std::memcpy(info.net_ipv4_gateway, kUserHost.data(), 4);
      std::memcpy(info.net_ipv4_dns, kUserDns.data(), 4);
      info.net_ipv4_prefix = kUserPrefix;
    }
  }
  if (disk != nullptr) {
    info.block_size = disk->size();
    info.block_sector_size = FileDisk::kSectorSize;
    info.block_readonly = disk->readonly() ? 1 : 0;
  }
}

uint64_t realtime_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// " at RIP 0x100606 (0f 57 c0 ...)": the instruction bytes too, read through
// the boot identity map (RIP = guest-physical) when they lie in RAM.
std::string at_rip(const KvmVcpu& vcpu, const GuestMemory& memory) {
  auto regs = vcpu.regs();
  if (!regs) return "";
  std::string out = " at RIP " + hex(regs->rip);
  constexpr uint64_t kBytes = 8;
  if (const uint8_t* code = memory.checked(regs->rip, kBytes)) {
    out += " (";
    for (uint64_t i = 0; i < kBytes; ++i) {
      char b[4];
      std::snprintf(b, sizeof b, i == 0 ? "%02x" : " %02x", code[i]);
      out += b;
    }
    out += ")";
  }
  return out;
}

// Why the VM must stop on a non-hypercall exit, in words.
std::string describe_exit(kvm_run& run) {
  std::string what = exit_reason_name(run.exit_reason);
  switch (run.exit_reason) {
    case KVM_EXIT_IO:
      return "unexpected I/O: " + std::string(run.io.direction == KVM_EXIT_IO_OUT ? "out to" : "in from") +
             " port " + hex(run.io.port) + " (" + std::to_string(run.io.size) + (run.io.size == 1 ? " byte)" : " bytes)");
    case KVM_EXIT_MMIO:
      return what + ": " + (run.mmio.is_write ? "write to " : "read from ") + hex(run.mmio.phys_addr);
    case KVM_EXIT_FAIL_ENTRY:
      return what + ": hardware entry failure reason " + hex(run.fail_entry.hardware_entry_failure_reason);
    case KVM_EXIT_INTERNAL_ERROR:
      // KVM_INTERNAL_ERROR_EMULATION: KVM had to emulate an instruction its
      // emulator does not know (under PVM, nested KVM without VMX, that is
      // all ring-0 code and the first instructions after each exit: build
      // ring-0 code with -mgeneral-regs-only).
      if (run.internal.suberror == KVM_INTERNAL_ERROR_EMULATION)
        return what + ": KVM could not emulate the instruction";
      return what + ": suberror " + std::to_string(run.internal.suberror);
    default:
      if (run.exit_reason == KVM_EXIT_UNKNOWN || what == "KVM exit")
        return what + " " + std::to_string(run.exit_reason);
      return what;
  }
}

// The vCPU loop: runs until Halt or a forbidden exit.
Result<VmExit> run_vcpu(KvmVcpu& vcpu, HypercallContext& ctx, BootTrace& trace) {
  kvm_run& run = vcpu.state();
  trace.first_run = Clock::now();
  for (;;) {
    if (auto r = vcpu.run(); !r) return r.take_error();
    uint32_t reason = run.exit_reason;
    if (reason < trace.exits.size()) ++trace.exits[reason];
    if (reason == KVM_EXIT_INTR) continue;
    bool hypercall = reason == KVM_EXIT_IO && run.io.direction == KVM_EXIT_IO_OUT && run.io.size == 4 &&
                     run.io.count == 1 && run.io.port > hvt::kHvtPortBase &&
                     run.io.port < hvt::kHvtPortBase + kHypercallLimit;
    if (!hypercall) return VmExit{false, kExitGuestFault, describe_exit(run) + at_rip(vcpu, ctx.memory)};

    uint16_t nr = static_cast<uint16_t>(run.io.port - hvt::kHvtPortBase);
    if (!trace.saw_hypercall) {
      trace.saw_hypercall = true;
      trace.first_hypercall = Clock::now();
    }
    ++trace.hypercalls[nr];
    uint32_t args = 0;
    // SAFETY: for an OUT exit KVM leaves io.size * io.count bytes at
    // data_offset inside the kvm_run mapping (4 * 1 here).
    std::memcpy(&args, reinterpret_cast<uint8_t*>(&run) + run.io.data_offset, sizeof args);
    HypercallOutcome outcome = dispatch_hypercall(ctx, nr, args);
    switch (outcome.kind) {
      case HypercallOutcome::Kind::kResume: continue;
      case HypercallOutcome::Kind::kHalt: return VmExit{true, outcome.exit_status, {}};
      case HypercallOutcome::Kind::kFault:
        return VmExit{false, kExitGuestFault, "bad hypercall: " + outcome.message + at_rip(vcpu, ctx.memory)};
    }
  }
}

}  // namespace

Result<VmExit> run_vm(const VmConfig& config) {
  BootTrace trace;
  trace.start = Clock::now();
  if (auto r = check_memory_size(config.mem_bytes); !r) return r.take_error();
  if (config.cmdline.size() >= arch::kCmdlineMax)
    return make_error("the kernel command line is " + std::to_string(config.cmdline.size()) +
                      " bytes; at most " + std::to_string(arch::kCmdlineMax - 1) + " fit");

  auto memory = GuestMemory::create(config.mem_bytes);
  if (!memory) return memory.take_error();
  std::span<const uint8_t> embedded = embedded_kernel();
  if (config.kernel.empty() && embedded.empty())
    return make_error("no kernel: this silk was built without one (-DSILK_KERNEL=OFF); pass --kernel FILE");
  auto kernel = config.kernel.empty() ? load_kernel_elf(embedded, "the embedded kernel", *memory)
                                      : load_kernel_elf(config.kernel, *memory);
  if (!kernel) return kernel.take_error();
  Initrd initrd;
  if (config.initrd_archive != nullptr) {
    const CpioArchive& archive = *config.initrd_archive;
    uint8_t* dst = memory->checked(kernel->end, archive.size());
    if (dst == nullptr)
      return make_error("the initrd (" + std::to_string(archive.size() >> 20) + " MiB) does not fit in " +
                        std::to_string(memory->size() >> 20) + " MiB of guest RAM; try a larger --mem");
    if (auto r = archive.write_to(dst, true); !r) return r.take_error();
    initrd = Initrd{kernel->end, archive.size()};
    trace.initrd_bytes = archive.size();
    trace.initrd_mapped = archive.mapped_bytes();
  } else if (!config.initrd.empty()) {
    auto loaded = load_initrd(config.initrd, *memory, kernel->end);
    if (!loaded) return loaded.take_error();
    initrd = *loaded;
  }
  std::memcpy(memory->checked(arch::kCmdline, config.cmdline.size() + 1), config.cmdline.c_str(),
              config.cmdline.size() + 1);
  trace.loaded = Clock::now();

  // The devices, opened before the sandbox closes the door.
  if (auto r = check_net_config(config.net); !r) return r.take_error();
  std::unique_ptr<NetBackend> net;
  if (config.net.kind != NetConfig::Kind::kNone) {
    auto opened = open_net_backend(config.net);
    if (!opened) return opened.take_error();
    net = std::move(*opened);
  }
  std::optional<FileDisk> disk;
  if (!config.disk.empty()) {
    auto opened = FileDisk::open(config.disk, config.disk_readonly);
    if (!opened) return opened.take_error();
    disk.emplace(std::move(*opened));
  }

  trace.devices_ready = Clock::now();

  auto vm = KvmVm::create();
  if (!vm) return vm.take_error();
  if (auto r = vm->map_memory(*memory); !r) return r.take_error();
  auto vcpu = KvmVcpu::create(*vm, 0);
  if (!vcpu) return vcpu.take_error();
  auto tsc_khz = vcpu->tsc_khz();
  if (!tsc_khz) return tsc_khz.take_error();

  hvt::HvtBootInfo info{};
  info.abi_version = hvt::kHvtAbiVersion;
  info.mem_size = memory->size();
  info.kernel_end = kernel->end;
  info.tsc_khz = *tsc_khz;
  info.cmdline = arch::kCmdline;
  info.initrd = initrd.size != 0 ? initrd.gpa : 0;
  info.initrd_size = initrd.size;
  describe_devices(info, config.net, net.get(), disk ? &*disk : nullptr);
  if (auto r = arch::configure_boot_vcpu(*vm, *vcpu, *memory, kernel->entry, arch::kBootInfo); !r)
    return r.take_error();
  info.boot_walltime_ns = realtime_ns();
  memory->write(arch::kBootInfo, info);
  trace.kvm_ready = Clock::now();

  HypercallContext ctx{*memory, config.console_fd, config.console_err_fd, config.console_in_fd};
  install_stop_signal_handlers();  // SIGINT/SIGTERM reach the guest through Poll
  ctx.net = net.get();
  ctx.disk = disk ? &*disk : nullptr;
  if (config.seccomp) {
    SeccompPolicy policy{vcpu->fd(), config.console_fd, config.console_err_fd, config.console_in_fd};
    if (net) net->add_to_policy(policy);
    if (disk) {
      policy.disk_fd = disk->fd();
      policy.disk_readonly = disk->readonly();
    }
    if (auto r = install_seccomp_filter(policy); !r) return r.take_error();
    trace.seccomp_rules = seccomp_allowed_syscall_count(policy);
  }
  auto exit = run_vcpu(*vcpu, ctx, trace);
  trace.end = Clock::now();
  trace.events_ns = ctx.boot_event_ns;
  trace.net = net.get();
  trace.disk = ctx.disk;
  trace.devices = ctx.counters;
  if (config.trace_boot) trace.print(stderr);
  return exit;
}

}  // namespace silk::vmm
