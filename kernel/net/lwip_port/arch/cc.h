/* lwIP's compiler and platform header (lwip/arch.h includes it) for silk's
 * kernel: freestanding clang, x86-64, no libc. The hooks it names are
 * implemented in net/lwip_port/port.cc. C, included by lwIP's C files and by
 * the kernel's C++ net code. */
#ifndef SILK_LWIP_ARCH_CC_H
#define SILK_LWIP_ARCH_CC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BYTE_ORDER LITTLE_ENDIAN

/* No inttypes.h or ctype.h in a freestanding build: lwIP's own fallbacks,
 * and format strings for the kernel's formatter (lib/format.h). */
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H 1
#define X8_F "02x"
#define U16_F "hu"
#define S16_F "hd"
#define X16_F "hx"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

void silk_lwip_diag(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void silk_lwip_assert(const char* message, const char* file, int line);
uint32_t silk_lwip_rand(void);

#define LWIP_PLATFORM_DIAG(x) do { silk_lwip_diag x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) silk_lwip_assert((x), __FILE__, __LINE__)
#define LWIP_RAND() silk_lwip_rand()

#define lwip_htons(x) __builtin_bswap16(x)
#define lwip_htonl(x) __builtin_bswap32(x)

#ifdef __cplusplus
}
#endif

#endif
