/* hv/mm/page_alloc.c: building the free set, carving, alignment, merging,
 * exhaustion and double frees. */
#include "unit.h"
#include <bulkhead/page_alloc.h>

static struct page_alloc pa;

static int setup(void **state)
{
	(void)state;
	palloc_init(&pa);
	return 0;
}

static void test_add_reserve(void **state)
{
	(void)state;
	assert_true(palloc_add(&pa, 0, 0x9fc00));          /* page 0 never free */
	assert_true(palloc_add(&pa, 0x100000, 0x40000000));
	assert_false(palloc_is_free(&pa, 0));
	assert_true(palloc_is_free(&pa, 0x1000));
	assert_int_equal(pa.free_pages, 0x9e + (0x40000000 - 0x100000) / 4096);
	assert_true(palloc_reserve(&pa, 0, 0x100000));
	assert_true(palloc_reserve(&pa, 0x200000, 0x22c000)); /* image */
	assert_true(palloc_reserve(&pa, 0x300010, 0x300020)); /* widened to a page */
	assert_false(palloc_is_free(&pa, 0x300000));
	assert_true(palloc_is_free(&pa, 0x301000));
	assert_true(palloc_is_free(&pa, 0x2ff000));
	assert_int_equal(pa.n, 3);
	assert_false(palloc_add(&pa, 0x500000, 0x600000)); /* overlaps free RAM */
	assert_false(palloc_add(&pa, 0x600000, 0x500000));
}

static void test_alloc_never_reserved(void **state)
{
	u64 a;

	(void)state;
	assert_true(palloc_add(&pa, 0x100000, 0x800000));
	assert_true(palloc_reserve(&pa, 0x200000, 0x400000));
	while ((a = palloc_alloc(&pa, 1, 4096)) != 0) {
		assert_true(a >= 0x100000 && a < 0x800000);
		assert_false(a >= 0x200000 && a < 0x400000);
	}
	assert_int_equal(pa.free_pages, 0);
	assert_int_equal(pa.n, 0);
}

static void test_alignment_and_free(void **state)
{
	u64 a, b, c;

	(void)state;
	assert_true(palloc_add(&pa, 0x101000, 0x1000000));
	a = palloc_alloc(&pa, 512, 0x200000);
	assert_int_equal(a, 0x200000);
	b = palloc_alloc(&pa, 1, 4096);
	assert_int_equal(b, 0x101000);
	c = palloc_alloc(&pa, 3, 0x4000);
	assert_int_equal(c, 0x104000);
	assert_int_equal(palloc_alloc(&pa, 1, 3000), 0);  /* bad alignment */
	assert_int_equal(palloc_alloc(&pa, 0, 4096), 0);
	assert_int_equal(palloc_alloc(&pa, 1ULL << 60, 4096), 0);
	assert_true(palloc_free(&pa, a, 512));
	assert_false(palloc_free(&pa, a, 512));            /* double free */
	assert_false(palloc_free(&pa, a + 0x1000, 1));     /* inside a free range */
	assert_false(palloc_free(&pa, 0x123, 1));          /* unaligned */
	assert_false(palloc_free(&pa, 0, 1));
	assert_true(palloc_free(&pa, b, 1));
	assert_true(palloc_free(&pa, c, 3));
	/* everything merged back into one range */
	assert_int_equal(pa.n, 1);
	assert_int_equal(pa.r[0].start, 0x101000);
	assert_int_equal(pa.r[0].end, 0x1000000);
}

static void test_exhaustion_of_ranges(void **state)
{
	(void)state;
	assert_true(palloc_add(&pa, 0x100000, 0x100000 + 4096ULL * 4 * PALLOC_MAX_RANGES));
	/* punch holes until the range table is full; then a split is refused */
	unsigned i;
	for (i = 0; i < PALLOC_MAX_RANGES - 1; i++)
		assert_true(palloc_reserve(&pa, 0x100000 + 4096ULL * (4 * i + 1),
					   0x100000 + 4096ULL * (4 * i + 2)));
	assert_int_equal(pa.n, PALLOC_MAX_RANGES);
	u64 before = pa.free_pages;
	assert_false(palloc_reserve(&pa, 0x100000 + 4096ULL * (4 * i + 1),
				    0x100000 + 4096ULL * (4 * i + 2)));
	assert_true(pa.free_pages < before); /* reported, and the pages stay taken */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_add_reserve, setup),
		cmocka_unit_test_setup(test_alloc_never_reserved, setup),
		cmocka_unit_test_setup(test_alignment_and_free, setup),
		cmocka_unit_test_setup(test_exhaustion_of_ranges, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
