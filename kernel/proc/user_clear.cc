#include "proc/user_clear.h"

#include "lib/string.h"
#include "mm/address_space.h"
#include "mm/frame_allocator.h"
#include "proc/memory.h"

namespace silk::kernel::proc::user_clear {
namespace {

// The stub (x86-64 machine code): clears RCX quadwords at RDI, then calls
// kFinishCall. ud2 after the syscall: nothing returns there.
constexpr uint8_t kStub[] = {
    0x31, 0xc0,                    // xor %eax, %eax
    0xf3, 0x48, 0xab,              // rep stosq
    0xb8, 0x01, 0x00, 0x17, 0x51,  // mov $0x51170001, %eax (kFinishCall)
    0x0f, 0x05,                    // syscall
    0x0f, 0x0b,                    // ud2
};
constexpr uint64_t kReturnOffset = 12;  // RIP after the syscall
static_assert(kFinishCall == 0x51170001);

PhysAddr g_stub_frame{};
bool g_active = false;
arch::TrapFrame g_parked;
uint64_t g_address = 0, g_size = 0;
int g_prot = 0;

}  // namespace

bool init() {
  PhysAddr frame = mm::frames::allocate_zeroed();
  if (frame.is_null()) return false;
  memcpy(phys_to_virt<void>(frame), kStub, sizeof kStub);
  constexpr int kReadExec = memory::kProtRead | memory::kProtExec;
  if (!memory::add_region(kStubAddress, arch::kPageSize, kReadExec) ||
      !memory::map_page(kStubAddress, frame, kReadExec)) {
    mm::frames::release(frame);
    return false;
  }
  g_stub_frame = frame;
  return true;
}

bool available() {
  PhysAddr phys;
  arch::PageFlags flags;
  return !g_active && !g_stub_frame.is_null() &&
         mm::kernel_space().translate(VirtAddr{kStubAddress}, &phys, &flags) && phys == g_stub_frame &&
         flags.user && flags.executable;
}

void forget() { g_stub_frame = PhysAddr{}; }

void start(arch::TrapFrame* frame, uint64_t address, uint64_t size, int prot) {
  g_parked = *frame;
  g_active = true;
  g_address = address;
  g_size = size;
  g_prot = prot;
  frame->rip = kStubAddress;
  frame->rdi = address;
  frame->rcx = size / 8;
  frame->rflags = arch::kFlagsFixed;  // DF clear for rep stosq, no TF
}

bool finish(arch::TrapFrame* frame) {
  if (!g_active || frame->rip != kStubAddress + kReturnOffset) return false;
  g_active = false;
  if ((g_prot & memory::kProtWrite) == 0) memory::set_page_protection(g_address, g_size, g_prot);
  *frame = g_parked;
  return true;
}

}  // namespace silk::kernel::proc::user_clear
