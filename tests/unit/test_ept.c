/* hv/arch/x86/vmx/ept.c: a VM's EPT built in a host buffer. Leaves carry
 * R, W, X and write-back (SDM vol. 3 29.3.2, 29.3.7), 2 MiB pages where
 * alignment allows, 4 KiB elsewhere, and map only the RAM given. */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <bulkhead/pagetable.h>
#include "../../hv/arch/x86/vmx/ept.h"

#define ARENA_PAGES 64
#define ARENA_BASE 0x5000000ULL

static u8 *mem;
static unsigned used;

static u64 arena_alloc(void *ctx)
{
	(void)ctx;
	if (used == ARENA_PAGES)
		return 0;
	memset(mem + used * 4096, 0, 4096);
	return ARENA_BASE + 4096ULL * used++;
}

static u64 *arena_ptr(void *ctx, u64 pa)
{
	(void)ctx;
	assert_true(pa >= ARENA_BASE && pa < ARENA_BASE + 4096ULL * used);
	return (u64 *)(mem + (pa - ARENA_BASE));
}

static void arena_free(void *ctx, u64 pa)
{
	(void)ctx;
	(void)pa;
}

static const struct pt_ops ops = { arena_alloc, arena_ptr, NULL, arena_free };
static struct pagetable ept;

static int setup(void **state)
{
	(void)state;
	mem = aligned_alloc(4096, ARENA_PAGES * 4096);
	used = 0;
	assert_int_equal(pt_init(&ept, &ops), PT_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(mem);
	return 0;
}

/* A VM's RAM as guest_mem gives it: [0, 6 MiB + 8 KiB) at host 64 MiB
 * and, above a hole, [1 GiB, 1 GiB + 2 MiB) at host 128 MiB + 4 KiB (not
 * 2 MiB aligned on the host side: 4 KiB pages only). */
#define LOW_SIZE  (6 * PAGE_2M + 2 * PAGE_SIZE)
#define LOW_HPA   0x4000000ULL
#define HIGH_GPA  0x40000000ULL
#define HIGH_HPA  (0x8000000ULL + PAGE_SIZE)

struct walk {
	u64 mapped, big, small;
	bool outside, bad_flags;
};

static bool check_leaf(void *ctx, u64 gpa, u64 hpa, u64 size, u64 flags)
{
	struct walk *w = ctx;
	bool low = gpa + size <= LOW_SIZE && hpa == LOW_HPA + gpa;
	bool high = gpa >= HIGH_GPA && gpa + size <= HIGH_GPA + PAGE_2M &&
		    hpa == HIGH_HPA + (gpa - HIGH_GPA);
	u64 perm = EPT_R | EPT_W | EPT_X;

	if (!low && !high)
		w->outside = true;
	if ((flags & perm) != perm || (flags & EPT_MT_MASK) != EPT_MT_WB ||
	    (flags & (1ULL << 6)) /* IPAT */ || !!(flags & PTE_PS) != (size == PAGE_2M))
		w->bad_flags = true;
	w->mapped += size;
	if (size == PAGE_2M)
		w->big++;
	else if (size == PAGE_SIZE)
		w->small++;
	return true;
}

static void test_leaves(void **state)
{
	struct walk w = { 0 };
	u64 hpa, flags, sz;

	(void)state;
	assert_true(ept_map_ram(&ept, 0, LOW_HPA, LOW_SIZE));
	assert_true(ept_map_ram(&ept, HIGH_GPA, HIGH_HPA, PAGE_2M));
	assert_true(pt_for_each_leaf(&ept, check_leaf, &w));
	assert_false(w.outside);
	assert_false(w.bad_flags);
	assert_int_equal(w.mapped, LOW_SIZE + PAGE_2M);
	assert_int_equal(w.big, 6);              /* the aligned low part */
	assert_int_equal(w.small, 2 + 512);      /* the low tail, all of the high part */

	assert_true(pt_translate(&ept, 3 * PAGE_2M + 0x1234, &hpa, &flags, &sz));
	assert_int_equal(hpa, LOW_HPA + 3 * PAGE_2M + 0x1234);
	assert_int_equal(sz, PAGE_2M);
	/* the hole and the page after each range: no mapping (an access
	 * there is an EPT violation, the core's MMIO or demand-zero exit) */
	assert_false(pt_translate(&ept, LOW_SIZE, &hpa, &flags, &sz));
	assert_false(pt_translate(&ept, 0x20000000ULL, &hpa, &flags, &sz));
	assert_false(pt_translate(&ept, HIGH_GPA + PAGE_2M, &hpa, &flags, &sz));
	/* a range mapped twice is refused */
	assert_false(ept_map_ram(&ept, PAGE_2M, LOW_HPA, PAGE_2M));
}

/* Non-leaf entries must grant R, W and X so that leaves decide (29.3.2):
 * the PML4 entry of guest address 0. */
static void test_intermediate_entries(void **state)
{
	const u64 *pml4;

	(void)state;
	assert_true(ept_map_ram(&ept, 0, LOW_HPA, PAGE_SIZE));
	pml4 = arena_ptr(NULL, ept.root);
	assert_int_equal(pml4[0] & 7, EPT_R | EPT_W | EPT_X);
	assert_int_equal(pml4[0] & PTE_PS, 0);
	assert_int_equal(pml4[1], 0);
}

/* EPTP (25.6.11): WB (6) in bits 2:0, walk length - 1 (3) in 5:3, the
 * root's address above. */
static void test_pointer(void **state)
{
	(void)state;
	assert_int_equal(ept_pointer(&ept), ept.root | 0x1e);
	assert_int_equal(ept_pointer(&ept) & ~0xfffULL, ept.root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_leaves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intermediate_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pointer, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
