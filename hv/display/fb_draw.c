/* Rectangles and text on a 32-bit surface (fb.h). */
#include <bulkhead/fb.h>
#include <bulkhead/font.h>

static u64 end_of(u32 start, u32 len)
{
	return (u64)start + len;
}

bool rect_intersect(struct rect a, struct rect b, struct rect *out)
{
	u64 x0 = MAX(a.x, b.x), y0 = MAX(a.y, b.y);
	u64 x1 = MIN(end_of(a.x, a.w), end_of(b.x, b.w));
	u64 y1 = MIN(end_of(a.y, a.h), end_of(b.y, b.h));

	if (x1 <= x0 || y1 <= y0) {
		*out = (struct rect){ 0, 0, 0, 0 };
		return false;
	}
	*out = (struct rect){ (u32)x0, (u32)y0, (u32)(x1 - x0), (u32)(y1 - y0) };
	return true;
}

struct rect fb_clip(const struct fb_surface *s, struct rect r)
{
	struct rect out;

	rect_intersect(r, (struct rect){ 0, 0, s->width, s->height }, &out);
	return out;
}

void fb_fill(const struct fb_surface *s, struct rect r, u32 rgb)
{
	struct rect c = fb_clip(s, r);

	for (u32 y = c.y; y < c.y + c.h; y++) {
		u32 *row = s->px + (u64)y * s->pitch;
		for (u32 x = c.x; x < c.x + c.w; x++)
			row[x] = rgb;
	}
}

static void glyph(const struct fb_surface *s, struct rect cell, u8 c, u32 fg, u32 bg)
{
	struct rect v = fb_clip(s, cell);

	for (u32 y = v.y; y < v.y + v.h; y++) {
		u8 bits = font_row(c, y - cell.y);
		u32 *row = s->px + (u64)y * s->pitch;
		for (u32 x = v.x; x < v.x + v.w; x++)
			row[x] = (bits & (0x80U >> (x - cell.x))) ? fg : bg;
	}
}

u32 fb_text(const struct fb_surface *s, u32 x, u32 y, u32 x_end, const char *text, u32 fg,
	    u32 bg)
{
	x_end = MIN(x_end, s->width);
	for (; *text && x < x_end && x_end - x >= FONT_W; text++, x += FONT_W)
		glyph(s, (struct rect){ x, y, FONT_W, FONT_H }, (u8)*text, fg, bg);
	return x;
}
