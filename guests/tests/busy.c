/* CPU-bound guest for the fairness test: counts loop iterations until its
 * TSC passes a deadline, prints "progress N" and exits 0. It also counts the
 * gaps in its TSC longer than gap=TICKS (default 200000): each is a time it
 * was not running, i.e. another VM ran.
 * Command line: deadline=TICKS (default 400000000), gap=TICKS. */
#include "guest.h"

const char guest_name[] = "busy";

void guest_main(void)
{
	u64 deadline = cmdline_get_u64("deadline", 400000000ULL);
	u64 gap = cmdline_get_u64("gap", 200000ULL);
	u64 n = 0, gaps = 0, start = rdtsc(), prev = start, now;

	printf("busy: start at TSC %lu, deadline %lu\n", start, deadline);
	while ((now = rdtsc()) < deadline) {
		if (now - prev > gap)
			gaps++;
		prev = now;
		n++;
	}
	printf("busy: progress %lu, descheduled %lu times, TSC %lu..%lu\n", n, gaps, start,
	       now);
	printf("progress %lu\n", n);
	EXPECT_NE(n, 0);
}
