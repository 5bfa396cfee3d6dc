/* hv/arch/x86/pagetable.c's dirty tracking (pt_split, pt_harvest_dirty)
 * on tables held in a host buffer, the way the display uses it on a
 * VM's nested page table. */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <bulkhead/pagetable.h>

#define ARENA_PAGES 16

#include "page_arena.h"


static const struct pt_ops ops = { arena_alloc, arena_ptr, NULL, NULL };
static struct pagetable pt;

static int setup(void **state)
{
	(void)state;
	arena.mem = aligned_alloc(4096, ARENA_PAGES * 4096);
	arena.used = 0;
	arena.limit = ARENA_PAGES;
	assert_int_equal(pt_init(&pt, &ops), PT_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(arena.mem);
	return 0;
}

/* The level-0 entry of va (the test walks the tables itself). */
static u64 *leaf(u64 va)
{
	u64 *t = arena_ptr(NULL, pt.root);

	for (int level = 3; level > 0; level--) {
		u64 e = t[(va >> (12 + 9 * level)) & 511];

		assert_true((e & PTE_P) && !(e & PTE_PS));
		t = arena_ptr(NULL, e & PTE_ADDR_MASK);
	}
	return &t[(va >> 12) & 511];
}

/* A 1 GiB leaf split around a range: same frames and flags everywhere,
 * 4 KiB pages inside the range, 2 MiB ones beside it. */
static void test_split_keeps_mapping(void **state)
{
	u64 pa, flags, size, va = PAGE_1G + 5 * PAGE_2M + 0x3000;

	(void)state;
	assert_int_equal(pt_map(&pt, PAGE_1G, 2 * PAGE_1G, PAGE_1G, PTE_W | PTE_U, PAGE_1G), PT_OK);
	assert_int_equal(pt_split(&pt, va, 3 * 4096), PT_OK);
	for (u64 a = va; a < va + 3 * 4096; a += 4096) {
		assert_true(pt_translate(&pt, a + 7, &pa, &flags, &size));
		assert_int_equal(pa, 2 * PAGE_1G + (a - PAGE_1G) + 7);
		assert_int_equal(size, 4096);
		assert_int_equal(flags & (PTE_P | PTE_W | PTE_U | PTE_PS), PTE_P | PTE_W | PTE_U);
	}
	assert_true(pt_translate(&pt, PAGE_1G + 7 * PAGE_2M + 9, &pa, &flags, &size));
	assert_int_equal(pa, 2 * PAGE_1G + 7 * PAGE_2M + 9);
	assert_int_equal(size, PAGE_2M);
	assert_int_equal(flags & (PTE_P | PTE_W | PTE_U | PTE_PS), PTE_P | PTE_W | PTE_U | PTE_PS);
	assert_int_equal(pt.nr_tables, 4); /* PML4, PDPT, the new PD and PT */
	/* splitting again takes nothing */
	assert_int_equal(pt_split(&pt, va, 3 * 4096), PT_OK);
	assert_int_equal(pt.nr_tables, 4);
	assert_int_equal(pt_split(&pt, va + 1, 4096), PT_BAD_ARGS);
}

static void test_harvest_clears_d(void **state)
{
	u64 bits[2] = { 0, 0 }, base = 4 * PAGE_2M;

	(void)state;
	assert_int_equal(pt_map(&pt, base, 0, PAGE_2M, PTE_W | PTE_U, PAGE_2M), PT_OK);
	/* not split yet: a 2 MiB leaf is not harvested */
	assert_false(pt_harvest_dirty(&pt, base, 100, bits));
	assert_int_equal(pt_split(&pt, base, 100 * 4096), PT_OK);
	memset(bits, 0, sizeof(bits));
	assert_true(pt_harvest_dirty(&pt, base, 100, bits));
	assert_int_equal(bits[0] | bits[1], 0);
	/* what a CPU's writes do: D on pages 1, 63, 64 and 99; A elsewhere */
	*leaf(base + 1 * 4096) |= PTE_D | PTE_A;
	*leaf(base + 63 * 4096) |= PTE_D | PTE_A;
	*leaf(base + 64 * 4096) |= PTE_D | PTE_A;
	*leaf(base + 99 * 4096) |= PTE_D | PTE_A;
	*leaf(base + 2 * 4096) |= PTE_A;
	*leaf(base + 100 * 4096) |= PTE_D; /* past the range */
	assert_true(pt_harvest_dirty(&pt, base, 100, bits));
	assert_int_equal(bits[0], (1ULL << 1) | (1ULL << 63));
	assert_int_equal(bits[1], (1ULL << 0) | (1ULL << 35));
	assert_int_equal(*leaf(base + 63 * 4096) & (PTE_D | PTE_A | PTE_W | PTE_P),
			 PTE_A | PTE_W | PTE_P);
	assert_true(*leaf(base + 100 * 4096) & PTE_D);
	/* cleared: the next harvest finds nothing */
	memset(bits, 0, sizeof(bits));
	assert_true(pt_harvest_dirty(&pt, base, 100, bits));
	assert_int_equal(bits[0] | bits[1], 0);
	/* a page not mapped is not dirty: the last page of the block is, the
	 * one after it (nothing maps it) is not */
	*leaf(base + PAGE_2M - 4096) |= PTE_D;
	assert_true(pt_harvest_dirty(&pt, base + PAGE_2M - 4096, 2, bits));
	assert_int_equal(bits[0], 1);
	assert_int_equal(bits[1], 0);
	/* a block mapped by a 2 MiB leaf after the split: the harvest refuses
	 * it; split, its D bit is in each of its pages */
	assert_int_equal(pt_map(&pt, base + PAGE_2M, PAGE_2M, PAGE_2M, PTE_W | PTE_U | PTE_D,
				PAGE_2M), PT_OK);
	memset(bits, 0, sizeof(bits));
	assert_false(pt_harvest_dirty(&pt, base + PAGE_2M, 2, bits));
	assert_int_equal(pt_split(&pt, base + PAGE_2M, 2 * 4096), PT_OK);
	memset(bits, 0, sizeof(bits));
	assert_true(pt_harvest_dirty(&pt, base + PAGE_2M, 2, bits));
	assert_int_equal(bits[0], 3);
}

/* Across a page-table boundary (512 pages) the harvest walks again. */
static void test_harvest_across_tables(void **state)
{
	u64 bits[1024 / 64], base = PAGE_2M - 4 * 4096;

	(void)state;
	memset(bits, 0, sizeof(bits));
	assert_int_equal(pt_map(&pt, 0, 0, 2 * PAGE_1G, PTE_W | PTE_U, PAGE_2M), PT_OK);
	assert_int_equal(pt_split(&pt, base, 1024 * 4096), PT_OK);
	*leaf(base + 3 * 4096) |= PTE_D;
	*leaf(base + 4 * 4096) |= PTE_D;
	*leaf(base + 1023 * 4096) |= PTE_D;
	assert_true(pt_harvest_dirty(&pt, base, 1024, bits));
	assert_int_equal(bits[0], (1ULL << 3) | (1ULL << 4));
	assert_int_equal(bits[15], 1ULL << 63);
	for (unsigned i = 1; i < 15; i++)
		assert_int_equal(bits[i], 0);
}

static void test_split_out_of_memory(void **state)
{
	(void)state;
	assert_int_equal(pt_map(&pt, 0, 0, PAGE_1G, PTE_W | PTE_U, PAGE_1G), PT_OK);
	arena.limit = arena.used + 1; /* room for the PD, not the PT */
	assert_int_equal(pt_split(&pt, 0, 4096), PT_NO_MEMORY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_split_keeps_mapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_harvest_clears_d, setup, teardown),
		cmocka_unit_test_setup_teardown(test_harvest_across_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_out_of_memory, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
