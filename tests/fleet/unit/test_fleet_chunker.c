/* Unit tests: content-defined chunker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chunker.h"

static uint8_t *random_data(size_t n, uint64_t seed)
{
	uint8_t *p = malloc(n);

	for (size_t i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		p[i] = (uint8_t)(seed >> 56);
	}
	return p;
}

/* Chunk the whole buffer; returns the number of chunks, ends in out. */
static size_t cut(const struct chunker *c, const uint8_t *d, size_t n, size_t *out, size_t max)
{
	size_t off = 0, k = 0;

	while (off < n && k < max) {
		size_t len = chunker_next(c, d + off, n - off);

		assert_true(len >= 1);
		off += len;
		out[k++] = off;
	}
	return k;
}

static void test_bounds_and_average(void **state)
{
	struct chunker c;
	size_t n = 8U << 20, ends[4096], k;
	uint8_t *d = random_data(n, 1);

	(void)state;
	assert_int_equal(chunker_init(&c, CHUNK_MIN_DEFAULT, CHUNK_AVG_DEFAULT, CHUNK_MAX_DEFAULT), 0);
	k = cut(&c, d, n, ends, 4096);
	assert_int_equal(ends[k - 1], n);
	for (size_t i = 0; i + 1 < k; i++) {
		size_t len = ends[i] - (i ? ends[i - 1] : 0);

		assert_true(len >= CHUNK_MIN_DEFAULT && len <= CHUNK_MAX_DEFAULT);
	}
	/* normalized chunking keeps the mean near avg (within 25%) */
	assert_true(n / k > CHUNK_AVG_DEFAULT * 3 / 4 && n / k < CHUNK_AVG_DEFAULT * 5 / 4);
	free(d);
}

static void test_insertion_resyncs(void **state)
{
	struct chunker c;
	size_t n = 4U << 20, a[1024], b[1024], ka, kb, same = 0;
	uint8_t *d = random_data(n + 100, 2), *e = malloc(n + 100);

	(void)state;
	assert_int_equal(chunker_init(&c, 4096, 16384, 262144), 0);
	/* e = d with 100 bytes inserted at 1 MiB */
	memcpy(e, d, 1U << 20);
	memset(e + (1U << 20), 0x55, 100);
	memcpy(e + (1U << 20) + 100, d + (1U << 20), n - (1U << 20));
	ka = cut(&c, d, n, a, 1024);
	kb = cut(&c, e, n + 100, b, 1024);
	for (size_t i = 0; i < ka; i++)
		for (size_t j = 0; j < kb; j++)
			if (a[i] > (1U << 20) && b[j] == a[i] + 100)
				same++;
	/* all but a couple of boundaries after the edit survive, shifted */
	size_t after = 0;

	for (size_t i = 0; i < ka; i++)
		after += a[i] > (1U << 20);
	assert_true(same + 2 >= after);
	free(d);
	free(e);
}

static void test_zeros_make_max_chunks(void **state)
{
	struct chunker c;
	uint8_t *z = calloc(1, 1U << 20);

	(void)state;
	assert_int_equal(chunker_init(&c, CHUNK_MIN_DEFAULT, CHUNK_AVG_DEFAULT, CHUNK_MAX_DEFAULT), 0);
	assert_int_equal(chunker_next(&c, z, 1U << 20), CHUNK_MAX_DEFAULT);
	assert_int_equal(chunker_next(&c, z, 100), 100);
	free(z);
}

static void test_bad_parameters(void **state)
{
	struct chunker c;

	(void)state;
	assert_int_equal(chunker_init(&c, 16, 1024, 4096), -1);    /* min < 64 */
	assert_int_equal(chunker_init(&c, 4096, 3000, 8192), -1);  /* avg < min, not 2^n */
	assert_int_equal(chunker_init(&c, 1024, 12288, 65536), -1); /* not a power of two */
	assert_int_equal(chunker_init(&c, 1024, 4096, 2048), -1);  /* max < avg */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounds_and_average),
		cmocka_unit_test(test_insertion_resyncs),
		cmocka_unit_test(test_zeros_make_max_chunks),
		cmocka_unit_test(test_bad_parameters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
