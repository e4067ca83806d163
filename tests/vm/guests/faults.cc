// silk vm's misbehaving test guest: the first word of the command line says
// what to do wrong; the monitor must stop the VM with a clear message.
//   hlt        execute hlt with interrupts off
//   port       out to a port that is not a hypercall (COM1)
//   in         in from a hypercall port
//   triple     an exception without an IDT (#UD -> triple fault)
//   oob        ConsoleWrite of a buffer running past the end of guest RAM
//   wrap       ConsoleWrite whose address + length overflows 64 bits
//   args       a hypercall whose argument block is outside guest RAM
//   unknown    out to an unassigned hypercall port
//   mmio       a write to an address beyond RAM (not in the page tables -> triple fault)
//   status     halt with the status in the second word
#include "guest.h"

using namespace guest;

namespace {

int parse_int(const char* s) {
  int v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return v;
}

}  // namespace

extern "C" [[noreturn]] __attribute__((section(".text.start"))) void _start(const HvtBootInfo* info) {
  const char* cmd = reinterpret_cast<const char*>(info->cmdline);
  print("guest: ");
  print(cmd);
  print("\n");
  if (starts_with(cmd, "hlt")) {
    asm volatile("cli; hlt");
  } else if (starts_with(cmd, "port")) {
    asm volatile("outb %0, %1" : : "a"(uint8_t{'x'}), "Nd"(uint16_t{0x3f8}));
  } else if (starts_with(cmd, "in")) {
    uint32_t v;
    asm volatile("inl %1, %0" : "=a"(v) : "Nd"(uint16_t{kHvtPortBase + 2}));
  } else if (starts_with(cmd, "triple")) {
    asm volatile("ud2");
  } else if (starts_with(cmd, "oob")) {
    HvtConsoleWrite call{info->mem_size - 4, 100};
    hypercall(Hypercall::ConsoleWrite, &call);
  } else if (starts_with(cmd, "wrap")) {
    HvtConsoleWrite call{0x200000, ~0ull - 0x1000};
    hypercall(Hypercall::ConsoleWrite, &call);
  } else if (starts_with(cmd, "args")) {
    uint16_t port = kHvtPortBase + static_cast<uint16_t>(Hypercall::Walltime);
    asm volatile("outl %0, %1" : : "a"(uint32_t{0xfffffff0}), "Nd"(port));
  } else if (starts_with(cmd, "unknown")) {
    asm volatile("outl %0, %1" : : "a"(uint32_t{0x1000}), "Nd"(uint16_t{kHvtPortBase + 12}));
  } else if (starts_with(cmd, "mmio")) {
    *reinterpret_cast<volatile uint32_t*>(info->mem_size + 0x1000) = 1;
  } else if (starts_with(cmd, "status ")) {
    halt(parse_int(cmd + 7));
  }
  print("guest: still running after the fault\n");
  halt(0);
}
