/* A well-behaved bystander VM: does a little work, prints, exits 0. */
#include "guest.h"

const char guest_name[] = "ok";

void guest_main(void)
{
	u64 h = 0xcbf29ce484222325ULL;  /* FNV-1a over 64 KiB of its own image */
	const u8 *p = (const u8 *)__image_start;
	for (unsigned i = 0; i < 65536 && p + i < (const u8 *)__image_end; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	EXPECT_NE(h, 0);
	sleep_ms(cmdline_get_u64("sleep_ms", 0) ? (u32)cmdline_get_u64("sleep_ms", 0) : 1);
	printf("ok: done, hash 0x%lx\n", h);
}
