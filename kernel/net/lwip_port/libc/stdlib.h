/* What lwIP's C files take from stdlib.h (netif_find uses atoi); see string.h. */
#ifndef SILK_LWIP_LIBC_STDLIB_H
#define SILK_LWIP_LIBC_STDLIB_H

int atoi(const char* s);

#endif
