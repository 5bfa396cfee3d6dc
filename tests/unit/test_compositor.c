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

static u64 bits[4];

static void set_pages(u64 from, u64 to)
{
	for (u64 i = from; i < to; i++)
		bits[i / 64] |= 1ULL << (i % 64);
}

/* pitch 4096 at 1024 wide: page i is row i */
static void test_dirty_rects_row_per_page(void **state)
{
	struct rect r[8];

	(void)state;
	memset(bits, 0, sizeof(bits));
	assert_int_equal(comp_dirty_rects(bits, 256, 4096, 1024, 200, r, 8), 0);
	set_pages(3, 4);
	set_pages(10, 17);
	set_pages(199, 203); /* past the 200 rows: clipped */
	assert_int_equal(comp_dirty_rects(bits, 256, 4096, 1024, 200, r, 8), 3);
	assert_true(r[0].x == 0 && r[0].y == 3 && r[0].w == 1024 && r[0].h == 1);
	assert_true(r[1].x == 0 && r[1].y == 10 && r[1].w == 1024 && r[1].h == 7);
	assert_true(r[2].x == 0 && r[2].y == 199 && r[2].w == 1024 && r[2].h == 1);
	/* a view narrower than the row clips every span */
	assert_int_equal(comp_dirty_rects(bits, 256, 4096, 100, 12, r, 8), 2);
	assert_true(r[0].w == 100 && r[1].y == 10 && r[1].h == 2);
}

/* pitch 8192 (2048 wide): two pages a row; a page is half a row */
static void test_dirty_rects_spans(void **state)
{
	struct rect r[8];

	(void)state;
	memset(bits, 0, sizeof(bits));
	set_pages(5, 6); /* row 2, right half */
	assert_int_equal(comp_dirty_rects(bits, 256, 8192, 2048, 100, r, 8), 1);
	assert_true(r[0].x == 1024 && r[0].y == 2 && r[0].w == 1024 && r[0].h == 1);
	/* the right half of row 2 is past a 1500-wide view: 476 pixels of it */
	assert_int_equal(comp_dirty_rects(bits, 256, 8192, 1500, 100, r, 8), 1);
	assert_true(r[0].x == 1024 && r[0].w == 476);
	/* and nothing of a 1000-wide one (padding past the pixels) */
	assert_int_equal(comp_dirty_rects(bits, 256, 8192, 1000, 100, r, 8), 0);
	/* row 2's right half and row 3's left half: one run across two rows */
	set_pages(6, 7);
	assert_int_equal(comp_dirty_rects(bits, 256, 8192, 2048, 100, r, 8), 1);
	assert_true(r[0].x == 0 && r[0].y == 2 && r[0].w == 2048 && r[0].h == 2);
	/* two runs in one row (pitch 3 pages): merged into their bounding box */
	memset(bits, 0, sizeof(bits));
	set_pages(0, 1);
	set_pages(2, 3);
	assert_int_equal(comp_dirty_rects(bits, 256, 3 * 4096, 3072, 100, r, 8), 1);
	assert_true(r[0].x == 0 && r[0].y == 0 && r[0].w == 3072 && r[0].h == 1);
}

/* More runs than rectangles: the last one grows to cover the rest. */
static void test_dirty_rects_bounded(void **state)
{
	struct rect r[2];
	u32 covered[64] = { 0 };

	(void)state;
	memset(bits, 0, sizeof(bits));
	for (u64 i = 0; i < 64; i += 4)
		set_pages(i, i + 1);
	assert_int_equal(comp_dirty_rects(bits, 64, 4096, 1024, 64, r, 2), 2);
	for (unsigned k = 0; k < 2; k++)
		for (u32 y = r[k].y; y < r[k].y + r[k].h; y++)
			covered[y] = 1;
	for (u64 i = 0; i < 64; i += 4)
		assert_int_equal(covered[i], 1);
	assert_int_equal(comp_dirty_rects(bits, 64, 0, 1024, 64, r, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_full_then_incremental),
		cmocka_unit_test(test_bar_never_covered),
		cmocka_unit_test(test_bad_layout_or_source),
		cmocka_unit_test(test_dirty_rects_row_per_page),
		cmocka_unit_test(test_dirty_rects_spans),
		cmocka_unit_test(test_dirty_rects_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
