/* The string functions lwIP's C files use, for a build without the C
 * library's headers (-nostdlibinc). The kernel's lib/string.cc and
 * net/lwip_port/port.cc define them. */
#ifndef SILK_LWIP_LIBC_STRING_H
#define SILK_LWIP_LIBC_STRING_H

#include <stddef.h>

void* memcpy(void* dst, const void* src, size_t n);
void* memmove(void* dst, const void* src, size_t n);
void* memset(void* dst, int value, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);
int strcmp(const char* a, const char* b);
int strncmp(const char* a, const char* b, size_t n);
char* strstr(const char* haystack, const char* needle);

#endif
