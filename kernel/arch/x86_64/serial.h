// COM1, a 16550 UART at I/O port 0x3f8: the console under QEMU and
// Firecracker. Polled, transmit only; no interrupts.
#pragma once

#include <stddef.h>

namespace silk::kernel::x86_64 {

void serial_init();
void serial_write(const char* data, size_t len);
// COM2 (0x2f8), when present (QEMU with a second -serial): writes {data};
// nothing when the port does not answer.
void serial2_write(const char* data, size_t len);

}  // namespace silk::kernel::x86_64
