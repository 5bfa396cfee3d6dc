/* hv/arch/x86/pagetable.c on tables held in a host buffer. */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <bulkhead/pagetable.h>

#define ARENA_PAGES 64

#include "page_arena.h"


/* pt_destroy's frees: each table page exactly once */
static u8 freed[ARENA_PAGES];
static unsigned nr_freed;

static void arena_free(void *ctx, u64 pa)
{
	(void)ctx;
	assert_true(pa >= ARENA_BASE && pa < ARENA_BASE + 4096ULL * arena.used);
	assert_int_equal(freed[(pa - ARENA_BASE) / 4096]++, 0);
	nr_freed++;
}

static const struct pt_ops ops = { arena_alloc, arena_ptr, NULL, arena_free };
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

static void expect(u64 va, u64 want_pa, u64 want_size, u64 want_flags)
{
	u64 pa, flags, size;

	assert_true(pt_translate(&pt, va, &pa, &flags, &size));
	assert_int_equal(pa, want_pa);
	assert_int_equal(size, want_size);
	assert_int_equal(flags & (PTE_P | PTE_W | PTE_U | PTE_NX | PTE_PS), want_flags);
}

static void test_page_sizes(void **state)
{
	(void)state;
	/* 1 GiB aligned: one 1 GiB leaf; then 2 MiB leaves; then 4 KiB */
	assert_int_equal(pt_map(&pt, PAGE_1G, 0, PAGE_1G, PTE_W, PAGE_1G), PT_OK);
	expect(PAGE_1G + 0x12345678, 0x12345678, PAGE_1G, PTE_P | PTE_W | PTE_PS);
	assert_int_equal(pt_map(&pt, 4 * PAGE_1G, 6 * PAGE_2M, 2 * PAGE_2M + 0x3000, PTE_NX, PAGE_1G), PT_OK);
	expect(4 * PAGE_1G + PAGE_2M + 5, 7 * PAGE_2M + 5, PAGE_2M, PTE_P | PTE_NX | PTE_PS);
	expect(4 * PAGE_1G + 2 * PAGE_2M + 0x2fff, 8 * PAGE_2M + 0x2fff, PAGE_SIZE, PTE_P | PTE_NX);
	assert_false(pt_translate(&pt, 4 * PAGE_1G + 2 * PAGE_2M + 0x3000, &(u64){0}, &(u64){0}, &(u64){0}));
	/* max_page limits leaf size even when aligned */
	assert_int_equal(pt_map(&pt, 8 * PAGE_1G, 0, PAGE_2M, PTE_U, PAGE_SIZE), PT_OK);
	expect(8 * PAGE_1G + 0x1000, 0x1000, PAGE_SIZE, PTE_P | PTE_U);
}

static void test_intermediate_entries(void **state)
{
	u64 *pml4;

	(void)state;
	assert_int_equal(pt_map(&pt, 0x1000, 0x2000, 0x1000, 0, PAGE_2M), PT_OK);
	pml4 = arena_ptr(NULL, pt.root);
	/* leaves decide permissions: intermediate entries are P|W|U, no NX */
	assert_int_equal(pml4[0] & 0xfff, PTE_P | PTE_W | PTE_U);
	assert_int_equal(pml4[0] & PTE_NX, 0);
	assert_int_equal(pt.nr_tables, 4);
}

static void test_conflicts_and_bad_args(void **state)
{
	(void)state;
	assert_int_equal(pt_map(&pt, 0x200000, 0, PAGE_2M, 0, PAGE_2M), PT_OK);
	assert_int_equal(pt_map(&pt, 0x201000, 0, PAGE_SIZE, 0, PAGE_2M), PT_EXISTS);
	assert_int_equal(pt_map(&pt, 0x200000, 0, PAGE_SIZE, 0, PAGE_SIZE), PT_EXISTS);
	assert_int_equal(pt_map(&pt, 0x1000, 0x1000, PAGE_SIZE, 0, PAGE_SIZE), PT_OK);
	assert_int_equal(pt_map(&pt, 0x1000, 0x1000, PAGE_SIZE, 0, PAGE_SIZE), PT_EXISTS);
	assert_int_equal(pt_map(&pt, 0x1001, 0, PAGE_SIZE, 0, PAGE_SIZE), PT_BAD_ARGS);
	assert_int_equal(pt_map(&pt, 0, 0x10, PAGE_SIZE, 0, PAGE_SIZE), PT_BAD_ARGS);
	assert_int_equal(pt_map(&pt, 0, 0, 0x800, 0, PAGE_SIZE), PT_BAD_ARGS);
	assert_int_equal(pt_map(&pt, 1ULL << 47, 0, PAGE_SIZE, 0, PAGE_SIZE), PT_BAD_ARGS);
	assert_int_equal(pt_map(&pt, (1ULL << 47) - PAGE_SIZE, 0, 2 * PAGE_SIZE, 0, PAGE_SIZE), PT_BAD_ARGS);
	assert_int_equal(pt_map(&pt, 0x5000, 0x5000, PAGE_SIZE, 0x5000, PAGE_SIZE), PT_BAD_ARGS);
	assert_int_equal(pt_map(&pt, 0x5000, ~0ULL & ~0xfffULL, 2 * PAGE_SIZE, 0, PAGE_SIZE), PT_BAD_ARGS);
	assert_false(pt_translate(&pt, 1ULL << 47, &(u64){0}, &(u64){0}, &(u64){0}));
}

