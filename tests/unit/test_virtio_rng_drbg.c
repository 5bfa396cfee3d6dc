/* hv/dev/backend/drbg.c: the ChaCha20 block of RFC 8439 2.3.2's test
 * vector, and the DRBG: the same seed gives the same stream, output of one
 * fill is never repeated by the next (the key is replaced). */
#include "unit.h"
#include <string.h>
#include <bulkhead/entropy.h>

static void test_rfc8439_block(void **state)
{
	static const u8 want[64] = {
		0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4,
		0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e,
		0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2,
		0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e,
	};
	u32 key[8], nonce[3] = { 0x09000000, 0x4a000000, 0 };
	u8 out[64];
	(void)state;
	for (u32 i = 0; i < 8; i++)
		key[i] = (4 * i) | (4 * i + 1) << 8 | (4 * i + 2) << 16 | (4 * i + 3) << 24;
	chacha20_block(key, 1, nonce, out);
	assert_memory_equal(out, want, 64);
}

static void test_drbg_stream(void **state)
{
	static const u32 seed[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct drbg a, b;
	u8 x[100], y[100], z[100];
	(void)state;
	drbg_seed(&a, seed);
	drbg_seed(&b, seed);
	drbg_fill(&a, x, sizeof(x));
	drbg_fill(&b, y, sizeof(y));
	assert_memory_equal(x, y, sizeof(x));
	drbg_fill(&a, z, sizeof(z));
	assert_memory_not_equal(x, z, sizeof(x));
	/* the key changed: a fresh DRBG with the old key would repeat x */
	assert_memory_not_equal(a.key, seed, sizeof(seed));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc8439_block),
		cmocka_unit_test(test_drbg_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
