// The one user process: argv[0] of the command line is looked up in the root
// file system (fs/vfs.h: the initrd's files), loaded with its dynamic loader
// when it names one (PT_INTERP), and started in ring 3 with a SysV initial
// stack. It runs until exit_group or a fatal fault; either halts the machine.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "arch/trap_frame.h"

namespace silk::kernel::proc {

// Halt statuses when the program cannot start (as a shell reports them).
inline constexpr int kExitCannotRun = 126, kExitNotFound = 127;

// The path of the program {cmdline} names: its argv[0] (the first word after
// "--", unquoted; "init" without one), made absolute when relative: against
// the cwd= directory when the command line gives one, else against "/".
void program_path(const char* cmdline, char* out, size_t cap);

// Loads the program (and its interpreter) from the root file system and
// enters it with argv/envp from {cmdline}: the words after "--" (argv[0]
// first; double-quoted words unquoted, lib/cmdline.h), or "init" when there
// is no "--"; its working directory is cwd=DIR when given, else "/".
// Returns only on failure, after
// printing why: the status to halt with (kExitNotFound, kExitCannotRun).
int run(const char* cmdline);

// A page fault in ring 3 at {address} (arch/x86_64/exceptions.cc): demand
// paging when a region allows the access; otherwise SIGSEGV (SEGV_MAPERR
// outside every region, SEGV_ACCERR inside one that forbids the access) or
// SIGBUS (BUS_ADRERR: no memory left for the page, or a page wholly past the
// end of a mapped file), see proc/signal.h.
void user_page_fault(arch::TrapFrame* frame, uint64_t address);

// A kernel-mode #PF at a user address: demand paging when a region allows
// it (true), else the kernel's fault report follows.
inline constexpr uint64_t kUserHalfEnd = 0x0000'8000'0000'0000ull;
bool kernel_fault_on_user(uint64_t address, uint64_t error);

// /proc/self/exe, and the clocks the process sees: CLOCK_REALTIME (the
// boot wall time + the TSC), CLOCK_MONOTONIC (since the process started),
// and its CPU time (monotonic minus the time it slept: the kernel's own time
// counts as the process's).
const char* exe_path();
uint64_t realtime_ns();
uint64_t monotonic_ns();
uint64_t cpu_time_ns();

}  // namespace silk::kernel::proc
