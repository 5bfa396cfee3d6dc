/* hv/display/compositor.c: the layout (the view never covers the label
 * bar) and the dirty-tile refresh (only changed tiles reach the screen). */
#include "unit.h"
#include <string.h>
#include <bulkhead/compositor.h>

#define SW 200
#define SH 120
#define BAR 20
#define FW 150
#define FH 90

static u32 screen_px[SH * SW], shadow[SH * SW], vmfb[FH * FW];
static struct fb_surface screen = { screen_px, SW, SH, SW };
static unsigned rows_read;
static bool fail_reads;

static bool read_row(void *ctx, u32 y, u32 *dst, u32 n)
{
	(void)ctx;
	assert_true(y < FH && n <= FW);
	rows_read++;
	if (fail_reads)
		return false;
	memcpy(dst, vmfb + y * FW, n * 4);
	return true;
}

static const struct comp_source src = { read_row, NULL };

static void test_layout(void **state)
{
	struct comp_layout l;

	(void)state;
	comp_layout_init(&l, SW, SH, BAR, FW, FH);
	assert_int_equal(l.bar.y, 0);
	assert_int_equal(l.bar.h, BAR);
	assert_int_equal(l.bar.w, SW);
	assert_int_equal(l.view.x, 0);
	assert_int_equal(l.view.y, BAR);
	assert_int_equal(l.view.w, FW);
	assert_int_equal(l.view.h, FH);
	/* a framebuffer bigger than the screen is clipped below the bar */
	comp_layout_init(&l, SW, SH, BAR, 5000, 0xffffffffU);
	assert_int_equal(l.view.y, BAR);
	assert_int_equal(l.view.w, SW);
	assert_int_equal(l.view.h, SH - BAR);
	/* a bar taller than the screen leaves no view */
	comp_layout_init(&l, SW, SH, 500, FW, FH);
	assert_int_equal(l.bar.h, SH);
	assert_int_equal(l.view.w * l.view.h, 0);
}

static void fill_screen(u32 v)
{
	for (unsigned i = 0; i < SH * SW; i++)
		screen_px[i] = v;
}

/* The screen shows vmfb in the view and v everywhere else. */
static void assert_screen(const struct comp_layout *l, u32 v)
{
	for (unsigned y = 0; y < SH; y++)
		for (unsigned x = 0; x < SW; x++) {
			bool in = x < l->view.w && y >= BAR && y < BAR + l->view.h;
			assert_int_equal(screen_px[y * SW + x], in ? vmfb[(y - BAR) * FW + x] : v);
		}
}

static void test_full_then_incremental(void **state)
{
	struct comp_layout l;
	struct comp_stats st = { 0 };
	u64 tiles = ((FW + COMP_TILE_W - 1) / COMP_TILE_W) * ((FH + COMP_TILE_H - 1) / COMP_TILE_H);

	(void)state;
	comp_layout_init(&l, SW, SH, BAR, FW, FH);
	for (unsigned i = 0; i < FH * FW; i++)
		vmfb[i] = i * 2654435761U;
	fill_screen(0xbadbad);
	memset(shadow, 0, sizeof(shadow));
	assert_true(comp_refresh(&l, &src, shadow, &screen, true, &st));
	assert_screen(&l, 0xbadbad); /* the bar's rows and the rest untouched */
	assert_int_equal(st.tiles_checked, tiles);
	assert_int_equal(st.tiles_copied, tiles);
	assert_int_equal(st.pixels_copied, FW * FH);

	/* nothing changed: nothing copied, though every row is read */
	memset(&st, 0, sizeof(st));
	rows_read = 0;
	assert_true(comp_refresh(&l, &src, shadow, &screen, false, &st));
	assert_int_equal(st.tiles_copied, 0);
	assert_int_equal(st.pixels_copied, 0);
	assert_int_equal(rows_read, FH);

	/* one pixel in the last, partial tile: only that tile */
	vmfb[(FH - 1) * FW + FW - 1] ^= 1;
	memset(&st, 0, sizeof(st));
	assert_true(comp_refresh(&l, &src, shadow, &screen, false, &st));
	assert_int_equal(st.tiles_copied, 1);
	assert_int_equal(st.pixels_copied, (FW % COMP_TILE_W) * (FH % COMP_TILE_H));
	assert_screen(&l, 0xbadbad);

	/* two pixels in one tile, one in another */
	vmfb[0] ^= 1;
	vmfb[3 * FW + 5] ^= 1;
	vmfb[17 * FW + 70] ^= 1;
	memset(&st, 0, sizeof(st));
	assert_true(comp_refresh(&l, &src, shadow, &screen, false, &st));
	assert_int_equal(st.tiles_copied, 2);
	assert_int_equal(st.pixels_copied, 2 * COMP_TILE_W * COMP_TILE_H);
	assert_screen(&l, 0xbadbad);
}

/* Whatever the VM's framebuffer holds, the bar's rows are never written. */
static void test_bar_never_covered(void **state)
{
	struct comp_layout l;
	struct comp_stats st = { 0 };

	(void)state;
	fill_screen(0x123456);
	memset(vmfb, 0xff, sizeof(vmfb));
	memset(shadow, 0, sizeof(shadow));
	comp_layout_init(&l, SW, SH, BAR, FW, FH);
	assert_true(comp_refresh(&l, &src, shadow, &screen, true, &st));
	for (unsigned y = 0; y < BAR; y++)
		for (unsigned x = 0; x < SW; x++)
			assert_int_equal(screen_px[y * SW + x], 0x123456);
}

static void test_bad_layout_or_source(void **state)
{
	struct comp_layout l;
	struct comp_stats st = { 0 };
	struct fb_surface small = { screen_px, 100, 50, SW };

	(void)state;
	comp_layout_init(&l, SW, SH, BAR, FW, FH);
	/* a layout for a bigger screen than the surface: refused */
	assert_false(comp_refresh(&l, &src, shadow, &small, true, &st));
	/* a view moved over the bar: refused */
	l.view.y = BAR - 1;
	assert_false(comp_refresh(&l, &src, shadow, &screen, true, &st));
	/* a source that cannot be read stops the refresh, nothing copied */
	comp_layout_init(&l, SW, SH, BAR, FW, FH);
	fill_screen(0x55);
	fail_reads = true;
	assert_false(comp_refresh(&l, &src, shadow, &screen, true, &st));
	fail_reads = false;
	assert_int_equal(st.tiles_copied, 0);
	for (unsigned i = 0; i < SH * SW; i++)
		assert_int_equal(screen_px[i], 0x55);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_full_then_incremental),
		cmocka_unit_test(test_bar_never_covered),
		cmocka_unit_test(test_bad_layout_or_source),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
