/* hv/mm/guest_mem.c: allocation in 2 MiB blocks, translation, the copy
 * functions' refusal of holes and wrap-around, and demand-zero: blocks are
 * cleared on first touch, never-touched blocks read as zero. */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <bulkhead/guest_mem.h>

#define BLOCK (2ULL << 20)
#define HOST_BLOCKS 8
#define HOST_BASE 0x40000000ULL
#define STALE 0xee

static u8 *host;
static bool used[HOST_BLOCKS];
static int order[HOST_BLOCKS]; /* which host block the n-th allocation returns */
static int next_alloc;

static u64 alloc_2m(void *ctx)
{
	(void)ctx;
	if (next_alloc == HOST_BLOCKS)
		return 0;
	int b = order[next_alloc++];
	if (b < 0 || used[b])
		return 0;
	used[b] = true;
	memset(host + b * BLOCK, STALE, BLOCK); /* what the last owner left */
	return HOST_BASE + b * BLOCK;
}

static void free_2m(void *ctx, u64 hpa)
{
	(void)ctx;
	int b = (int)((hpa - HOST_BASE) / BLOCK);
	assert_true(used[b]);
	used[b] = false;
}

static void *ptr(void *ctx, u64 hpa)
{
	(void)ctx;
	return host + (hpa - HOST_BASE);
}

static const struct guest_mem_host h = { alloc_2m, free_2m, ptr, NULL };

static int setup(void **state)
{
	(void)state;
	host = malloc(HOST_BLOCKS * BLOCK);
	memset(used, 0, sizeof(used));
	for (int i = 0; i < HOST_BLOCKS; i++)
		order[i] = i;
	next_alloc = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(host);
	return 0;
}

static void test_alloc_merges_contiguous(void **state)
{
	struct guest_mem gm;
	u64 hpa;

	(void)state;
	/* host blocks 0,1 contiguous, then 5, then 6 */
	order[2] = 5;
	order[3] = 6;
	assert_true(guest_mem_alloc(&gm, &h, 7ULL << 20)); /* rounds up to 8 MiB */
	assert_int_equal(gm.size, 8ULL << 20);
	assert_int_equal(gm.n, 2);
	assert_int_equal(gm.c[0].size, 2 * BLOCK);
	assert_true(guest_mem_hpa(&gm, BLOCK + 5, &hpa));
	assert_int_equal(hpa, HOST_BASE + BLOCK + 5);
	assert_true(guest_mem_hpa(&gm, 2 * BLOCK, &hpa));
	assert_int_equal(hpa, HOST_BASE + 5 * BLOCK);
	assert_false(guest_mem_hpa(&gm, 8ULL << 20, &hpa));
	guest_mem_free(&gm, &h);
	for (int i = 0; i < HOST_BLOCKS; i++)
		assert_false(used[i]);
}

static void test_alloc_failure_frees(void **state)
{
	struct guest_mem gm;

	(void)state;
	order[2] = -1; /* third block cannot be had */
	assert_false(guest_mem_alloc(&gm, &h, 6ULL << 20));
	for (int i = 0; i < HOST_BLOCKS; i++)
		assert_false(used[i]);
	assert_false(guest_mem_alloc(&gm, &h, 0));
	assert_false(guest_mem_alloc(&gm, &h, GUEST_MEM_MAX_SIZE + BLOCK));
}

static void test_copies_across_blocks(void **state)
{
	struct guest_mem gm;
	u8 buf[64], back[64];

	(void)state;
	order[1] = 3; /* guest blocks land in non-adjacent host blocks */
	assert_true(guest_mem_alloc(&gm, &h, 4ULL << 20));
	for (int i = 0; i < 64; i++)
		buf[i] = (u8)i;
	assert_int_equal(gpa_copy_to(&gm, &h, BLOCK - 32, buf, 64), GM_OK);
	assert_int_equal(host[BLOCK - 32 + 31], 31);            /* end of host block 0 */
	assert_int_equal(host[3 * BLOCK], 32);                  /* start of host block 3 */
	assert_int_equal(gpa_copy_from(&gm, &h, back, BLOCK - 32, 64), GM_OK);
	assert_memory_equal(buf, back, 64);
	assert_int_equal(gpa_fill(&gm, &h, BLOCK - 1, 0xaa, 2), GM_OK);
	assert_int_equal(host[BLOCK - 1], 0xaa);
	assert_int_equal(host[3 * BLOCK], 0xaa);
	guest_mem_free(&gm, &h);
}

