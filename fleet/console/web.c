/* The console's HTTP plumbing (see web.h). */
#include "web.h"

#include <stdarg.h>
#include <stdio.h>
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

/* 1 if s is well-formed UTF-8 (no overlong forms, surrogates or > U+10FFFF). */
static int utf8_ok(const unsigned char *s)
{
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
		} else {
			*o++ = p[i];
		}
	}
	*o = '\0';
	if (utf8_ok((const unsigned char *)out))
		return out;
bad:
	free(out);
	return NULL;
}

int web_parse_form(struct req *r, struct fl_err *err)
{
	const char *p = (const char *)r->body.data, *end = p + r->body.len;

	while (p && p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p)), *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));

		if (stop > p) {
			if (!eq || r->nform == WEB_MAX_FIELDS)
				return fl_fail(err, "malformed form (a field without '=', or more than %u fields)",
					       WEB_MAX_FIELDS);
			r->key[r->nform] = decode(p, (size_t)(eq - p));
			r->val[r->nform] = decode(eq + 1, (size_t)(stop - eq - 1));
			r->nform++;
			if (!r->key[r->nform - 1] || !r->val[r->nform - 1])
				return fl_fail(err, "malformed form (bad %%-escape, NUL or not UTF-8)");
			for (size_t i = 0; i + 1 < r->nform; i++)
				if (!strcmp(r->key[i], r->key[r->nform - 1]))
					return fl_fail(err, "form field %.32s given twice", r->key[i]);
		}
		p = amp ? amp + 1 : NULL;
	}
	return 0;
}

void web_free(struct req *r)
{
	for (size_t i = 0; i < r->nform; i++) {
		free(r->key[i]);
		free(r->val[i]);
	}
	fl_buf_free(&r->body);
}

const char *web_form(const struct req *r, const char *key)
{
	for (size_t i = 0; i < r->nform; i++)
		if (r->key[i] && !strcmp(r->key[i], key))
			return r->val[i];
	return NULL;
}

/* libmicrohttpd decodes query arguments; values that are not UTF-8 are ignored. */
const char *web_query(const struct req *r, const char *key)
{
	const char *v = MHD_lookup_connection_value(r->c, MHD_GET_ARGUMENT_KIND, key);

	return v && utf8_ok((const unsigned char *)v) ? v : NULL;
}

const char *web_cookie(const struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->c, MHD_COOKIE_KIND, name);
}

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

/* Percent-encode everything but unreserved characters (RFC 3986 2.3). */
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

static void headers(struct MHD_Response *r, const char *set_cookie)
{
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
				"frame-ancestors 'none'; base-uri 'none'");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (set_cookie)
		MHD_add_response_header(r, "Set-Cookie", set_cookie);
}

enum MHD_Result web_page(struct MHD_Connection *c, unsigned code, struct html *h, const char *set_cookie)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	if (h->failed) {
		fl_buf_free(&h->b);
		return web_error(c, 500, "out of memory");
	}
	r = MHD_create_response_from_buffer(h->b.len, h->b.data ? (void *)h->b.data : (void *)"",
					    h->b.data ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	h->b.data = NULL;
	h->b.len = h->b.cap = 0;
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
	headers(r, set_cookie);
	rc = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return rc;
}

enum MHD_Result web_redirect(struct MHD_Connection *c, const char *to, const char *set_cookie)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Location", to);
	headers(r, set_cookie);
	rc = MHD_queue_response(c, 303, r);
	MHD_destroy_response(r);
	return rc;
}

enum MHD_Result web_error(struct MHD_Connection *c, unsigned code, const char *msg)
{
	struct html h = { 0 };

	html(&h, "<!doctype html><html><head><meta charset=\"utf-8\"><title>Error %d</title>"
		 "<link rel=\"stylesheet\" href=\"/style.css\"></head><body><main><h1>Error %d</h1>"
		 "<p class=\"error\" id=\"error\">%s</p><p><a href=\"/\">Back to the fleet</a></p></main></body></html>",
	     (int)code, (int)code, msg);
	return web_page(c, code, &h, NULL);
}

static const char css[] =
	"body{font-family:sans-serif;margin:0;color:#222}nav{background:#234;padding:.5em 1em}"
	"nav a,nav button{color:#fff;margin-right:1em;background:none;border:0;font:inherit;cursor:pointer}"
	"nav form{display:inline}main{padding:1em}table{border-collapse:collapse}"
	"td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}th{background:#eee}"
	".error{color:#a00}.health-ok{color:#070}.health-revoked,.health-lease-expired{color:#a00}"
	"form.inline{display:inline}fieldset{margin:1em 0;max-width:50em}label{margin-right:1em}";

enum MHD_Result web_css(struct MHD_Connection *c)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(sizeof(css) - 1, (void *)css, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/css");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	rc = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return rc;
}

int web_valid_text(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 1 || n > max)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20U || *s == 0x7F)
			return 0;
	return 1;
}
