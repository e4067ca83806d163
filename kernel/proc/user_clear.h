// Clearing recycled memory from ring 3. A page a demand fault maps must
// read as zero. Fresh RAM is (mm/frame_allocator.h); recycled frames and
// blocks are not, and clearing them in ring 0 is slow where ring 0 is
// emulated (kvm-pvm: ~12 MB/s, 175 ms for a 2 MiB block) while ring 3 runs
// natively (~0.5 ms for 2 MiB there). So, for a fault from ring 3, the kernel
// maps the recycled memory writable, parks the faulting context here and
// sends the process through a stub page of kernel-provided code:
//
//   xor eax, eax; rep stosq          (RDI = the memory, RCX = its quadwords)
//   mov eax, kFinishCall; syscall
//
// The private system call gives the memory its region's protection and
// resumes the parked context at the faulting instruction, which now finds
// zeroed memory. One slot suffices: the stub cannot fault (its target is
// mapped), and nothing else runs until it calls back.
#pragma once

#include <stdint.h>

#include "arch/trap_frame.h"

namespace silk::kernel::proc::user_clear {

inline constexpr uint64_t kStubAddress = 0x0000'7ffe'0000'0000ull;  // above mmap's range, below the stack
inline constexpr uint64_t kFinishCall = 0x5117'0001;                 // past every Linux system call number

// Maps the stub page (a region R-X at kStubAddress) when the process starts.
// False: no stub, and clearing stays in ring 0.
bool init();
// Whether start() may be used: the stub page is still mapped user-executable
// and no clearing is in flight.
bool available();
// The stub page's frame was unmapped and released (munmap, MAP_FIXED or
// madvise over it): it is never used again.
void forget();
inline bool covers_stub(uint64_t start, uint64_t end) { return start <= kStubAddress && kStubAddress < end; }
// Parks {frame} and points it at the stub to clear [{address}, +{size})
// (mapped user-writable by the caller); then the memory gets {prot}.
void start(arch::TrapFrame* frame, uint64_t address, uint64_t size, int prot);
// The stub's call (RAX = kFinishCall): applies the protection and puts the
// parked context back into {frame}. False when no clearing is in flight or
// the call does not come from the stub (it is then an unknown call).
bool finish(arch::TrapFrame* frame);

}  // namespace silk::kernel::proc::user_clear
