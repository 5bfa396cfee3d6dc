/* printf-style formatting: one engine (fmt_vformat) writing through a
 * character callback; buffers and the console are two callbacks on it. */
#include <bulkhead/format.h>

struct spec {
	bool left, zero, plus, space, alt;
	int width, prec; /* prec < 0: none given */
	int len;         /* 'H' hh, 'h', 'l', 'L' ll, 'z', 't', 'j', 0 */
};

struct out {
	fmt_putc_fn putc;
	void *ctx;
	int count;
};

static void emit(struct out *o, char c)
{
	o->putc(o->ctx, c);
	o->count++;
}

static void emit_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		emit(o, c);
}

static void emit_str(struct out *o, const struct spec *sp, const char *s)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while ((sp->prec < 0 || n < sp->prec) && s[n])
		n++;
	if (!sp->left)
		emit_pad(o, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		emit(o, s[i]);
	if (sp->left)
		emit_pad(o, ' ', sp->width - n);
}

static void emit_num(struct out *o, const struct spec *sp, u64 v, bool neg,
		     unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	const char *prefix = "";
	int zeros, pad;

	if (!(v == 0 && sp->prec == 0)) {
		do {
			tmp[n++] = digits[v % base];
			v /= base;
		} while (v);
	}
	if (neg)
		prefix = "-";
	else if (sp->plus && base == 10)
		prefix = "+";
	else if (sp->space && base == 10)
		prefix = " ";
	else if (sp->alt && base == 16 && n && !(n == 1 && tmp[0] == '0'))
		prefix = upper ? "0X" : "0x";
	else if (sp->alt && base == 8 && (n == 0 || tmp[n - 1] != '0'))
		prefix = "0";

	int plen = 0;
	while (prefix[plen])
		plen++;
	zeros = sp->prec > n ? sp->prec - n : 0;
	pad = sp->width - plen - zeros - n;
	if (sp->zero && !sp->left && sp->prec < 0) {
		zeros += pad > 0 ? pad : 0;
		pad = 0;
	}
	if (!sp->left)
		emit_pad(o, ' ', pad);
	for (int i = 0; i < plen; i++)
		emit(o, prefix[i]);
	emit_pad(o, '0', zeros);
	while (n)
		emit(o, tmp[--n]);
	if (sp->left)
		emit_pad(o, ' ', pad);
}

static const char *parse_int(const char *f, int *val, va_list *ap)
{
	if (*f == '*') {
		*val = va_arg(*ap, int);
		return f + 1;
	}
	*val = 0;
	while (*f >= '0' && *f <= '9') {
		if (*val < 100000)
			*val = *val * 10 + (*f - '0');
		f++;
	}
	return f;
}

static u64 arg_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case 'H': return (u8)va_arg(*ap, unsigned int);
	case 'h': return (u16)va_arg(*ap, unsigned int);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	case 'z': return va_arg(*ap, size_t);
	case 't': return (u64)va_arg(*ap, ptrdiff_t);
	case 'j': return va_arg(*ap, uintmax_t);
	default:  return va_arg(*ap, unsigned int);
	}
}

static s64 arg_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case 'H': return (s8)va_arg(*ap, int);
	case 'h': return (s16)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	case 'z': return (s64)va_arg(*ap, size_t);
	case 't': return va_arg(*ap, ptrdiff_t);
	case 'j': return va_arg(*ap, intmax_t);
	default:  return va_arg(*ap, int);
	}
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .prec = -1 };
	for (;; f++) {
		if (*f == '-') sp->left = true;
		else if (*f == '0') sp->zero = true;
		else if (*f == '+') sp->plus = true;
		else if (*f == ' ') sp->space = true;
		else if (*f == '#') sp->alt = true;
		else break;
	}
	f = parse_int(f, &sp->width, ap);
	if (sp->width < 0) {
		sp->left = true;
		sp->width = -sp->width;
	}
	if (*f == '.') {
		f = parse_int(f + 1, &sp->prec, ap);
		if (sp->prec < 0)
			sp->prec = -1;
	}
	if (f[0] == 'h' && f[1] == 'h') { sp->len = 'H'; f += 2; }
	else if (f[0] == 'l' && f[1] == 'l') { sp->len = 'L'; f += 2; }
	else if (*f == 'h' || *f == 'l' || *f == 'z' || *f == 't' || *f == 'j')
		sp->len = *f++;
	return f;
}

int fmt_vformat(fmt_putc_fn putc, void *ctx, const char *fmt, va_list ap_in)
{
	struct out o = { putc, ctx, 0 };
	struct spec sp;
	va_list ap;

	va_copy(ap, ap_in);
	while (*fmt) {
		if (*fmt != '%') {
			emit(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &ap);
		switch (*fmt) {
		case 'd':
		case 'i': {
			s64 v = arg_signed(&sp, &ap);
			emit_num(&o, &sp, v < 0 ? -(u64)v : (u64)v, v < 0, 10, false);
			break;
		}
		case 'u': emit_num(&o, &sp, arg_unsigned(&sp, &ap), false, 10, false); break;
		case 'x': emit_num(&o, &sp, arg_unsigned(&sp, &ap), false, 16, false); break;
		case 'X': emit_num(&o, &sp, arg_unsigned(&sp, &ap), false, 16, true); break;
		case 'o': emit_num(&o, &sp, arg_unsigned(&sp, &ap), false, 8, false); break;
		case 'p':
			sp.alt = true;
			sp.len = 0;
			emit_num(&o, &sp, (uintptr_t)va_arg(ap, void *), false, 16, false);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			if (!sp.left)
				emit_pad(&o, ' ', sp.width - 1);
			emit(&o, c);
			if (sp.left)
				emit_pad(&o, ' ', sp.width - 1);
			break;
		}
		case 's': emit_str(&o, &sp, va_arg(ap, const char *)); break;
		case '%': emit(&o, '%'); break;
		case '\0': fmt--; break; /* lone '%' at the end: print nothing */
		default:  emit(&o, '%'); emit(&o, *fmt); break;
		}
		fmt++;
	}
	va_end(ap);
	return o.count;
}

struct bufctx {
	char *buf;
	size_t size, pos;
};

static void buf_putc(void *ctx, char c)
{
	struct bufctx *b = ctx;

	if (b->pos + 1 < b->size)
		b->buf[b->pos] = c;
	b->pos++;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct bufctx b = { buf, size, 0 };
	int n = fmt_vformat(buf_putc, &b, fmt, ap);

	if (size)
		buf[b.pos < size ? b.pos : size - 1] = '\0';
	return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
