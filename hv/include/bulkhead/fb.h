/* A 32-bit-per-pixel linear framebuffer (0x00RRGGBB in each little-endian
 * u32) and the few drawing operations the hypervisor needs: filled
 * rectangles and text in the built-in font, clipped to the surface. The
 * same code draws on the physical screen and, in unit tests, on a host
 * buffer. */
#ifndef BULKHEAD_FB_H
#define BULKHEAD_FB_H

#include <bulkhead/types.h>

struct rect {
	u32 x, y, w, h;
};

struct fb_surface {
	u32 *px;       /* pixel (x, y) is px[y * pitch + x] */
	u32 width, height;
	u32 pitch;     /* in pixels, >= width */
};

/* a and b overlap: *out is their intersection (false: they do not, and
 * *out is empty). Sizes near 2^32 do not wrap. */
bool rect_intersect(struct rect a, struct rect b, struct rect *out);
/* r clipped to the surface. */
struct rect fb_clip(const struct fb_surface *s, struct rect r);

void fb_fill(const struct fb_surface *s, struct rect r, u32 rgb);
/* text from (x, y), one FONT_W x FONT_H cell per byte, foreground pixels
 * fg and the rest of each cell bg, clipped to the surface and to x_end;
 * returns the x after the last cell drawn. */
u32 fb_text(const struct fb_surface *s, u32 x, u32 y, u32 x_end, const char *text, u32 fg,
	    u32 bg);

#endif
