/* hv/display/font.c and fb_draw.c: the built-in font and text drawing. */
#include "unit.h"
#include <string.h>
#include <bulkhead/fb.h>
#include <bulkhead/font.h>

static void test_cell_margins(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 256; c++) {
		assert_int_equal(font_row((u8)c, 0), 0);
		assert_int_equal(font_row((u8)c, FONT_H - 1), 0);
		assert_int_equal(font_row((u8)c, FONT_H), 0);
		for (unsigned r = 0; r < FONT_H; r++)
			assert_int_equal(font_row((u8)c, r) & 0x83, 0); /* columns 0, 6, 7 */
	}
}

static void glyph_of(u8 c, u8 out[FONT_H])
{
	for (unsigned r = 0; r < FONT_H; r++)
		out[r] = font_row(c, r);
}

static void test_glyphs_distinct(void **state)
{
	u8 a[FONT_H], b[FONT_H], box[FONT_H], space[FONT_H] = { 0 };

	(void)state;
	glyph_of(0x01, box);
	for (unsigned c = 0x21; c <= 0x7e; c++) {
		glyph_of((u8)c, a);
		assert_memory_not_equal(a, space, FONT_H); /* every printable has ink */
		assert_memory_not_equal(a, box, FONT_H);
		for (unsigned d = c + 1; d <= 0x7e; d++) {
			glyph_of((u8)d, b);
			assert_memory_not_equal(a, b, FONT_H);
		}
	}
	glyph_of(' ', a);
	assert_memory_equal(a, space, FONT_H);
	/* anything not printable is the box */
	glyph_of(0x7f, a);
	assert_memory_equal(a, box, FONT_H);
	glyph_of(0xff, a);
	assert_memory_equal(a, box, FONT_H);
}

/* Each design row is doubled: rows 2k+1 and 2k+2 are equal. */
static void test_rows_doubled(void **state)
{
	(void)state;
	for (unsigned c = 0x20; c <= 0x7e; c++)
		for (unsigned r = 1; r < FONT_H - 1; r += 2)
			assert_int_equal(font_row((u8)c, r), font_row((u8)c, r + 1));
	/* 'I': a bar across the top of the design, columns 2-4 */
	assert_int_equal(font_row('I', 1), 0x38);
	assert_int_equal(font_row('I', 3), 0x10);
}

#define W 40
#define H 20
static u32 px[H * W];

static void test_text_clipped(void **state)
{
	struct fb_surface s = { px, 30, H, W }; /* pitch wider than the width */
	u32 x;

	(void)state;
	for (unsigned i = 0; i < H * W; i++)
		px[i] = 0xdeadbeef;
	x = fb_text(&s, 2, 1, ~0U, "Hi!", 0xffffff, 0x000080);
	assert_int_equal(x, 2 + 3 * FONT_W); /* 3 whole cells fit in 30 columns */
	for (unsigned y = 0; y < H; y++)
		for (unsigned xx = 0; xx < W; xx++) {
			u32 v = px[y * W + xx];
			bool inside = xx >= 2 && xx < 26 && y >= 1 && y < 1 + FONT_H;
			u8 bits;

			if (!inside) {
				assert_int_equal(v, 0xdeadbeef);
				continue;
			}
			bits = font_row((u8)"Hi!"[(xx - 2) / FONT_W], y - 1);
			assert_int_equal(v, (bits & (0x80 >> ((xx - 2) % FONT_W))) ? 0xffffff : 0x000080);
		}
	/* a cell that does not fit whole is not drawn; x_end bounds too */
	assert_int_equal(fb_text(&s, 25, 0, ~0U, "A", 1, 2), 25);
	assert_int_equal(fb_text(&s, 0, 0, 12, "AB", 1, 2), FONT_W);
}

static void test_fill_clipped(void **state)
{
	struct fb_surface s = { px, 30, H, W };

	(void)state;
	memset(px, 0, sizeof(px));
	fb_fill(&s, (struct rect){ 25, 15, 100, 0xffffffffU }, 7);
	for (unsigned y = 0; y < H; y++)
		for (unsigned x = 0; x < W; x++)
			assert_int_equal(px[y * W + x], (x >= 25 && x < 30 && y >= 15) ? 7U : 0U);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cell_margins),
		cmocka_unit_test(test_glyphs_distinct),
		cmocka_unit_test(test_rows_doubled),
		cmocka_unit_test(test_text_clipped),
		cmocka_unit_test(test_fill_clipped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
