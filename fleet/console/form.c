/* Form decoding (see form.h). */
#include "form.h"

#include <stdlib.h>
#include <string.h>

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* UTF-8 as RFC 3629 section 4 allows it. */
int form_utf8_ok(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		unsigned c = *s, n, cp;

		if (c < 0x80U) {
			s++;
			continue;
		}
		if (c >= 0xC2U && c <= 0xDFU)
			n = 1, cp = c & 0x1FU;
		else if (c >= 0xE0U && c <= 0xEFU)
			n = 2, cp = c & 0x0FU;
		else if (c >= 0xF0U && c <= 0xF4U)
			n = 3, cp = c & 0x07U;
		else
			return 0;
		for (unsigned i = 1; i <= n; i++) {
			if ((s[i] & 0xC0U) != 0x80U)
				return 0;
			cp = cp << 6 | (s[i] & 0x3FU);
		}
		if ((n == 2 && (cp < 0x800U || (cp >= 0xD800U && cp <= 0xDFFFU))) ||
		    (n == 3 && (cp < 0x10000U || cp > 0x10FFFFU)))
			return 0;
		s += n + 1;
	}
	return 1;
}

/* URL-decode [p, p + n) into a new string; NULL if malformed, NUL or not UTF-8. */
static char *decode(const char *p, size_t n)
{
	char *out = malloc(n + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '+') {
			*o++ = ' ';
		} else if (p[i] == '%') {
			int hi, lo;

			if (i + 2 >= n || (hi = hexval(p[i + 1])) < 0 || (lo = hexval(p[i + 2])) < 0 ||
			    (hi == 0 && lo == 0))
				goto bad;
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else if (p[i] == '\0') {
			goto bad;
		} else {
			*o++ = p[i];
		}
	}
	*o = '\0';
	if (form_utf8_ok(out))
		return out;
bad:
	free(out);
	return NULL;
}

int form_parse(struct form *f, const uint8_t *body, size_t len, struct fl_err *err)
{
	const char *p = (const char *)body, *end = p + len;

	memset(f, 0, sizeof(*f));
	while (p && p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p)), *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));

		if (stop > p) {
			if (!eq || f->n == FORM_MAX_FIELDS)
				return fl_fail(err, "malformed form (a field without '=', or more than %u fields)",
					       FORM_MAX_FIELDS);
			f->key[f->n] = decode(p, (size_t)(eq - p));
			f->val[f->n] = decode(eq + 1, (size_t)(stop - eq - 1));
			f->n++;
			if (!f->key[f->n - 1] || !f->val[f->n - 1])
				return fl_fail(err, "malformed form (bad %%-escape, NUL or not UTF-8)");
			for (size_t i = 0; i + 1 < f->n; i++)
				if (!strcmp(f->key[i], f->key[f->n - 1]))
					return fl_fail(err, "form field %.32s given twice", f->key[i]);
		}
		p = amp ? amp + 1 : NULL;
	}
	return 0;
}

void form_free(struct form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->key[i]);
		free(f->val[i]);
	}
	f->n = 0;
}

const char *form_get(const struct form *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->key[i] && !strcmp(f->key[i], key))
			return f->val[i];
	return NULL;
}
