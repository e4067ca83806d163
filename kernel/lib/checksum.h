// Checksums for on-disk records (fs/durable).
//
// crc32: CRC-32 (IEEE 802.3, polynomial 0xEDB88320 reflected: zlib's crc32,
// Python's zlib.crc32), slice-by-8 with tables built at compile time.
// sum64: the ones'-complement sum of the little-endian 64-bit words (the last
// one zero-padded), i.e. the words' sum folded with end-around carries;
// 0 only for all-zero data.
//
// Why two: under kvm-pvm ring-0 code is emulated, and there a CRC-32 costs
// ~3.8 s per MiB (15 ms per 4 KiB) against ~0.28 s for sum64 (eight adc per
// 64 bytes) and ~0.13 s for a memcpy; the CRC32C instruction is not
// emulated at all. So records carry a CRC-32 of their header and names and a
// sum64 of their data.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace silk::kernel {

// Continues the CRC {crc} (0 to start) over {n} bytes at {data}.
uint32_t crc32(uint32_t crc, const void* data, size_t n);

// sum64 of {n} bytes at {data} (any alignment).
uint64_t sum64(const void* data, size_t n);

}  // namespace silk::kernel
