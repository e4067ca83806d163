// The boot page tables (x86_64/paging.cc): guest-virtual = guest-physical for
// all of guest RAM, 2 MiB pages, read/write/execute, supervisor only.
#pragma once

#include "vmm/kvm/memory.h"

namespace silk::vmm::arch {

// Writes PML4, PDPT and the page directories; returns the value for CR3.
// {memory}'s size is a multiple of 2 MiB and at most kMaxMemory.
uint64_t write_identity_page_tables(GuestMemory& memory);

}  // namespace silk::vmm::arch
