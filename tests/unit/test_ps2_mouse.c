/* hv/display/ps2_mouse.c: 3-byte PS/2 packets to motion, out-of-step
 * bytes dropped, overflow, and the clamp of a position. */
#include "unit.h"
#include <bulkhead/ps2_mouse.h>

static bool feed3(struct ps2_mouse *m, u8 a, u8 b, u8 c, struct ps2_motion *out)
{
	assert_false(ps2_mouse_feed(m, a, out));
	assert_false(ps2_mouse_feed(m, b, out));
	return ps2_mouse_feed(m, c, out);
}

static void test_packets(void **state)
{
	struct ps2_mouse m = { { 0 }, 0 };
	struct ps2_motion o;

	(void)state;
	/* right 5, up 3, left button */
	assert_true(feed3(&m, 0x09, 5, 3, &o));
	assert_int_equal(o.dx, 5);
	assert_int_equal(o.dy, -3);
	assert_int_equal(o.buttons, 1);
	/* left 2 (X sign), down 256 (Y sign, 0 low bits), no button */
	assert_true(feed3(&m, 0x38, 0xfe, 0x00, &o));
	assert_int_equal(o.dx, -2);
	assert_int_equal(o.dy, 256);
	assert_int_equal(o.buttons, 0);
	/* X overflow: no X movement */
	assert_true(feed3(&m, 0x48, 0x7f, 1, &o));
	assert_int_equal(o.dx, 0);
	assert_int_equal(o.dy, -1);
}

static void test_out_of_step(void **state)
{
	struct ps2_mouse m = { { 0 }, 0 };
	struct ps2_motion o;

	(void)state;
	/* a first byte without bit 3 is dropped; the next one starts */
	assert_false(ps2_mouse_feed(&m, 0x05, &o));
	assert_true(feed3(&m, 0x08, 1, 2, &o));
	assert_int_equal(o.dx, 1);
	assert_int_equal(o.dy, -2);
}

static void test_clamp(void **state)
{
	(void)state;
	assert_int_equal(ps2_mouse_clamp(10, -11, 100), 0);
	assert_int_equal(ps2_mouse_clamp(10, 95, 100), 100);
	assert_int_equal(ps2_mouse_clamp(10, 5, 100), 15);
	assert_int_equal(ps2_mouse_clamp(0xffffffffU, 0x7fffffff, 0xffffffffU), 0xffffffffU);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_packets),
		cmocka_unit_test(test_out_of_step),
		cmocka_unit_test(test_clamp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
