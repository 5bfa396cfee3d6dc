/* When a guest's partial output line (bytes written without a newline yet)
 * goes on the console: at once when the guest goes idle (it halted: a
 * prompt waits for input), otherwise only once the line has not grown for
 * CONSOLE_PARTIAL_TICKS console polls, so that a line a VM is still
 * writing (preempted, or slow under load) is not cut in two when another
 * VM prints in between. Used by the UART and the virtio console. */
#ifndef BULKHEAD_CONSOLE_PARTIAL_H
#define BULKHEAD_CONSOLE_PARTIAL_H

#include <bulkhead/types.h>

#define CONSOLE_PARTIAL_TICKS 50 /* polls of SCHED_CONSOLE_POLL_MS: 1 s */

struct console_partial {
	u32 seen_len;    /* the line's length at the last poll */
	u32 stale_polls; /* polls since then that found it the same */
};

/* True if the unshown part [shown, len) of the line is shown now; called
 * with idle on the guest's halt, without it at each console poll. */
static inline bool console_partial_due(struct console_partial *p, u32 len, u32 shown, bool idle)
{
	if (len <= shown) {
		p->seen_len = len;
		p->stale_polls = 0;
		return false;
	}
	if (idle)
		return true;
	if (len != p->seen_len) {
		p->seen_len = len;
		p->stale_polls = 0;
		return false;
	}
	return ++p->stale_polls >= CONSOLE_PARTIAL_TICKS;
}

#endif
