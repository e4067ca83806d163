// silk::vmm — the kernel ELF (build/kernel/silk-kernel.elf) built into the
// silk binary, so `silk vm APP.wasm` and `silk image` need no other file.
#pragma once

#include <cstdint>
#include <span>

namespace silk::vmm {

// The embedded kernel ELF; empty when silk was built without the kernel
// (-DSILK_KERNEL=OFF).
std::span<const uint8_t> embedded_kernel();

}  // namespace silk::vmm
