/* Layout and dirty-tile refresh (compositor.h). */
#include <bulkhead/compositor.h>
#include <bulkhead/string.h>

void comp_layout_init(struct comp_layout *l, u32 scr_w, u32 scr_h, u32 bar_h, u32 fb_w,
		      u32 fb_h)
{
	bar_h = MIN(bar_h, scr_h);
	l->screen = (struct rect){ 0, 0, scr_w, scr_h };
	l->bar = (struct rect){ 0, 0, scr_w, bar_h };
	rect_intersect((struct rect){ 0, bar_h, fb_w, fb_h },
		       (struct rect){ 0, bar_h, scr_w, scr_h - bar_h }, &l->view);
}

/* Rows [y0, y0 + h) of the tile starting at column x0, width w, from the
 * shadow to the screen. */
static void copy_tile(const struct comp_layout *l, const u32 *shadow,
		      const struct fb_surface *screen, u32 x0, u32 y0, u32 w, u32 h)
{
	for (u32 y = y0; y < y0 + h; y++)
		memcpy(screen->px + (u64)(l->view.y + y) * screen->pitch + l->view.x + x0,
		       shadow + (u64)y * l->view.w + x0, (u64)w * 4);
}

/* a[0, n) != b[0, n): pixel by pixel without an early exit, which the
 * compiler unrolls (the library memcmp goes byte by byte: 4 times the
 * instructions, measured with bench/display). */
static bool span_differs(const u32 *a, const u32 *b, u32 n)
{
	u32 diff = 0;

	for (u32 i = 0; i < n; i++)
		diff |= a[i] ^ b[i];
	return diff != 0;
}

bool comp_refresh(const struct comp_layout *l, const struct comp_source *src, u32 *shadow,
		  const struct fb_surface *screen, bool full, struct comp_stats *st)
{
	static u32 row[COMP_ROW_MAX];
	u32 w = l->view.w, h = l->view.h;
	u32 tiles_x = (w + COMP_TILE_W - 1) / COMP_TILE_W;
	bool dirty[COMP_ROW_MAX / COMP_TILE_W];
	struct rect on_screen;

	/* the view must lie on this screen, below the bar */
	if (w > COMP_ROW_MAX || !rect_intersect(l->view, fb_clip(screen, l->view), &on_screen) ||
	    on_screen.w != w || on_screen.h != h || l->view.y < l->bar.y + l->bar.h)
		return false;
	for (u32 ty = 0; ty < h; ty += COMP_TILE_H) {
		u32 th = MIN(COMP_TILE_H, h - ty);

		for (u32 t = 0; t < tiles_x; t++)
			dirty[t] = full;
		for (u32 y = ty; y < ty + th; y++) {
			u32 *sh = shadow + (u64)y * w;

			if (!src->read_row(src->ctx, y, row, w))
				return false;
			for (u32 t = 0; t < tiles_x; t++) {
				u32 x = t * COMP_TILE_W, n = MIN(COMP_TILE_W, w - x);

				if (span_differs(sh + x, row + x, n)) {
					memcpy(sh + x, row + x, (u64)n * 4);
					dirty[t] = true;
				}
			}
		}
		for (u32 t = 0; t < tiles_x; t++) {
			u32 x = t * COMP_TILE_W, n = MIN(COMP_TILE_W, w - x);

			st->tiles_checked++;
			if (!dirty[t])
				continue;
			copy_tile(l, shadow, screen, x, ty, n, th);
			st->tiles_copied++;
			st->pixels_copied += (u64)n * th;
		}
	}
	return true;
}

static struct rect bounding_box(struct rect a, struct rect b)
{
	u32 x0 = MIN(a.x, b.x), y0 = MIN(a.y, b.y);
	u32 x1 = MAX(a.x + a.w, b.x + b.w), y1 = MAX(a.y + a.h, b.y + b.h);

	return (struct rect){ x0, y0, x1 - x0, y1 - y0 };
}

/* The pixels of bytes [b0, b1) of the framebuffer, clipped to it. */
static bool run_rect(u64 b0, u64 b1, u32 pitch, u32 w, u32 h, struct rect *r)
{
	u64 y0 = b0 / pitch, y1 = (b1 - 1) / pitch;
	u64 x0 = 0, x1 = w;

	if (y0 >= h)
		return false;
	if (y0 == y1) { /* within one row: its span only */
		x0 = (b0 % pitch) / 4;
		x1 = MIN((u64)w, ((b1 - 1) % pitch) / 4 + 1);
		if (x0 >= x1)
			return false; /* the padding past the row's pixels */
	}
	y1 = MIN(y1, (u64)h - 1);
	*r = (struct rect){ (u32)x0, (u32)y0, (u32)(x1 - x0), (u32)(y1 - y0 + 1) };
	return true;
}

u32 comp_dirty_rects(const u64 *bits, u64 npages, u32 pitch, u32 w, u32 h, struct rect *out,
		     u32 max)
{
	u32 n = 0;

	if (!pitch || !w || !h || !max)
		return 0;
	for (u64 i = 0; i < npages;) {
		u64 j;
		struct rect r;

		if (!(bits[i / 64] >> (i % 64) & 1)) {
			i++;
			continue;
		}
		for (j = i + 1; j < npages && (bits[j / 64] >> (j % 64) & 1); j++)
			;
		if (run_rect(i * COMP_PAGE_SIZE, j * COMP_PAGE_SIZE, pitch, w, h, &r)) {
			if (n && (n == max || r.y < out[n - 1].y + out[n - 1].h))
				out[n - 1] = bounding_box(out[n - 1], r);
			else
				out[n++] = r;
		}
		i = j;
	}
	return n;
}
