/* hv/lib/datetime.c: civil dates <-> days and Unix seconds. */
#include "unit.h"
#include <bulkhead/datetime.h>

static void test_known_days(void **state)
{
	(void)state;
	assert_int_equal(datetime_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(datetime_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(datetime_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(datetime_days_from_civil(2038, 1, 19), 24855);
	assert_int_equal(datetime_days_from_civil(1900, 1, 1), -25567);
	/* a day past the month's end runs into the next month */
	assert_int_equal(datetime_days_from_civil(2023, 2, 31), datetime_days_from_civil(2023, 3, 3));
}

static void test_round_trip(void **state)
{
	s64 y;
	u32 m, d;

	(void)state;
	for (s64 day = -800000; day < 800000; day += 7) {
		datetime_civil_from_days(day, &y, &m, &d);
		assert_true(m >= 1 && m <= 12 && d >= 1 && d <= datetime_days_in_month(y, m));
		assert_int_equal(datetime_days_from_civil(y, m, d), day);
	}
}

static void test_unix(void **state)
{
	struct datetime t;

	(void)state;
	datetime_from_unix(1700000000, &t); /* 2023-11-14 22:13:20 UTC, a Tuesday */
	assert_int_equal(t.year, 2023);
	assert_int_equal(t.month, 11);
	assert_int_equal(t.day, 14);
	assert_int_equal(t.hour, 22);
	assert_int_equal(t.minute, 13);
	assert_int_equal(t.second, 20);
	assert_int_equal(t.weekday, 2);
	assert_int_equal(datetime_to_unix(&t), 1700000000);
	datetime_from_unix(-1, &t);
	assert_int_equal(t.year, 1969);
	assert_int_equal(t.second, 59);
	assert_int_equal(t.weekday, 3);
	datetime_from_unix(951782400, &t); /* 2000-02-29, leap day of a 400-year */
	assert_int_equal(t.month, 2);
	assert_int_equal(t.day, 29);
}

static void test_valid(void **state)
{
	struct datetime t = { 2024, 2, 29, 23, 59, 59, 0 };

	(void)state;
	assert_true(datetime_valid(&t));
	t.year = 2023;
	assert_false(datetime_valid(&t));
	t.year = 1900;
	assert_false(datetime_valid(&t));
	t = (struct datetime){ 2024, 13, 1, 0, 0, 0, 0 };
	assert_false(datetime_valid(&t));
	t = (struct datetime){ 2024, 1, 1, 24, 0, 0, 0 };
	assert_false(datetime_valid(&t));
	assert_int_equal(datetime_days_in_month(2024, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_days),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_unix),
		cmocka_unit_test(test_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
