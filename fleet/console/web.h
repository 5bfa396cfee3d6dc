/* The console's HTTP plumbing over libmicrohttpd: one request with its form
 * (form.h), query arguments and cookies, and the answers (an HTML page built
 * with html.h, a redirect, an error, the style sheet) with their headers. */
#ifndef FLEET_CONSOLE_WEB_H
#define FLEET_CONSOLE_WEB_H

#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>

#include "form.h"
#include "html.h"
#include "util.h"

#define WEB_MAX_BODY 16384U

struct req {
	struct MHD_Connection *c;
	const char *method, *url;
	struct fl_buf body;
	int too_big;
	struct form form; /* a POST's body, once parsed */
};

/* Decode r->body into r->form; -1 (err) for a malformed form (form.h). */
int web_parse_form(struct req *r, struct fl_err *err);
void web_free(struct req *r);
/* The value of a form field, a query argument (UTF-8 only) or a cookie; NULL if absent. */
const char *web_form(const struct req *r, const char *key);
const char *web_query(const struct req *r, const char *key);
const char *web_cookie(const struct req *r, const char *name);

/* Send h (freed) with code; set_cookie, if any, becomes a Set-Cookie header. */
enum MHD_Result web_page(struct MHD_Connection *c, unsigned code, struct html *h, const char *set_cookie);
/* 303 See Other to a path of this console. */
enum MHD_Result web_redirect(struct MHD_Connection *c, const char *to, const char *set_cookie);
/* A small page with code and msg (escaped). */
enum MHD_Result web_error(struct MHD_Connection *c, unsigned code, const char *msg);
/* The style sheet (the content security policy allows no inline style). */
enum MHD_Result web_css(struct MHD_Connection *c);

/* 1 if s is 1..max bytes with no control character. */
int web_valid_text(const char *s, size_t max);

#endif
