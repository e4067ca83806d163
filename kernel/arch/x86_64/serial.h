// COM1, a 16550 UART at I/O port 0x3f8: the console under QEMU and
// Firecracker. Polled, transmit only; no interrupts.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace silk::kernel::x86_64 {

void serial_init();
void serial_write(const char* data, size_t len);
// Other UARTs (COM2 0x2f8, COM3 0x3e8), when QEMU has more -serial ports.
inline constexpr uint16_t kCom2 = 0x2f8, kCom3 = 0x3e8;
bool serial_present(uint16_t port);  // probes the port and sets it to 8N1
void serial_write(uint16_t port, const char* data, size_t len);

}  // namespace silk::kernel::x86_64
