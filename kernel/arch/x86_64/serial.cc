#include "arch/x86_64/serial.h"

#include "arch/x86_64/io.h"

// Register offsets from the base port (PC16550D datasheet, table 2).
namespace silk::kernel::x86_64 {
namespace {

constexpr uint16_t kCom1 = 0x3f8;
constexpr uint16_t kData = 0;        // THR / divisor latch low when DLAB=1
constexpr uint16_t kInterrupts = 1;  // IER / divisor latch high when DLAB=1
constexpr uint16_t kFifo = 2;        // FCR
constexpr uint16_t kLine = 3;        // LCR
constexpr uint16_t kModem = 4;       // MCR
constexpr uint16_t kStatus = 5;      // LSR
constexpr uint8_t kTransmitEmpty = 0x20;  // LSR.THRE
constexpr size_t kFifoDepth = 16;

}  // namespace

void serial_init() {
  outb(kCom1 + kInterrupts, 0x00);  // no interrupts
  outb(kCom1 + kLine, 0x80);        // DLAB
  outb(kCom1 + kData, 0x01);        // divisor 1: 115200 baud
  outb(kCom1 + kInterrupts, 0x00);
  outb(kCom1 + kLine, 0x03);        // 8N1
  outb(kCom1 + kFifo, 0xc7);        // FIFO on, cleared, 14-byte threshold
  outb(kCom1 + kModem, 0x03);       // DTR, RTS
}

void serial_write(const char* data, size_t len) { serial_write(kCom1, data, len); }

void serial_write(uint16_t port, const char* data, size_t len) {
  // THRE set means the transmit FIFO is empty, so up to 16 bytes may follow
  // without polling again: one status read per 16 bytes, not per byte (each
  // port access is a VM exit). Bytes go out as they are (no "\r\n"
  // translation): the console carries the app's output byte for byte.
  size_t i = 0;
  while (i < len) {
    while ((inb(port + kStatus) & kTransmitEmpty) == 0) {
    }
    for (size_t n = 0; n < kFifoDepth && i < len; ++n, ++i) {
      outb(port + kData, static_cast<uint8_t>(data[i]));
    }
  }
}

bool serial_present(uint16_t port) {
  // A missing UART reads back 0xff: probe the scratch register.
  constexpr uint16_t kScratch = 7;
  outb(port + kScratch, 0x5a);
  if (inb(port + kScratch) != 0x5a) return false;
  outb(port + kLine, 0x03);  // 8N1
  return true;
}

}  // namespace silk::kernel::x86_64
