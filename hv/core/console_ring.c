/* Ring buffer of a VM's unfocused console output (console_ring.h). */
#include <bulkhead/console_ring.h>

void console_ring_put(struct console_ring *r, const u8 *s, u32 n)
{
	for (u32 i = 0; i < n; i++) {
		r->buf[r->head % CONSOLE_RING_SIZE] = s[i];
		r->head = (r->head + 1) % CONSOLE_RING_SIZE;
		if (r->count == CONSOLE_RING_SIZE)
			r->dropped++;
		else
			r->count++;
	}
}

u64 console_ring_drain(struct console_ring *r, void (*fn)(void *ctx, const u8 *s, u32 n),
		       void *ctx)
{
	u32 start = (r->head + CONSOLE_RING_SIZE - r->count) % CONSOLE_RING_SIZE;
	u32 left = r->count;
	u64 dropped = r->dropped;

	if (dropped) {
		while (left && r->buf[start] != '\n') {
			start = (start + 1) % CONSOLE_RING_SIZE;
			left--;
			dropped++;
		}
		if (left) { /* the newline itself */
			start = (start + 1) % CONSOLE_RING_SIZE;
			left--;
			dropped++;
		}
	}
	while (left) {
		u32 piece = MIN(left, CONSOLE_RING_SIZE - start);

		fn(ctx, &r->buf[start], piece);
		start = (start + piece) % CONSOLE_RING_SIZE;
		left -= piece;
	}
	r->count = 0;
	r->dropped = 0;
	return dropped;
}