static bool all_bytes(const u8 *p, u64 n, u8 v)
{
	for (u64 i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void test_untouched_reads_zero_without_clearing(void **state)
{
	struct guest_mem gm;
	u8 buf[32];

	(void)state;
	assert_true(guest_mem_alloc(&gm, &h, 4ULL << 20));
	memset(buf, 1, sizeof(buf));
	assert_int_equal(gpa_copy_from(&gm, &h, buf, BLOCK - 16, sizeof(buf)), GM_OK);
	assert_true(all_bytes(buf, sizeof(buf), 0));
	assert_true(all_bytes(host, 2 * BLOCK, STALE)); /* nothing was cleared */
	assert_int_equal(guest_mem_mapped_bytes(&gm), 0);
	guest_mem_free(&gm, &h);
}

static void test_write_clears_its_blocks_once(void **state)
{
	struct guest_mem gm;
	u8 one = 7, buf[16];

	(void)state;
	assert_true(guest_mem_alloc(&gm, &h, 4ULL << 20));
	assert_int_equal(gpa_copy_to(&gm, &h, 100, &one, 1), GM_OK);
	assert_int_equal(host[100], 7);
	assert_true(all_bytes(host, 100, 0));                     /* rest of block 0 */
	assert_true(all_bytes(host + 101, BLOCK - 101, 0));
	assert_true(all_bytes(host + BLOCK, BLOCK, STALE));       /* block 1 untouched */
	assert_int_equal(gpa_copy_to(&gm, &h, 200, &one, 1), GM_OK);
	assert_int_equal(host[100], 7);                           /* not cleared twice */
	assert_int_equal(gpa_fill(&gm, &h, BLOCK - 1, 0x11, 2), GM_OK);
	assert_int_equal(host[BLOCK], 0x11);
	assert_true(all_bytes(host + BLOCK + 1, BLOCK - 1, 0));   /* block 1 cleared */
	assert_int_equal(gpa_copy_from(&gm, &h, buf, 96, sizeof(buf)), GM_OK);
	assert_int_equal(buf[4], 7);
	assert_int_equal(buf[0], 0);
	guest_mem_free(&gm, &h);
}

static void test_fault_in_maps_each_block_once(void **state)
{
	struct guest_mem gm;
	u64 bgpa = 0, bhpa = 0;

	(void)state;
	order[1] = 3;
	assert_true(guest_mem_alloc(&gm, &h, 4ULL << 20));
	assert_false(guest_mem_mapped(&gm, BLOCK + 0x1234));
	assert_true(guest_mem_fault_in(&gm, &h, BLOCK + 0x1234, &bgpa, &bhpa));
	/* what a second vCPU faulting on the same block meanwhile finds */
	assert_true(guest_mem_mapped(&gm, BLOCK));
	assert_false(guest_mem_mapped(&gm, 0));
	assert_false(guest_mem_mapped(&gm, 4ULL << 20));
	assert_int_equal(bgpa, BLOCK);
	assert_int_equal(bhpa, HOST_BASE + 3 * BLOCK);
	assert_true(all_bytes(host + 3 * BLOCK, BLOCK, 0));
	assert_true(all_bytes(host, BLOCK, STALE));
	assert_int_equal(guest_mem_mapped_bytes(&gm), BLOCK);
	/* a second fault in a mapped block is not a first touch */
	assert_false(guest_mem_fault_in(&gm, &h, BLOCK, &bgpa, &bhpa));
	/* nor is one outside RAM */
	assert_false(guest_mem_fault_in(&gm, &h, 4ULL << 20, &bgpa, &bhpa));
	/* a block the host wrote first keeps its contents when mapped */
	assert_int_equal(gpa_fill(&gm, &h, 0, 0x22, 4), GM_OK);
	assert_true(guest_mem_fault_in(&gm, &h, 3, &bgpa, &bhpa));
	assert_int_equal(host[0], 0x22);
	assert_int_equal(guest_mem_mapped_bytes(&gm), 2 * BLOCK);
	guest_mem_free(&gm, &h);
}

static void test_wipe_clears_touched_blocks_only(void **state)
{
	struct guest_mem gm;
	u64 bgpa, bhpa;

	(void)state;
	assert_true(guest_mem_alloc(&gm, &h, 6ULL << 20));
	assert_true(guest_mem_fault_in(&gm, &h, 0, &bgpa, &bhpa));
	memset(host, 0x33, BLOCK);                 /* the guest wrote block 0 */
	assert_int_equal(gpa_fill(&gm, &h, 2 * BLOCK, 0x44, 8), GM_OK);
	guest_mem_wipe(&gm, &h);
	assert_true(all_bytes(host, BLOCK, 0));
	assert_true(all_bytes(host + 2 * BLOCK, BLOCK, 0));
	assert_true(all_bytes(host + BLOCK, BLOCK, STALE)); /* never touched: left alone */
	assert_int_equal(guest_mem_mapped_bytes(&gm), BLOCK); /* stays mapped */
	guest_mem_free(&gm, &h);
}

static void test_refuses_holes_and_wrap(void **state)
{
	struct guest_mem gm;
	u8 buf[16] = { 1 };

	(void)state;
	assert_true(guest_mem_alloc(&gm, &h, 2ULL << 20));
	assert_int_equal(gpa_copy_to(&gm, &h, BLOCK - 8, buf, 16), GM_HOLE);
	assert_int_equal(host[BLOCK - 8], STALE); /* nothing written, nothing cleared */
	assert_int_equal(gpa_copy_from(&gm, &h, buf, BLOCK, 1), GM_HOLE);
	assert_int_equal(gpa_copy_from(&gm, &h, buf, ~0ULL - 4, 16), GM_OVERFLOW);
	assert_int_equal(gpa_copy_from(&gm, &h, buf, 0x10000000000ULL, 4), GM_HOLE);
	assert_int_equal(gpa_copy_from(&gm, &h, buf, 0, 0), GM_OK);
	guest_mem_free(&gm, &h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alloc_merges_contiguous, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failure_frees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copies_across_blocks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_holes_and_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untouched_reads_zero_without_clearing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_write_clears_its_blocks_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_in_maps_each_block_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wipe_clears_touched_blocks_only, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
