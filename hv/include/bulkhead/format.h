/* printf-style formatting into a buffer (hv/lib/format.c). Supports the
 * conversions the hypervisor uses: %d %i %u %x %X %o %c %s %p %% with the
 * flags '-', '0', ' ', '+', '#', a width and precision (numbers or '*'), and
 * the length modifiers hh h l ll z t j. Output is always NUL-terminated when
 * size > 0; the return value is the length the full output would have. */
#ifndef BULKHEAD_FORMAT_H
#define BULKHEAD_FORMAT_H

#include <stdarg.h>
#include <bulkhead/types.h>

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Streams output through a callback instead of a buffer (the console). */
typedef void (*fmt_putc_fn)(void *ctx, char c);
int fmt_vformat(fmt_putc_fn putc, void *ctx, const char *fmt, va_list ap);

#endif
