/* Unit tests: the console's form decoding and HTML building (console/form.c,
 * console/html.c), the parts every value from a browser goes through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "console/form.h"
#include "console/html.h"

static int parse(const char *s, struct form *f)
{
	struct fl_err err;

	return form_parse(f, (const uint8_t *)s, strlen(s), &err);
}

static void test_form_decodes(void **state)
{
	struct form f;

	(void)state;
	assert_int_equal(parse("name=x%27%29%3B+DROP+TABLE+devices%3B--&csrf=ab&empty=", &f), 0);
	assert_int_equal(f.n, 3);
	assert_string_equal(form_get(&f, "name"), "x'); DROP TABLE devices;--");
	assert_string_equal(form_get(&f, "csrf"), "ab");
	assert_string_equal(form_get(&f, "empty"), "");
	assert_null(form_get(&f, "missing"));
	form_free(&f);
	/* empty body, empty fields between separators */
	assert_int_equal(parse("", &f), 0);
	assert_int_equal(f.n, 0);
	assert_int_equal(parse("&&a=1&&", &f), 0);
	assert_int_equal(f.n, 1);
	form_free(&f);
	/* UTF-8 is kept: "é" and U+1F600 */
	assert_int_equal(parse("v=%C3%A9%F0%9F%98%80", &f), 0);
	assert_string_equal(form_get(&f, "v"), "\xC3\xA9\xF0\x9F\x98\x80");
	form_free(&f);
}

static void test_form_refuses(void **state)
{
	static const char *const bad[] = {
		"a",                 /* no '=' */
		"a=%",               /* truncated escapes */
		"a=%4",
		"a=%zz",
		"a=%00",             /* NUL */
		"a=%C0%AF",          /* overlong '/' */
		"a=%ED%A0%80",       /* UTF-16 surrogate */
		"a=%F4%90%80%80",    /* above U+10FFFF */
		"a=%C3",             /* truncated sequence */
		"a=%80",             /* lone continuation byte */
		"a=1&a=2",           /* given twice */
	};
	struct form f;
	char many[400] = "";

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], &f), -1);
		form_free(&f);
	}
	/* a raw NUL byte inside the body */
	{
		struct fl_err err;

		assert_int_equal(form_parse(&f, (const uint8_t *)"a=b\0c", 5, &err), -1);
		form_free(&f);
	}
	/* more than FORM_MAX_FIELDS fields */
	for (unsigned i = 0; i <= FORM_MAX_FIELDS; i++) {
		char one[16];

		snprintf(one, sizeof(one), "%sk%u=v", i ? "&" : "", i);
		strcat(many, one);
	}
	assert_int_equal(parse(many, &f), -1);
	form_free(&f);
}

static void test_html_escapes(void **state)
{
	struct html h = { 0 };
	const char *want = "<td title=\"&lt;script&gt;&amp;&quot;&#39;\">42 -7 %</td>"
			   "<a href=\"/?group=a%20b%26c%3D%27%3C\">x</a>";

	(void)state;
	html(&h, "<td title=\"%s\">%d %L %%</td>", "<script>&\"'", 42, -7LL);
	html(&h, "<a href=\"/?group=%u\">%s</a>", "a b&c='<", "x");
	assert_false(h.failed);
	assert_int_equal(h.b.len, strlen(want));
	assert_memory_equal(h.b.data, want, h.b.len);
	fl_buf_free(&h.b);
	/* NULL prints as nothing; an unknown conversion is copied as text */
	memset(&h, 0, sizeof(h));
	html(&h, "[%s][%x]", (const char *)NULL);
	assert_int_equal(h.b.len, 5);
	assert_memory_equal(h.b.data, "[][x]", 5);
	fl_buf_free(&h.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_decodes),
		cmocka_unit_test(test_form_refuses),
		cmocka_unit_test(test_html_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
