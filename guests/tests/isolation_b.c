/* Isolation, the prober: after a short sleep (so A has filled its memory),
 * scans all of its RAM (per the Multiboot memory map) for A's secret pattern
 * and for the hypervisor's banner "Bulkhead hypervisor", neither of which a
 * guest may ever see. Then reads guest-physical memory just past its RAM:
 * the hypervisor must stop it there, so this guest never exits by itself on
 * success. Command line: wait_ms=N (default 100). */
#include "isolation.h"

const char guest_name[] = "isolation-b";

/* "Bulkhead hypervisor", each byte XOR 0x5a: the banner itself must not be in
 * this image (it would be found in the scan). */
static const u8 banner_x[] = {
	'B' ^ 0x5a, 'u' ^ 0x5a, 'l' ^ 0x5a, 'k' ^ 0x5a, 'h' ^ 0x5a, 'e' ^ 0x5a, 'a' ^ 0x5a,
	'd' ^ 0x5a, ' ' ^ 0x5a, 'h' ^ 0x5a, 'y' ^ 0x5a, 'p' ^ 0x5a, 'e' ^ 0x5a, 'r' ^ 0x5a,
	'v' ^ 0x5a, 'i' ^ 0x5a, 's' ^ 0x5a, 'o' ^ 0x5a, 'r' ^ 0x5a,
};

static bool banner_at(const volatile u8 *p, u64 avail)
{
	if (avail < sizeof(banner_x))
		return false;
	for (unsigned i = 0; i < sizeof(banner_x); i++)
		if ((u8)(p[i] ^ 0x5a) != banner_x[i])
			return false;
	return true;
}

static unsigned found;
static bool report;     /* print what the scan finds (not in the self-check) */

/* the secret may have been mixed with any page address of A */
static void scan(u64 b, u64 e)
{
	u8 first = (u8)(banner_x[0] ^ 0x5a);
	for (u64 a = b; a + 8 <= e; a += 8) {
		u64 w = *(volatile u64 *)a;
		if (isolation_is_secret(w) && found++ < 10 && report)
			printf("isolation: FOUND A's pattern at 0x%lx\n", a);
		/* any byte of w equal to the banner's first byte? (SWAR) */
		u64 x = w ^ (0x0101010101010101ULL * first);
		if (!((x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL))
			continue;
		for (unsigned i = 0; i < 8; i++)
			if (banner_at((const volatile u8 *)(a + i), e - a - i) &&
			    found++ < 10 && report)
				printf("isolation: FOUND the hypervisor banner at 0x%lx\n", a + i);
	}
}

/* Positive control: plant the secret (aligned) and the banner (unaligned)
 * in the last page of RAM, the scan must find exactly those two; then erase
 * them. The secret is built in scratch registers only. */
static void scan_self_check(u64 ram_end)
{
	u64 page = ram_end - 4096;
	asm volatile("movabs %[h1], %%rax\n\tmovabs %[h2], %%rdx\n\txor %%rdx, %%rax\n\t"
		     "mov %%rax, 8(%[p])\n\txor %%eax, %%eax\n\txor %%edx, %%edx"
		     : : [p] "r"(page), [h1] "i"(SECRET_HALF1), [h2] "i"(SECRET_HALF2)
		     : "rax", "rdx", "memory");
	for (unsigned i = 0; i < sizeof(banner_x); i++)
		*(volatile u8 *)(page + 101 + i) = banner_x[i] ^ 0x5a;
	found = 0;
	scan(page, ram_end);
	EXPECT_EQ(found, 2);
	for (unsigned i = 0; i < 128; i += 8)
		*(volatile u64 *)(page + i) = 0;
	found = 0;
	scan(page, ram_end);
	EXPECT_EQ(found, 0);
	printf("isolation: scanner self-check done\n");
}

void guest_main(void)
{
	u64 scanned = 0;
	sleep_ms((u32)cmdline_get_u64("wait_ms", 100));

	u64 ram_end = mb_ram_end();
	for (unsigned i = 0; i < mb_nr_regions; i++) {
		const struct mb_region *r = &mb_regions[i];
		printf("isolation: map 0x%lx-0x%lx type %u\n", r->base, r->base + r->len,
		       r->type);
	}
	scan_self_check(ram_end);
	/* all of guest RAM: 0 .. end of the highest usable region */
	found = 0;
	report = true;
	scan(0, ram_end);
	scanned = ram_end;
	printf("isolation: scanned %lu KiB\n", scanned >> 10);
	EXPECT_TRUE(scanned >= 1024 * 1024);
	if (found) {
		printf("isolation: scan found %u forbidden item(s)\n", found);
		test_fail();
	} else {
		printf("isolation: scan clean\n");
	}

	printf("isolation: reading 0x%lx, just past RAM\n", ram_end);
	u64 v = *(volatile u64 *)ram_end;
	/* only reached if the hypervisor let the read through */
	printf("isolation: read past RAM returned 0x%lx, not stopped\n", v);
	test_fail();
}
