/* libFuzzer target: the console's form decoder (console/form.c) on untrusted
 * bytes; every accepted field must be NUL-free UTF-8, and after HTML escaping
 * (console/html.c) no value may carry a character that ends an attribute or
 * starts a tag. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "console/form.h"
#include "console/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form f;
	struct fl_err err;

	if (form_parse(&f, data, size, &err)) {
		form_free(&f);
		return 0;
	}
	if (f.n > FORM_MAX_FIELDS)
		abort();
	for (size_t i = 0; i < f.n; i++) {
		struct html h = { 0 };

		if (!form_utf8_ok(f.key[i]) || !form_utf8_ok(f.val[i]) || form_get(&f, f.key[i]) == NULL)
			abort();
		html(&h, "%s%u", f.val[i], f.key[i]);
		if (!h.failed && h.b.len && (memchr(h.b.data, '<', h.b.len) || memchr(h.b.data, '>', h.b.len) ||
				  memchr(h.b.data, '"', h.b.len) || memchr(h.b.data, '\'', h.b.len)))
			abort();
		fl_buf_free(&h.b);
	}
	form_free(&f);
	return 0;
}
