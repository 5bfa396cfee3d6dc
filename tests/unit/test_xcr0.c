/* hv/arch/x86/xcr0_check.c: XSETBV's checks (SDM vol. 2 XSETBV, vol. 1
 * 13.3), with the components a guest may be offered. */
#include "unit.h"
#include <bulkhead/x86/xstate.h>

#define X87 XFEATURE_X87
#define SSE XFEATURE_SSE
#define YMM XFEATURE_YMM
#define OFFERED_AVX (X87 | SSE | YMM)
#define OFFERED_AVX512 (X87 | SSE | YMM | XFEATURE_AVX512)

static void test_values(void **state)
{
	(void)state;
	assert_true(xcr0_valid(X87, OFFERED_AVX));
	assert_true(xcr0_valid(X87 | SSE, OFFERED_AVX));
	assert_true(xcr0_valid(X87 | SSE | YMM, OFFERED_AVX));
	assert_false(xcr0_valid(0, OFFERED_AVX));                /* x87 must stay set */
	assert_false(xcr0_valid(SSE | YMM, OFFERED_AVX));
	assert_false(xcr0_valid(X87 | YMM, OFFERED_AVX));        /* YMM needs SSE */
	assert_false(xcr0_valid(X87 | SSE | YMM | XFEATURE_PKRU, OFFERED_AVX)); /* not offered */
	assert_false(xcr0_valid(X87 | (1ULL << 63), OFFERED_AVX));
	assert_false(xcr0_valid(X87 | SSE | YMM | XFEATURE_AVX512, OFFERED_AVX));
	/* AVX-512: the three together, and only with YMM */
	assert_true(xcr0_valid(OFFERED_AVX512, OFFERED_AVX512));
	assert_false(xcr0_valid(X87 | SSE | YMM | XFEATURE_OPMASK, OFFERED_AVX512));
	assert_false(xcr0_valid(X87 | SSE | YMM | XFEATURE_OPMASK | XFEATURE_ZMM_HI256,
				OFFERED_AVX512));
	assert_false(xcr0_valid(X87 | SSE | XFEATURE_AVX512, OFFERED_AVX512));
	/* MPX: both bits or neither, even where offered */
	assert_true(xcr0_valid(X87 | XFEATURE_BNDREGS | XFEATURE_BNDCSR,
			       X87 | XFEATURE_BNDREGS | XFEATURE_BNDCSR));
	assert_false(xcr0_valid(X87 | XFEATURE_BNDREGS, X87 | XFEATURE_BNDREGS | XFEATURE_BNDCSR));
	assert_false(xcr0_valid(X87 | XFEATURE_BNDCSR, X87 | XFEATURE_BNDREGS | XFEATURE_BNDCSR));
}

static void test_instruction(void **state)
{
	(void)state;
	/* #UD comes first: CR4.OSXSAVE clear, whatever else is wrong */
	assert_int_equal(xsetbv_check(0, 0, 0, X87, OFFERED_AVX), XSETBV_UD);
	assert_int_equal(xsetbv_check(0, 3, 1, 0, OFFERED_AVX), XSETBV_UD);
	assert_int_equal(xsetbv_check(X86_CR4_OSXSAVE, 0, 0, X87 | SSE, OFFERED_AVX), XSETBV_OK);
	assert_int_equal(xsetbv_check(X86_CR4_OSXSAVE, 3, 0, X87, OFFERED_AVX), XSETBV_GP);
	assert_int_equal(xsetbv_check(X86_CR4_OSXSAVE, 1, 0, X87, OFFERED_AVX), XSETBV_GP);
	assert_int_equal(xsetbv_check(X86_CR4_OSXSAVE, 0, 1, X87, OFFERED_AVX), XSETBV_GP);
	assert_int_equal(xsetbv_check(X86_CR4_OSXSAVE, 0, 0, X87 | YMM, OFFERED_AVX), XSETBV_GP);
	assert_int_equal(xsetbv_check(X86_CR4_OSXSAVE, 0, 0, X87 | XFEATURE_PKRU, OFFERED_AVX),
			 XSETBV_GP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_instruction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
