/* hv/arch/x86/iommu/amd_vi_ir.c: the interrupt remapping fields of a
 * device table entry, IRTEs and INVALIDATE_INTERRUPT_TABLE against AMD
 * IOMMU spec 48882 (2.2.2.1 figure 7, 2.2.5.1 figure 15, 2.4.5) and what
 * QEMU 7.2's amd_iommu.c reads (AMDVI_IR_* in amd_iommu.h). */
#include <string.h>
#include "unit.h"
#include <bulkhead/amd_vi.h>
#include <bulkhead/amd_vi_ir.h>

static u64 bits(u64 v, unsigned lo, unsigned n)
{
	return (v >> lo) & ((1ULL << n) - 1);
}

static void test_dte_intremap(void **state)
{
	u64 dte[4], before[4];

	(void)state;
	amd_vi_dte_translate(dte, 9, 0x5000ULL);
	memcpy(before, dte, sizeof(dte));
	dte[2] = ~0ULL;
	amd_vi_dte_intremap(dte, 0x12345678000ULL);
	assert_int_equal(dte[0], before[0]); /* translation untouched */
	assert_int_equal(dte[1], before[1]);
	assert_int_equal(dte[3], before[3]);
	assert_int_equal(bits(dte[2], 0, 1), 1);         /* IV (bit 128) */
	assert_int_equal(bits(dte[2], 1, 4), 11);        /* IntTabLen: 2048 entries */
	assert_int_equal(bits(dte[2], 5, 1), 0);         /* IgnUnmapped 0: log bad indexes */
	assert_int_equal(bits(dte[2], 6, 46) << 6, 0x12345678000ULL); /* IntTableRootPtr */
	assert_int_equal(bits(dte[2], 56, 3), 0);        /* INITPass, EIntPass, NMIPass */
	assert_int_equal(bits(dte[2], 60, 2), 2);        /* IntCtl 10b: remapped */
	assert_int_equal(bits(dte[2], 62, 2), 0);        /* Lint0Pass, Lint1Pass */
	/* QEMU 7.2: AMDVI_DTE_UPPER_QUAD_RESERVED, AMDVI_IR_PHYS_ADDR_MASK */
	assert_int_equal(dte[2] & 0x08f0000000000000ULL, 0);
	assert_int_equal(dte[2] & (((1ULL << 45) - 1) << 6), 0x12345678000ULL);
	/* the table fills a whole 11-bit index space, 4 bytes an entry */
	assert_int_equal(AMD_VI_IRT_BYTES, 8192);
}

static void test_dte_intremap_alignment(void **state)
{
	u64 dte[4] = { 0 };

	(void)state;
	amd_vi_dte_intremap(dte, 0x1000ULL | 0x3fULL); /* low bits not an address */
	assert_int_equal(bits(dte[2], 6, 46) << 6, 0x1000ULL);
	amd_vi_dte_intremap(dte, 0xfff0000000000000ULL | 0x2000ULL); /* above 52 bits dropped */
	assert_int_equal(dte[2] & 0xfff0000000000000ULL, 2ULL << 60);
}

static void test_dte_intr_abort(void **state)
{
	u64 dte[4] = { 0x1234, 5, ~0ULL, 0 };

	(void)state;
	amd_vi_dte_intr_abort(dte);
	assert_int_equal(dte[0], 0x1234);
	assert_int_equal(dte[1], 5);
	assert_int_equal(dte[2], 1);                 /* IV; IntCtl 00b: abort; no pass bits */
	assert_int_equal(dte[3], 0);
}

static void test_irte(void **state)
{
	u32 e;

	(void)state;
	e = amd_vi_irte(0x3a, 0x05);
	assert_int_equal(bits(e, 0, 1), 1);    /* RemapEn */
	assert_int_equal(bits(e, 1, 1), 0);    /* SupIOPF */
	assert_int_equal(bits(e, 2, 3), 0);    /* IntType fixed */
	assert_int_equal(bits(e, 5, 1), 0);    /* RqEoi */
	assert_int_equal(bits(e, 6, 1), 0);    /* DM physical */
	assert_int_equal(bits(e, 7, 1), 0);    /* GuestMode (QEMU aborts on it) */
	assert_int_equal(bits(e, 8, 8), 0x05); /* Destination */
	assert_int_equal(bits(e, 16, 8), 0x3a); /* Vector */
	assert_int_equal(bits(e, 24, 8), 0);
	assert_int_equal(amd_vi_irte(0xff, 0xff), 0x00ffff01U);
}

static void test_invalidate_irt(void **state)
{
	u64 cmd[2] = { ~0ULL, ~0ULL };

	(void)state;
	amd_vi_cmd_invalidate_irt(cmd, 0x0028);
	assert_int_equal(bits(cmd[0], 60, 4), 5);  /* opcode INVALIDATE_INTERRUPT_TABLE */
	assert_int_equal(bits(cmd[0], 0, 16), 0x28);
	assert_int_equal(bits(cmd[0], 16, 44), 0); /* reserved */
	assert_int_equal(cmd[1], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dte_intremap),
		cmocka_unit_test(test_dte_intremap_alignment),
		cmocka_unit_test(test_dte_intr_abort),
		cmocka_unit_test(test_irte),
		cmocka_unit_test(test_invalidate_irt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
