/* hv/arch/x86/iommu/amd_vi_enc.c: device table entries, commands and event
 * decoding against the bit layouts of AMD IOMMU spec 48882 (2.2.2.1 figure
 * 7, 2.4.1-2.4.3, 2.5) and the reserved bits QEMU 7.2 checks. */
#include <string.h>
#include "unit.h"
#include <bulkhead/amd_vi.h>

static u64 bits(u64 v, unsigned lo, unsigned n)
{
	return (v >> lo) & ((1ULL << n) - 1);
}

static void test_dte_blocked(void **state)
{
	u64 dte[4] = { ~0ULL, ~0ULL, ~0ULL, ~0ULL };

	(void)state;
	amd_vi_dte_blocked(dte, 0x123456000ULL);
	assert_int_equal(bits(dte[0], 0, 1), 1);   /* V */
	assert_int_equal(bits(dte[0], 1, 1), 1);   /* TV */
	assert_int_equal(bits(dte[0], 9, 3), 1);   /* Mode 1: never 0 (untranslated) */
	assert_int_equal(bits(dte[0], 12, 40) << 12, 0x123456000ULL);
	assert_int_equal(bits(dte[0], 61, 2), 0);  /* IR = IW = 0: every access refused */
	assert_int_equal(dte[1] | dte[2] | dte[3], 0);
	/* QEMU 7.2's reserved masks: quad 0 0x80300000000000fc */
	assert_int_equal(dte[0] & 0x80300000000000fcULL, 0);
}

static void test_dte_translate(void **state)
{
	u64 dte[4];

	(void)state;
	amd_vi_dte_translate(dte, 7, 0xabcdef000ULL);
	assert_int_equal(bits(dte[0], 0, 2), 3);   /* V, TV */
	assert_int_equal(bits(dte[0], 9, 3), 4);   /* 4-level table */
	assert_int_equal(dte[0] & AMD_VI_DTE_ROOT_MASK, 0xabcdef000ULL);
	assert_int_equal(bits(dte[0], 61, 2), 3);  /* IR, IW */
	assert_int_equal(bits(dte[1], 0, 16), 7);  /* DomainID */
	assert_int_equal(dte[1] & 0x100ULL, 0);
	assert_int_equal(dte[0] & 0x80300000000000fcULL, 0);
	assert_int_equal(dte[2] | dte[3], 0);
}

static void test_commands(void **state)
{
	u64 c[2];

	(void)state;
	amd_vi_cmd_completion_wait(c, 0x1234568ULL, 0x55aa);
	assert_int_equal(bits(c[0], 60, 4), 1);
	assert_int_equal(bits(c[0], 0, 1), 1);           /* S: store */
	assert_int_equal(bits(c[0], 1, 2), 0);           /* no interrupt, no flush */
	assert_int_equal(bits(c[0], 3, 49) << 3, 0x1234568ULL);
	assert_int_equal(bits(c[0], 52, 8), 0);          /* reserved */
	assert_int_equal(c[1], 0x55aa);

	amd_vi_cmd_invalidate_dte(c, 0x0218);
	assert_int_equal(bits(c[0], 60, 4), 2);
	assert_int_equal(bits(c[0], 0, 16), 0x0218);
	assert_int_equal(bits(c[0], 16, 44), 0);
	assert_int_equal(c[1], 0);

	amd_vi_cmd_invalidate_domain(c, 9);
	assert_int_equal(bits(c[0], 60, 4), 3);
	assert_int_equal(bits(c[0], 32, 16), 9);         /* DomainID */
	assert_int_equal(bits(c[0], 0, 32), 0);          /* PASID, reserved */
	assert_int_equal(bits(c[0], 48, 12), 0);
	assert_int_equal(bits(c[1], 0, 1), 1);           /* S */
	assert_int_equal(bits(c[1], 1, 1), 1);           /* PDE */
	assert_int_equal(bits(c[1], 2, 10), 0);          /* GN and reserved */
	assert_int_equal(c[1] & ~0xfffULL, 0x7ffffffffffff000ULL); /* all pages */
}

static void test_event_describe(void **state)
{
	/* IO_PAGE_FAULT from 00:03.0 at 0x5000, I and RW flags set */
	u64 ev[2] = { 0x2ULL << 60 | (1ULL << 51 | 1ULL << 53) | 0x0018, 0x5000 };
	char b[96];

	(void)state;
	amd_vi_event_describe(ev, b, sizeof(b));
	assert_string_equal(b, "IO_PAGE_FAULT 00:03.0 address 0x5000 flags 0x28");
	ev[0] = 0xfULL << 60 | 0x0101;
	amd_vi_event_describe(ev, b, sizeof(b));
	assert_string_equal(b, "unknown event 01:00.1 address 0x5000 flags 0");
	amd_vi_event_describe(ev, b, 8); /* truncated, still terminated */
	assert_int_equal(strlen(b), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dte_blocked),
		cmocka_unit_test(test_dte_translate),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_event_describe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
