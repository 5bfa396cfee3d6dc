/* Console output: printf on the physical UART, LF expanded to CR LF.
 * One physical line is shared by the hypervisor and every VM's console:
 * whoever writes after someone else left a line unfinished (a guest's
 * prompt) starts a new line, so no message is glued onto another's. VM
 * output comes as "[name] text" lines (log mode) or, in focus mode, as the
 * focused VM's filtered bytes (console_mux.h). */
#include <bulkhead/console.h>
#include <bulkhead/format.h>
#include <bulkhead/x86/uart.h>

static bool midline;            /* the last character was not a newline */
static const void *line_owner;  /* who wrote that unfinished line; NULL: hypervisor */
static bool log_lines = true;   /* VM output as "[name] text" lines */

void console_set_log_lines(bool on)
{
	log_lines = on;
}

void console_init(void)
{
	uart_init(COM1_PORT);
}

static void emit(char c)
{
	if (c == '\n')
		uart_putc(COM1_PORT, '\r');
	uart_putc(COM1_PORT, c);
	midline = c != '\n';
}

/* Makes owner the writer of the current line; true if it goes on with a
 * line it left unfinished itself. */
static bool claim_line(const void *owner)
{
	bool goes_on = midline && line_owner == owner;

	if (midline && !goes_on)
		emit('\n');
	line_owner = owner;
	return goes_on;
}

void console_putc(char c)
{
	claim_line(NULL);
	emit(c);
}

void console_guest_write(const void *owner, const char *name, const char *s, size_t n,
			 bool newline)
{
	if (!log_lines)
		return;
	if (!claim_line(owner)) {
		emit('[');
		while (*name)
			emit(*name++);
		emit(']');
		emit(' ');
	}
	while (n--)
		emit(*s++);
	if (newline)
		emit('\n');
}

void console_guest_raw(const void *owner, const u8 *s, size_t n)
{
	claim_line(owner);
	while (n--) {
		uart_putc(COM1_PORT, (char)*s);
		midline = *s++ != '\n';
	}
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
