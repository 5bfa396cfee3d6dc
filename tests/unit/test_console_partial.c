/* bulkhead/console_partial.h: a partial console line is shown at once when
 * the guest goes idle, and at a console poll only once it has stopped
 * growing for CONSOLE_PARTIAL_TICKS polls; a line still being written is
 * never cut by a poll. */
#include "unit.h"
#include <bulkhead/console_partial.h>

static void test_idle_shows_at_once(void **state)
{
	struct console_partial p = { 0 };

	(void)state;
	assert_false(console_partial_due(&p, 0, 0, true)); /* nothing to show */
	assert_true(console_partial_due(&p, 4, 0, true));  /* "~ # " then HLT */
	assert_false(console_partial_due(&p, 4, 4, true)); /* shown already */
}

/* A line that grows between polls (the guest is writing it, or was
 * preempted between two bytes for less than the wait) is not shown by a
 * poll, however many polls pass. */
static void test_growing_line_waits(void **state)
{
	struct console_partial p = { 0 };

	(void)state;
	for (u32 len = 1; len < 3 * CONSOLE_PARTIAL_TICKS; len++)
		for (u32 k = 0; k < CONSOLE_PARTIAL_TICKS - 1; k++)
			assert_false(console_partial_due(&p, len, 0, false));
}

/* A line that stopped growing is a prompt: shown at the poll that finds it
 * unchanged for the CONSOLE_PARTIAL_TICKS-th time, once. */
static void test_stale_line_shown_after_wait(void **state)
{
	struct console_partial p = { 0 };
	u32 polls = 0;

	(void)state;
	while (!console_partial_due(&p, 10, 0, false))
		assert_true(++polls <= CONSOLE_PARTIAL_TICKS);
	assert_int_equal(polls, CONSOLE_PARTIAL_TICKS);
	assert_false(console_partial_due(&p, 10, 10, false)); /* all shown now */
	/* more bytes after the shown prompt wait their turn again */
	assert_false(console_partial_due(&p, 12, 10, false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idle_shows_at_once),
		cmocka_unit_test(test_growing_line_waits),
		cmocka_unit_test(test_stale_line_shown_after_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
