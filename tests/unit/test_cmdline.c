/* hv/core/cmdline.c: word lookup and number parsing. */
#include "unit.h"
#include <bulkhead/cmdline.h>

static void test_get(void **state)
{
	const char *cl = "build/bulkhead.elf exit_port=0xf4  selftest vm=a,b selftest2=x";
	char v[16];

	(void)state;
	assert_true(cmdline_get(cl, "exit_port", v, sizeof(v)));
	assert_string_equal(v, "0xf4");
	assert_true(cmdline_get(cl, "selftest", v, sizeof(v)));
	assert_string_equal(v, "");
	assert_true(cmdline_get(cl, "vm", v, sizeof(v)));
	assert_string_equal(v, "a,b");
	assert_false(cmdline_has(cl, "exit"));     /* prefix of a key is not the key */
	assert_false(cmdline_has(cl, "port"));
	assert_false(cmdline_has("", "selftest"));
	assert_true(cmdline_get("k=0123456789abcdef", "k", v, 5));
	assert_string_equal(v, "0123"); /* truncated, terminated */
}

static void test_numbers(void **state)
{
	u64 x;

	(void)state;
	assert_true(cmdline_parse_u64("0", &x) && x == 0);
	assert_true(cmdline_parse_u64("4096", &x) && x == 4096);
	assert_true(cmdline_parse_u64("0xF4", &x) && x == 0xf4);
	assert_true(cmdline_parse_u64("18446744073709551615", &x) && x == ~0ULL);
	assert_false(cmdline_parse_u64("18446744073709551616", &x));
	assert_false(cmdline_parse_u64("0x10000000000000000", &x));
	assert_false(cmdline_parse_u64("", &x));
	assert_false(cmdline_parse_u64("0x", &x));
	assert_false(cmdline_parse_u64("12a", &x));
	assert_false(cmdline_parse_u64("-1", &x));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