/* pt_unmap clears exactly the 4 KiB leaves asked for, skips absent ones,
 * and refuses unaligned ranges and large leaves, which it does not split. */
static void test_unmap(void **state)
{
	u64 z;

	(void)state;
	assert_int_equal(pt_map(&pt, 0xc0000000ULL, 0xfe000000ULL, 4 * PAGE_SIZE, PTE_W, PAGE_SIZE),
			 PT_OK);
	assert_int_equal(pt_unmap(&pt, 0xc0001000ULL, 2 * PAGE_SIZE), PT_OK);
	expect(0xc0000000ULL, 0xfe000000ULL, PAGE_SIZE, PTE_P | PTE_W);
	assert_false(pt_translate(&pt, 0xc0001000ULL, &z, &z, &z));
	assert_false(pt_translate(&pt, 0xc0002fffULL, &z, &z, &z));
	expect(0xc0003000ULL, 0xfe003000ULL, PAGE_SIZE, PTE_P | PTE_W);
	/* absent leaves and absent tables are skipped */
	assert_int_equal(pt_unmap(&pt, 0xc0000000ULL, 8 * PAGE_SIZE), PT_OK);
	assert_int_equal(pt_unmap(&pt, 0x7000000000ULL, PAGE_SIZE), PT_OK);
	assert_false(pt_translate(&pt, 0xc0003000ULL, &z, &z, &z));
	/* the range can be mapped again */
	assert_int_equal(pt_map(&pt, 0xc0001000ULL, 0xfe100000ULL, PAGE_SIZE, PTE_W, PAGE_SIZE),
			 PT_OK);
	expect(0xc0001000ULL, 0xfe100000ULL, PAGE_SIZE, PTE_P | PTE_W);
	assert_int_equal(pt_unmap(&pt, 0xc0000800ULL, PAGE_SIZE), PT_BAD_ARGS);
	assert_int_equal(pt_unmap(&pt, 0xc0000000ULL, 0x800), PT_BAD_ARGS);
	assert_int_equal(pt_map(&pt, 0x200000, 0, PAGE_2M, 0, PAGE_2M), PT_OK);
	assert_int_equal(pt_unmap(&pt, 0x200000, PAGE_SIZE), PT_BAD_ARGS);
	expect(0x200000, 0, PAGE_2M, PTE_P | PTE_PS);
}

static void test_out_of_memory(void **state)
{
	(void)state;
	arena.limit = 3; /* root + 2: not enough for PDPT, PD and PT */
	assert_int_equal(pt_map(&pt, 0x1000, 0, PAGE_SIZE, 0, PAGE_SIZE), PT_NO_MEMORY);
	arena.limit = ARENA_PAGES;
	assert_int_equal(pt_map(&pt, 0x1000, 0, PAGE_SIZE, 0, PAGE_SIZE), PT_OK);
	expect(0x1abc, 0xabc, PAGE_SIZE, PTE_P);
}

/* Every table page goes back, the mapped pages do not, the root last. */
static void test_destroy_frees_every_table(void **state)
{
	(void)state;
	memset(freed, 0, sizeof(freed));
	nr_freed = 0;
	assert_int_equal(pt_map(&pt, 0, 0x40000000, 0x400000, PTE_W, PAGE_2M), PT_OK);
	assert_int_equal(pt_map(&pt, 0x800000000ULL, 0x1000, 0x3000, PTE_W, PAGE_SIZE), PT_OK);
	assert_int_equal(pt_map(&pt, 0x8000000000ULL, 0x80000000, PAGE_1G, PTE_W, PAGE_1G), PT_OK);
	u64 tables = pt.nr_tables;
	assert_true(tables >= 6);
	pt_destroy(&pt);
	assert_int_equal(nr_freed, tables);
	assert_int_equal(pt.nr_tables, 0);
	assert_int_equal(pt.root, 0);
	for (unsigned i = 0; i < arena.used; i++)
		assert_int_equal(freed[i], 1); /* only tables were ever allocated */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_page_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intermediate_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflicts_and_bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_frees_every_table, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
