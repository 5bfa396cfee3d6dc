/* Isolation, the victim: fills all its usable RAM above its own image with
 * a secret 64-bit pattern (its own address mixed in), sleeps on the APIC
 * timer while B runs, then checks every word is intact.
 * Command line: wait_ms=N (default 600). */
#include "isolation.h"

const char guest_name[] = "isolation-a";

static u64 pattern_at(u64 addr)
{
	return isolation_secret() ^ (addr & 0xfffff000ULL);
}

void guest_main(void)
{
	u64 secret = isolation_secret(), filled = 0;
	u64 lo = (u64)(uintptr_t)__image_end;
	u32 wait_ms = (u32)cmdline_get_u64("wait_ms", 600);

	for (unsigned i = 0; i < mb_nr_regions; i++) {
		const struct mb_region *r = &mb_regions[i];
		u64 b = r->base, e = r->base + r->len;
		if (r->type != 1 || e <= lo || e > 0x100000000ULL)
			continue;
		if (b < lo)
			b = lo;
		for (u64 a = b; a + 8 <= e; a += 8)
			*(volatile u64 *)a = secret ^ (a & 0xfffff000ULL);
		filled += e - b;
	}
	printf("isolation: A filled %lu KiB above 0x%lx, sleeping %u ms\n", filled >> 10, lo,
	       wait_ms);
	EXPECT_TRUE(filled >= 1024 * 1024);

	u64 t0 = rdtsc();
	sleep_ms(wait_ms);
	printf("isolation: A woke after %lu TSC ticks\n", rdtsc() - t0);

	u64 bad = 0, first_bad = 0;
	for (unsigned i = 0; i < mb_nr_regions; i++) {
		const struct mb_region *r = &mb_regions[i];
		u64 b = r->base, e = r->base + r->len;
		if (r->type != 1 || e <= lo || e > 0x100000000ULL)
			continue;
		if (b < lo)
			b = lo;
		for (u64 a = b; a + 8 <= e; a += 8)
			if (*(volatile u64 *)a != pattern_at(a) && !bad++)
				first_bad = a;
	}
	if (!EXPECT_EQ(bad, 0))
		printf("isolation: A's pattern changed in %lu words, first at 0x%lx\n", bad,
		       first_bad);
	else
		printf("isolation: A's pattern intact\n");
}
