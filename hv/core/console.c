/* Console output: printf on the physical UART, LF expanded to CR LF. */
#include <bulkhead/console.h>
#include <bulkhead/format.h>
#include <bulkhead/x86/uart.h>

void console_init(void)
{
	uart_init(COM1_PORT);
}

void console_putc(char c)
{
	if (c == '\n')
		uart_putc(COM1_PORT, '\r');
	uart_putc(COM1_PORT, c);
}

void console_write(const char *s, size_t n)
{
	while (n--)
		console_putc(*s++);
}

static void console_fmt_putc(void *ctx, char c)
{
	(void)ctx;
	console_putc(c);
}

int vprintf(const char *fmt, va_list ap)
{
	return fmt_vformat(console_fmt_putc, NULL, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
