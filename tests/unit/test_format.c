/* hv/lib/format.c against the C library's snprintf, conversion by conversion. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <bulkhead/format.h>

#define SAME(...)                                                          \
	do {                                                               \
		char ours[128], libc[128];                                 \
		int n1 = fmt_snprintf(ours, sizeof(ours), __VA_ARGS__);    \
		int n2 = snprintf(libc, sizeof(libc), __VA_ARGS__);        \
		assert_string_equal(ours, libc);                           \
		assert_int_equal(n1, n2);                                  \
	} while (0)

static void test_integers(void **state)
{
	(void)state;
	SAME("%d %d %d", 0, -1, 2147483647);
	SAME("%i", (int)-2147483647 - 1);
	SAME("%u %x %X %o", 4294967295U, 0xdeadbeefU, 0xabcU, 8U);
	SAME("%ld %lu %lx", -5L, 18446744073709551615UL, 0x123456789abcdefUL);
	SAME("%lld %llu", (long long)-9223372036854775807LL - 1, 18446744073709551615ULL);
	SAME("%hhd %hhu %hd %hu", -1, 255, -32768, 65535);
	SAME("%zu %zx %td %jd", (size_t)12345, (size_t)0xfff, (ptrdiff_t)-7, (intmax_t)-8);
}

static void test_flags_width_precision(void **state)
{
	(void)state;
	SAME("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42);
	SAME("[%08x] [%#x] [%#X] [%#o] [%#x]", 0xbeefU, 0xbeefU, 0xbeefU, 8U, 0U);
	SAME("[%.3d] [%8.3d] [%-8.3d] [%.0d] [%.0x]", 7, 7, 7, 0, 0U);
	SAME("[%*d] [%-*d] [%.*s]", 6, 1, 6, 1, 2, "abcdef");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat" /* edge cases gcc warns about, on purpose */
	SAME("[%010.4d] [%-010d]", 12, -12);
#pragma GCC diagnostic pop
	SAME("[%#010x] [%#10x]", 0x1fU, 0x1fU);
	SAME("[%+05d] [% 05d]", 3, 3);
}

static void test_strings_chars(void **state)
{
	(void)state;
	SAME("[%s] [%10s] [%-10s] [%.2s]", "hv", "hv", "hv", "hypervisor");
	SAME("[%c] [%3c] [%-3c]", 'a', 'b', 'c');
	SAME("100%% [%s]", "");
	SAME("%p", (void *)0x1234);
}

/* "%.*s" reads at most the precision's bytes: the array need not hold a
 * NUL (C11 7.21.6.1p8); ASan stops a read past the three bytes. */
static void test_precision_reads_no_further(void **state)
{
	char *abc = malloc(3);
	char buf[8];

	(void)state;
	memcpy(abc, "abc", 3);
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%.*s", 3, abc), 3);
	assert_string_equal(buf, "abc");
	free(abc);
}

static void test_truncation(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, 5, "%s", "0123456789"), 10);
	assert_string_equal(buf, "0123");
	assert_int_equal(buf[5], 'X'); /* nothing written past size */
	assert_int_equal(fmt_snprintf(buf, 0, "%d", 12345), 5);
	assert_int_equal(buf[0], '0');
	assert_int_equal(fmt_snprintf(buf, 1, "abc"), 3);
	assert_string_equal(buf, "");
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
static void test_null_string_and_unknown(void **state)
{
	char buf[32];

	(void)state;
	fmt_snprintf(buf, sizeof(buf), "%s", (const char *)NULL);
	assert_string_equal(buf, "(null)");
	fmt_snprintf(buf, sizeof(buf), "a%");
	assert_string_equal(buf, "a");
}
#pragma GCC diagnostic pop

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_flags_width_precision),
		cmocka_unit_test(test_precision_reads_no_further),
		cmocka_unit_test(test_strings_chars),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_null_string_and_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
