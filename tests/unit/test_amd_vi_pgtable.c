/* hv/arch/x86/iommu/io_pgtable.c: AMD-Vi I/O page tables on a host buffer,
 * checked both through io_pt_translate and by walking the raw entries the
 * way the IOMMU does (48882 2.2.3: Next Level, IR/IW ANDed along the walk). */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <bulkhead/amd_vi_pgtable.h>

#define ARENA_PAGES 64

#include "page_arena.h"

static unsigned nr_freed;

static void arena_free(void *ctx, u64 pa)
{
	(void)ctx;
	assert_true(pa >= ARENA_BASE && pa < ARENA_BASE + 4096ULL * arena.used);
	nr_freed++;
}

static const struct pt_ops ops = { arena_alloc, arena_ptr, NULL, arena_free };
static struct io_pgtable t;

static int setup(void **state)
{
	(void)state;
	arena.mem = aligned_alloc(4096, ARENA_PAGES * 4096);
	arena.used = 0;
	arena.limit = ARENA_PAGES;
	nr_freed = 0;
	assert_int_equal(io_pt_init(&t, &ops), PT_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(arena.mem);
	return 0;
}

/* The IOMMU's walk from a Mode 4 root: -1 if not present or not allowed
 * for the access asked (1 read, 2 write). */
static s64 hw_walk(u64 iova, unsigned want)
{
	u64 pa = t.root, e = 0;
	unsigned level = 4, allowed = 3;

	for (;;) {
		e = arena_ptr(NULL, pa)[(iova >> (12 + 9 * (level - 1))) & 511];
		if (!(e & IOPTE_PR))
			return -1;
		allowed &= ((e & IOPTE_IR) ? 1U : 0U) | ((e & IOPTE_IW) ? 2U : 0U);
		if (((e & IOPTE_NEXT_MASK) >> IOPTE_NEXT_SHIFT) == 0)
			break;
		assert_int_equal((e & IOPTE_NEXT_MASK) >> IOPTE_NEXT_SHIFT, level - 1);
		assert_int_equal(e & 0x1f0ULL, 0); /* no stray bits */
		pa = e & IOPTE_ADDR_MASK;
		level--;
	}
	if ((allowed & want) != want)
		return -1;
	return (s64)((e & IOPTE_ADDR_MASK) + (iova & ((1ULL << (12 + 9 * (level - 1))) - 1)));
}

static void test_map_4k_and_2m(void **state)
{
	u64 pa, size;
	unsigned acc;

	(void)state;
	/* 1 MiB + 8 KiB at 1 MiB: 4 KiB leaves; 4 MiB at 1 GiB: two 2 MiB leaves */
	assert_int_equal(io_pt_map(&t, 0x100000, 0x40100000, 0x102000, IOPT_READ | IOPT_WRITE), PT_OK);
	assert_int_equal(io_pt_map(&t, 0x40000000, 0x80000000, 0x400000, IOPT_READ), PT_OK);
	/* root, L3, L2 for the first GiB, L1s for 0-2 MiB and 2-4 MiB; L2 for
	 * the second GiB */
	assert_int_equal(t.nr_tables, 6);
	assert_true(io_pt_translate(&t, 0x101234, &pa, &acc, &size));
	assert_true(pa == 0x40101234 && size == 4096 && acc == (IOPT_READ | IOPT_WRITE));
	assert_true(io_pt_translate(&t, 0x40312345, &pa, &acc, &size));
	assert_true(pa == 0x80312345 && size == 0x200000 && acc == IOPT_READ);
	assert_false(io_pt_translate(&t, 0xff000, &pa, &acc, &size));
	assert_false(io_pt_translate(&t, 0x202000, &pa, &acc, &size));
	assert_false(io_pt_translate(&t, 1ULL << 48, &pa, &acc, &size));
	/* and the hardware's view agrees */
	assert_int_equal(hw_walk(0x201ff8, 2), 0x40201ff8);
	assert_int_equal(hw_walk(0x40000010, 1), 0x80000010);
	assert_int_equal(hw_walk(0x40000010, 2), -1); /* read-only */
	assert_int_equal(hw_walk(0x202000, 1), -1);
}

static void test_refusals(void **state)
{
	u64 pa, size;
	unsigned acc;

	(void)state;
	assert_int_equal(io_pt_map(&t, 0x1000, 0x2000, 0x1000, IOPT_WRITE), PT_OK);
	assert_int_equal(io_pt_map(&t, 0x0, 0x9000, 0x3000, IOPT_READ), PT_EXISTS);
	assert_false(io_pt_translate(&t, 0x0, &pa, &acc, &size)); /* nothing of it mapped */
	assert_int_equal(io_pt_map(&t, 0x1800, 0, 0x1000, IOPT_READ), PT_BAD_ARGS);
	assert_int_equal(io_pt_map(&t, 0x3000, 0x800, 0x1000, IOPT_READ), PT_BAD_ARGS);
	assert_int_equal(io_pt_map(&t, 0x3000, 0, 0, IOPT_READ), PT_BAD_ARGS);
	assert_int_equal(io_pt_map(&t, 0x3000, 0, 0x1000, 0), PT_BAD_ARGS);
	assert_int_equal(io_pt_map(&t, 0x3000, 0, 0x1000, 4), PT_BAD_ARGS);
	assert_int_equal(io_pt_map(&t, (1ULL << 48) - 0x1000, 0, 0x2000, IOPT_READ), PT_BAD_ARGS);
	assert_int_equal(io_pt_map(&t, ~0xfffULL, 0, 0x2000, IOPT_READ), PT_BAD_ARGS);
	assert_int_equal(io_pt_map(&t, 0x3000, 1ULL << 52, 0x1000, IOPT_READ), PT_BAD_ARGS);
	assert_int_equal(io_pt_map(&t, 0x3000, ~0xfffULL, 0x2000, IOPT_READ), PT_BAD_ARGS);
	assert_int_equal(io_pt_unmap(&t, 0x1001, 0x1000), PT_BAD_ARGS);
	/* out of table memory: an error, not a crash */
	arena.limit = arena.used;
	assert_int_equal(io_pt_map(&t, 0x8000000000ULL, 0, 0x1000, IOPT_READ), PT_NO_MEMORY);
}

static void test_unmap_splits(void **state)
{
	u64 pa, size;
	unsigned acc;

	(void)state;
	assert_int_equal(io_pt_map(&t, 0x200000, 0x600000, 0x400000, IOPT_READ | IOPT_WRITE), PT_OK);
	assert_int_equal(t.nr_tables, 3); /* two 2 MiB leaves in one L2 */
	/* one page out of the first 2 MiB leaf: it becomes 511 4 KiB leaves */
	assert_int_equal(io_pt_unmap(&t, 0x203000, 0x1000), PT_OK);
	assert_int_equal(t.nr_tables, 4);
	assert_false(io_pt_translate(&t, 0x203000, &pa, &acc, &size));
	assert_true(io_pt_translate(&t, 0x204010, &pa, &acc, &size));
	assert_true(pa == 0x604010 && size == 4096 && acc == (IOPT_READ | IOPT_WRITE));
	assert_int_equal(hw_walk(0x202ff0, 2), 0x602ff0);
	assert_int_equal(hw_walk(0x203000, 1), -1);
	/* the whole second leaf at once, and a range that is partly empty */
	assert_int_equal(io_pt_unmap(&t, 0x400000, 0x200000), PT_OK);
	assert_false(io_pt_translate(&t, 0x5ff000, &pa, &acc, &size));
	assert_int_equal(io_pt_unmap(&t, 0x0, 0x10000000), PT_OK);
	assert_false(io_pt_translate(&t, 0x200000, &pa, &acc, &size));
	/* remapped afterwards with other access */
	assert_int_equal(io_pt_map(&t, 0x200000, 0x900000, 0x1000, IOPT_READ), PT_OK);
	assert_int_equal(hw_walk(0x200008, 1), 0x900008);
	io_pt_destroy(&t);
	assert_int_equal(nr_freed, 4);
	assert_int_equal(t.root, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_map_4k_and_2m, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_splits, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
