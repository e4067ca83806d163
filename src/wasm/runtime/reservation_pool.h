// silk::wasm — a process-wide pool of address-space reservations (memories'
// 8 GiB guard regions, value stacks), so that short-lived stores (one per
// HTTP request) reuse mappings instead of mmap/munmap-ing them: unmapping
// interrupts every other thread of the process to flush its TLB.
//
// Two pools that never mix: memory regions come back all zero (a guest must
// never see another's bytes); value-stack regions are not cleared (the
// interpreter writes every slot before reading it). The first {accessible}
// bytes are read/write, the rest PROT_NONE. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace silk::wasm {

enum class PoolKind : uint8_t { Memory, Stack };

struct Reservation {
  uint8_t* base = nullptr;
  uint64_t reserved = 0;    // bytes of address space
  uint64_t accessible = 0;  // bytes [0, accessible) are read/write
};

// A reservation of exactly {reserved} bytes with {accessible} bytes usable
// and zero; base == nullptr if the address space is exhausted.
Reservation acquire_reservation(PoolKind kind, uint64_t reserved, uint64_t accessible);
// Makes [accessible, new_accessible) read/write; false if the kernel refuses.
bool grow_reservation(Reservation& r, uint64_t new_accessible);
// Gives {r} back. For the memory pool, the first {dirty} bytes may hold data
// and are zeroed (or discarded) before the region is reused.
void release_reservation(PoolKind kind, Reservation r, uint64_t dirty);

}  // namespace silk::wasm
