/* The few string functions the hypervisor needs (hv/lib/string.c). In host
 * builds of pure-logic files the C library provides the same functions. */
#ifndef BULKHEAD_STRING_H
#define BULKHEAD_STRING_H

#include <bulkhead/types.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/* -ffreestanding stops the compiler from treating these as builtins, so it
 * would call them even to clear a small struct; the builtins let it expand
 * fixed sizes inline and call the functions above for the rest. */
#ifndef BULKHEAD_STRING_IMPL
#define memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define memset(d, c, n) __builtin_memset((d), (c), (n))
#define memmove(d, s, n) __builtin_memmove((d), (s), (n))
#define memcmp(a, b, n) __builtin_memcmp((a), (b), (n))
#endif

#endif
