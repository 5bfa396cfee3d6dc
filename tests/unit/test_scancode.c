/* hv/display/scancode.c: set-1 bytes pass through unchanged, except the
 * secure attention key Ctrl+Alt+Home, whose bytes never reach a VM. */
#include "unit.h"
#include <string.h>
#include <bulkhead/scancode.h>

static struct sc_state s;
static u8 got[64];
static unsigned got_n, hotkeys;

/* Feeds bytes; what a VM would get goes to got[], hotkeys are counted. */
static void feed(const u8 *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		u8 out[SC_OUT_MAX];
		unsigned k;
		enum sc_action a = sc_feed(&s, b[i], out, &k);

		assert_true(k <= SC_OUT_MAX);
		assert_true(a == SC_PASS ? k >= 1 : k == 0);
		if (a == SC_HOTKEY)
			hotkeys++;
		memcpy(got + got_n, out, k);
		got_n += k;
	}
}

static int setup(void **state)
{
	(void)state;
	sc_reset(&s);
	got_n = hotkeys = 0;
	return 0;
}

#define FEED(...) do { const u8 b_[] = { __VA_ARGS__ }; feed(b_, sizeof(b_)); } while (0)
#define GOT(...) do { const u8 w_[] = { __VA_ARGS__ }; \
	assert_int_equal(got_n, sizeof(w_)); assert_memory_equal(got, w_, sizeof(w_)); } while (0)

static void test_plain_keys_pass(void **state)
{
	(void)state;
	/* a, shift+b, right arrow (E0 4D), Home without modifiers, Pause */
	FEED(0x1e, 0x9e, 0x2a, 0x30, 0xb0, 0xaa, 0xe0, 0x4d, 0xe0, 0xcd, 0xe0, 0x47, 0xe0, 0xc7,
	     0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5);
	GOT(0x1e, 0x9e, 0x2a, 0x30, 0xb0, 0xaa, 0xe0, 0x4d, 0xe0, 0xcd, 0xe0, 0x47, 0xe0, 0xc7,
	    0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5);
	assert_int_equal(hotkeys, 0);
}

static void test_hotkey_taken(void **state)
{
	u8 rel[6];

	(void)state;
	/* left Ctrl, left Alt, Home: the chord's modifiers pass, Home does not */
	FEED(0x1d, 0x38, 0xe0, 0x47);
	assert_int_equal(hotkeys, 1);
	GOT(0x1d, 0x38);
	/* releases owed to the VM that loses the focus */
	assert_int_equal(sc_release_held(&s, rel), 2);
	assert_int_equal(rel[0], 0x9d);
	assert_int_equal(rel[1], 0xb8);
	/* Home's release is taken too; the modifiers' releases pass */
	FEED(0xe0, 0xc7, 0xb8, 0x9d);
	GOT(0x1d, 0x38, 0xb8, 0x9d);
	assert_int_equal(sc_release_held(&s, rel), 0);
	/* right Ctrl + right Alt (E0 1D, E0 38), with auto-repeat of Home */
	got_n = 0;
	FEED(0xe0, 0x1d, 0xe0, 0x38, 0xe0, 0x47, 0xe0, 0x47, 0xe0, 0xc7);
	assert_int_equal(hotkeys, 3);
	GOT(0xe0, 0x1d, 0xe0, 0x38);
	assert_int_equal(sc_release_held(&s, rel), 4);
	assert_memory_equal(rel, ((const u8[]){ 0xe0, 0x9d, 0xe0, 0xb8 }), 4);
}

static void test_not_the_hotkey(void **state)
{
	(void)state;
	/* Ctrl+Home, Alt+Home, Ctrl+Alt+keypad 7 (Home without E0): keys */
	FEED(0x1d, 0xe0, 0x47, 0xe0, 0xc7, 0x9d);
	FEED(0x38, 0xe0, 0x47, 0xe0, 0xc7, 0xb8);
	FEED(0x1d, 0x38, 0x47, 0xc7, 0xb8, 0x9d);
	GOT(0x1d, 0xe0, 0x47, 0xe0, 0xc7, 0x9d, 0x38, 0xe0, 0x47, 0xe0, 0xc7, 0xb8,
	    0x1d, 0x38, 0x47, 0xc7, 0xb8, 0x9d);
	assert_int_equal(hotkeys, 0);
	/* a Home release that was not taken passes; E0 E0 gives both */
	got_n = 0;
	FEED(0xe0, 0xe0, 0x1e);
	GOT(0xe0, 0xe0, 0x1e);
}

static void test_menu_key(void **state)
{
	u8 out[SC_OUT_MAX];
	unsigned n;

	(void)state;
	/* Ctrl+Alt+End: the menu; End's press and release taken */
	FEED(0x1d, 0x38);
	assert_int_equal(sc_feed(&s, 0xe0, out, &n), SC_HOLD);
	assert_int_equal(sc_feed(&s, 0x4f, out, &n), SC_MENU);
	assert_int_equal(n, 0);
	assert_int_equal(sc_feed(&s, 0xe0, out, &n), SC_HOLD);
	assert_int_equal(sc_feed(&s, 0xcf, out, &n), SC_TAKEN);
	GOT(0x1d, 0x38);
	/* End alone is a key */
	FEED(0xb8, 0x9d, 0xe0, 0x4f, 0xe0, 0xcf);
	GOT(0x1d, 0x38, 0xb8, 0x9d, 0xe0, 0x4f, 0xe0, 0xcf);
	assert_int_equal(hotkeys, 0);
	/* the menu's digits: the main row's 1-9, 0 */
	assert_int_equal(sc_digit(0x02), 1);
	assert_int_equal(sc_digit(0x0a), 9);
	assert_int_equal(sc_digit(0x0b), 0);
	assert_int_equal(sc_digit(0x01), -1);
	assert_int_equal(sc_digit(0x0c), -1);
	assert_int_equal(sc_digit(0x82), -1); /* a release */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_plain_keys_pass, setup),
		cmocka_unit_test_setup(test_hotkey_taken, setup),
		cmocka_unit_test_setup(test_not_the_hotkey, setup),
		cmocka_unit_test_setup(test_menu_key, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
