// silk built without the kernel (-DSILK_KERNEL=OFF): nothing is embedded.
#include "vmm/embedded_kernel.h"

namespace silk::vmm {

std::span<const uint8_t> embedded_kernel() { return {}; }

}  // namespace silk::vmm
