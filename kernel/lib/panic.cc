#include "lib/panic.h"

#include <stdarg.h>

#include "lib/format.h"
#include "platform/platform.h"

namespace silk::kernel {

void panic(const char* fmt, ...) {
  kprintf("silk kernel: panic: ");
  va_list args;
  va_start(args, fmt);
  vkprintf(fmt, args);
  va_end(args);
  kprintf("\n");
  platform::halt(platform::kExitPanic);
}

}  // namespace silk::kernel
