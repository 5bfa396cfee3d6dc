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
/* Focus mode (console_mux.h): off, VM output is not shown as lines. */
void console_set_log_lines(bool on);
/* A VM's output bytes, already filtered, as they are: no prefix and no LF
 * expansion (the guest's terminal driver sends CR LF itself). */
void console_guest_raw(const void *owner, const u8 *s, size_t n);
int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap);

#endif
