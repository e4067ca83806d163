// The one user process: argv[0] of the command line is looked up in the root
// file system (fs/vfs.h: the initrd's files), loaded with its dynamic loader
// when it names one (PT_INTERP), and started in ring 3 with a SysV initial
// stack. It runs until exit_group or a fatal fault; either halts the machine.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace silk::kernel::proc {

// Halt statuses for a process killed by a CPU exception: 128 + the signal
// Linux would deliver (what a shell reports for a signal death).
inline constexpr int kSigIll = 4, kSigTrap = 5, kSigBus = 7, kSigFpe = 8, kSigSegv = 11;

// Halt statuses when the program cannot start (as a shell reports them).
inline constexpr int kExitCannotRun = 126, kExitNotFound = 127;

// The path of the program {cmdline} names: its argv[0] (the first word after
// " -- ", "init" without one), made absolute by prefixing "/" when relative.
void program_path(const char* cmdline, char* out, size_t cap);

// Loads the program (and its interpreter) from the root file system and
// enters it with argv/envp from {cmdline}: the words after " -- " (argv[0]
// first), or "init" when there is no "--". Returns only on failure, after
// printing why: the status to halt with (kExitNotFound, kExitCannotRun).
int run(const char* cmdline);

// Called for an exception in ring 3 (arch/x86_64/exceptions.cc): demand
// paging first; otherwise prints the report (signal, address, RIP) and halts
// with 128 + signal. Returns when the fault was resolved.
void user_exception(uint64_t vector, uint64_t error, uint64_t rip, uint64_t rsp, uint64_t address);

// A kernel-mode #PF at a user address: demand paging when a region allows
// it (true), else the kernel's fault report follows.
inline constexpr uint64_t kUserHalfEnd = 0x0000'8000'0000'0000ull;
bool kernel_fault_on_user(uint64_t address, uint64_t error);

// /proc/self/exe, and the clock the process sees.
const char* exe_path();
uint64_t realtime_ns();
uint64_t monotonic_ns();

}  // namespace silk::kernel::proc
