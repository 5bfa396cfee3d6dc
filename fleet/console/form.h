/* An HTML form's body (application/x-www-form-urlencoded, WHATWG URL 5.1):
 * decoded strictly (a bad %-escape, a NUL byte, invalid UTF-8, a field
 * without '=', a field given twice or more than FORM_MAX_FIELDS fields is
 * refused) into key/value strings. Pure: no I/O, so it is unit-tested and
 * fuzzed on its own. */
#ifndef FLEET_CONSOLE_FORM_H
#define FLEET_CONSOLE_FORM_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define FORM_MAX_FIELDS 32U

struct form {
	size_t n;
	char *key[FORM_MAX_FIELDS], *val[FORM_MAX_FIELDS];
};

/* 0 and the fields in f (to be freed with form_free, also after -1), or -1 (err). */
int form_parse(struct form *f, const uint8_t *body, size_t len, struct fl_err *err);
void form_free(struct form *f);
/* The value of a field; NULL if absent. */
const char *form_get(const struct form *f, const char *key);
/* 1 if s is well-formed UTF-8 (no overlong forms, surrogates or > U+10FFFF). */
int form_utf8_ok(const char *s);

#endif
