/* Serial output on the 16550 at COM1 (polled: wait for THRE, write THR) and
 * a small printf: %d %i %u %x %X %p %s %c %%, length l/ll/z, flag 0, width. */
#include "guest.h"

void putc_serial(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (u8)c);
}

void puts(const char *s)
{
	while (*s)
		putc_serial(*s++);
}

static void put_num(u64 v, unsigned base, bool upper, bool neg, int width, char pad)
{
	char buf[24];
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;
	do {
		buf[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		width--;
	if (neg && pad == '0')
		putc_serial('-');
	for (int i = n; i < width; i++)
		putc_serial(pad);
	if (neg && pad != '0')
		putc_serial('-');
	while (n)
		putc_serial(buf[--n]);
}

void vprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			putc_serial(*fmt);
			continue;
		}
		char pad = ' ';
		int width = 0, lng = 0;
		fmt++;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			s64 v = lng ? va_arg(ap, s64) : va_arg(ap, int);
			put_num(v < 0 ? (u64)-v : (u64)v, 10, false, v < 0, width, pad);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			u64 v = lng ? va_arg(ap, u64) : va_arg(ap, unsigned);
			put_num(v, *fmt == 'u' ? 10 : 16, *fmt == 'X', false, width, pad);
			break;
		}
		case 'p':
			puts("0x");
			put_num((u64)(uintptr_t)va_arg(ap, void *), 16, false, false, width, pad);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int len = (int)strlen(s);
			for (int i = len; i < width; i++)
				putc_serial(' ');
			puts(s);
			break;
		}
		case 'c':
			putc_serial((char)va_arg(ap, int));
			break;
		case '%':
			putc_serial('%');
			break;
		case '\0':
			return;
		default:
			putc_serial('%');
			putc_serial(*fmt);
		}
	}
}

void printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}
