/* The HTML builder (see html.h). */
#include "html.h"

#include <stdarg.h>
#include <stdio.h>

static void put(struct html *h, const char *s, size_t n)
{
	if (fl_buf_append(&h->b, s, n))
		h->failed = 1;
}

static void put_escaped(struct html *h, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': put(h, "&amp;", 5); break;
		case '<': put(h, "&lt;", 4); break;
		case '>': put(h, "&gt;", 4); break;
		case '"': put(h, "&quot;", 6); break;
		case '\'': put(h, "&#39;", 5); break;
		default: put(h, s, 1);
		}
	}
}

static void put_url(struct html *h, const char *s)
{
	static const char hexd[] = "0123456789ABCDEF";

	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		char e[3] = { '%', hexd[ch >> 4], hexd[ch & 15U] };

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '.' || ch == '_' || ch == '~')
			put(h, s, 1);
		else
			put(h, e, 3);
	}
}

void html(struct html *h, const char *fmt, ...)
{
	char num[32];
	va_list ap;

	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%' || !p[1]) {
			put(h, p, 1);
			continue;
		}
		switch (*++p) {
		case 's': put_escaped(h, va_arg(ap, const char *)); break;
		case 'u': put_url(h, va_arg(ap, const char *)); break;
		case 'd': put(h, num, (size_t)snprintf(num, sizeof(num), "%d", va_arg(ap, int))); break;
		case 'L': put(h, num, (size_t)snprintf(num, sizeof(num), "%lld", va_arg(ap, long long))); break;
		default: put(h, p, 1); break;
		}
	}
	va_end(ap);
}
