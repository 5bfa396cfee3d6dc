/* The hypervisor's console: a 16550 UART on the physical machine. */
#ifndef BULKHEAD_CONSOLE_H
#define BULKHEAD_CONSOLE_H

#include <stdarg.h>
#include <bulkhead/types.h>

void console_init(void);
void console_putc(char c);
void console_write(const char *s, size_t n);
/* A VM's console text, as "[name] text": a line the same owner left
 * unfinished goes on without a second prefix; anyone else's unfinished line
 * is ended first. newline ends this line. */
void console_guest_write(const void *owner, const char *name, const char *s, size_t n,
			 bool newline);
int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap);

#endif
