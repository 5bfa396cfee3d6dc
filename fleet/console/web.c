/* The console's HTTP plumbing (see web.h). */
#include "web.h"

#include <stdlib.h>
#include <string.h>

int web_parse_form(struct req *r, struct fl_err *err)
{
	return form_parse(&r->form, r->body.data, r->body.len, err);
}

void web_free(struct req *r)
{
	form_free(&r->form);
	fl_buf_free(&r->body);
}

const char *web_form(const struct req *r, const char *key)
{
	return form_get(&r->form, key);
}

/* libmicrohttpd decodes query arguments; values that are not UTF-8 are ignored. */
const char *web_query(const struct req *r, const char *key)
{
	const char *v = MHD_lookup_connection_value(r->c, MHD_GET_ARGUMENT_KIND, key);

	return v && form_utf8_ok(v) ? v : NULL;
}

const char *web_cookie(const struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->c, MHD_COOKIE_KIND, name);
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
