/* A VM's console output while it does not have the focus: the newest
 * CONSOLE_RING_SIZE bytes, the oldest dropped and counted. Pure. */
#ifndef BULKHEAD_CONSOLE_RING_H
#define BULKHEAD_CONSOLE_RING_H

#include <bulkhead/types.h>

#define CONSOLE_RING_SIZE (16 * 1024)

struct console_ring {
	u8 buf[CONSOLE_RING_SIZE];
	u32 head;     /* next byte written at buf[head % CONSOLE_RING_SIZE] */
	u32 count;    /* bytes held, at most CONSOLE_RING_SIZE */
	u64 dropped;  /* bytes pushed out since the last drain */
};

void console_ring_put(struct console_ring *r, const u8 *s, u32 n);
/* Hands what the ring holds to fn, oldest first, in at most two pieces,
 * and empties it. When bytes were dropped, the first (now partial) line is
 * skipped too, so the replay starts at a line start and never with the
 * tail of an escape sequence (the filter passes none that spans a line).
 * Returns the bytes dropped, those skipped included. */
u64 console_ring_drain(struct console_ring *r, void (*fn)(void *ctx, const u8 *s, u32 n),
		       void *ctx);

#endif
