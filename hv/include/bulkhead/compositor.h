/* The compositor's pure logic: where the label bar and the focused VM's
 * framebuffer go on the physical screen, and which parts of the screen a
 * refresh copies. Nothing here knows VMs, guest memory or hardware: the
 * source is read through a callback, so unit tests run it on host buffers.
 *
 * Two ways to find what changed (docs/display.md): the pages the nested
 * page table marks dirty, turned into rectangles (comp_dirty_rects), or,
 * where there are no dirty bits, a comparison against a shadow copy
 * (comp_refresh): the shadow holds what the screen shows of the view; a
 * refresh reads the source row by row, compares it with the shadow tile by
 * tile, and copies to the screen only the tiles that differ. */
#ifndef BULKHEAD_COMPOSITOR_H
#define BULKHEAD_COMPOSITOR_H

#include <bulkhead/fb.h>

#define COMP_TILE_W 64U  /* pixels: 256 bytes of a row */
#define COMP_TILE_H 16U
#define COMP_ROW_MAX 4096U /* widest view in pixels */

struct comp_layout {
	struct rect screen; /* the whole physical screen */
	struct rect bar;    /* the label bar, the hypervisor's own: top rows */
	struct rect view;   /* where the VM's framebuffer shows, below the bar */
};

/* The bar is bar_h rows at the top (at most the screen's height); the VM's
 * fb_w x fb_h framebuffer is shown from the screen's left edge just below
 * it, clipped to the screen. The view never overlaps the bar. */
void comp_layout_init(struct comp_layout *l, u32 scr_w, u32 scr_h, u32 bar_h, u32 fb_w,
		      u32 fb_h);

/* Reads row y (0-based in the VM's framebuffer) of the source's first n
 * pixels into dst; false if it cannot (the refresh stops). */
typedef bool (*comp_read_row_fn)(void *ctx, u32 y, u32 *dst, u32 n);

struct comp_source {
	comp_read_row_fn read_row;
	void *ctx;
};

struct comp_stats {
	u64 tiles_checked, tiles_copied, pixels_copied;
};

/* One refresh of the view: shadow (view.w x view.h pixels, pitch view.w)
 * is brought up to date with the source and every tile that changed is
 * copied from it to the screen; with full, every tile is copied (a focus
 * change: the screen showed something else). Adds to *st. False if the
 * source could not be read or the view does not fit the screen below the
 * bar or is wider than COMP_ROW_MAX; the shadow may then be ahead of the
 * screen, so the next refresh must be full. Only one CPU refreshes (a
 * static row buffer). */
bool comp_refresh(const struct comp_layout *l, const struct comp_source *src, u32 *shadow,
		  const struct fb_surface *screen, bool full, struct comp_stats *st);

/* Dirty tracking by page (docs/display.md): bit i of bits set means 4 KiB
 * page i of a framebuffer with pitch bytes per row (a multiple of 4, not
 * 0) was written. Fills out[0, n) with rectangles, in pixels of the
 * w x h framebuffer, that together cover every pixel of a dirty page:
 * a run of dirty pages within one row gives that row's span, a run across
 * rows gives whole rows; a run that starts in the row where the previous
 * rectangle ends is merged into it (bounding box), and so is every run
 * once max rectangles are out. Returns n (0: nothing to copy). */
#define COMP_PAGE_SIZE 4096U
u32 comp_dirty_rects(const u64 *bits, u64 npages, u32 pitch, u32 w, u32 h, struct rect *out,
		     u32 max);

#endif
