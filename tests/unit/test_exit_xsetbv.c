/* hv/core/exit_xsetbv.c: the XSETBV exit handler, with the vCPU services it
 * calls replaced by recorders (its checks are hv/arch/x86/xcr0_check.c,
 * linked as is). QEMU 7.2's TCG never takes this exit (it ignores the
 * intercept), so the system test cannot reach this code. */
#include "unit.h"
#include <string.h>
#include <bulkhead/exit.h>
#include <bulkhead/x86/xstate.h>

#define OFFERED (XFEATURE_X87 | XFEATURE_SSE | XFEATURE_YMM)

static u64 guest_cr4, guest_cpl;
static struct { bool injected; u8 vector; bool has_error; u32 error; } inj;
static unsigned skips;
static bool skip_fails;
static struct { unsigned calls; u64 xcr0; } set;

u64 vcpu_read_reg(struct vcpu *v, enum x86_reg reg)
{
	(void)v;
	return reg == X86_REG_CR4 ? guest_cr4 : reg == X86_REG_CPL ? guest_cpl : 0;
}

void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error)
{
	(void)v;
	inj.injected = true;
	inj.vector = vector;
	inj.has_error = has_error;
	inj.error = error;
}

bool vcpu_skip_insn(struct vcpu *v, u8 inst_len)
{
	skips++;
	if (skip_fails)
		return false;
	v->rip += inst_len;
	return true;
}

u64 xstate_offered(void)
{
	return OFFERED;
}

void xstate_set_xcr0(struct vcpu_xstate *x, u64 xcr0)
{
	set.calls++;
	set.xcr0 = xcr0;
	x->xcr0 = xcr0;
}

static struct vcpu v;
static struct vm_exit e;

/* XSETBV with ECX = index, EDX:EAX = val */
static void run(u32 index, u64 val)
{
	memset(&inj, 0, sizeof(inj));
	memset(&set, 0, sizeof(set));
	skips = 0;
	v.rip = 0x1000;
	v.xstate.xcr0 = XFEATURE_X87;
	v.gpr[X86_REG_RCX] = 0xffffffff00000000ULL | index; /* upper half ignored */
	v.gpr[X86_REG_RAX] = 0xdead000000000000ULL | (u32)val;
	v.gpr[X86_REG_RDX] = 0xbeef000000000000ULL | (val >> 32);
	e = (struct vm_exit){ .code = EXIT_XSETBV, .rip = 0x1000, .inst_len = 3 };
	exit_handle_xsetbv(&v, &e);
}

static void test_accepted(void **state)
{
	(void)state;
	guest_cr4 = X86_CR4_OSXSAVE;
	guest_cpl = 0;
	skip_fails = false;
	run(0, OFFERED);
	assert_false(inj.injected);
	assert_int_equal(skips, 1);
	assert_int_equal(v.rip, 0x1003);
	assert_int_equal(set.calls, 1);
	assert_int_equal(set.xcr0, OFFERED); /* EDX:EAX, upper halves of RAX/RDX ignored */
}

static void test_refused(void **state)
{
	(void)state;
	skip_fails = false;
	guest_cpl = 0;
	guest_cr4 = 0;                          /* CR4.OSXSAVE clear: #UD */
	run(0, XFEATURE_X87);
	assert_true(inj.injected);
	assert_int_equal(inj.vector, 6);
	assert_false(inj.has_error);
	assert_int_equal(set.calls, 0);
	assert_int_equal(skips, 0);
	assert_int_equal(v.rip, 0x1000);        /* a fault: RIP stays on XSETBV */

	guest_cr4 = X86_CR4_OSXSAVE;
	const struct { u64 cpl; u32 index; u64 val; } gp[] = {
		{ 3, 0, XFEATURE_X87 }, { 0, 1, XFEATURE_X87 }, { 0, 0, 0 },
		{ 0, 0, XFEATURE_X87 | XFEATURE_YMM }, { 0, 0, XFEATURE_X87 | XFEATURE_PKRU },
		{ 0, 0, OFFERED | (1ULL << 32) },
	};
	for (unsigned i = 0; i < sizeof(gp) / sizeof(gp[0]); i++) {
		guest_cpl = gp[i].cpl;
		run(gp[i].index, gp[i].val);
		assert_true(inj.injected);
		assert_int_equal(inj.vector, 13);
		assert_true(inj.has_error);
		assert_int_equal(inj.error, 0);
		assert_int_equal(set.calls, 0);
		assert_int_equal(v.rip, 0x1000);
		assert_int_equal(v.xstate.xcr0, XFEATURE_X87);
	}
}

static void test_skip_failed(void **state)
{
	(void)state;
	/* the instruction could not be fetched (a fault is queued): XCR0 unchanged */
	guest_cr4 = X86_CR4_OSXSAVE;
	guest_cpl = 0;
	skip_fails = true;
	run(0, OFFERED);
	assert_int_equal(skips, 1);
	assert_int_equal(set.calls, 0);
	assert_int_equal(v.xstate.xcr0, XFEATURE_X87);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_skip_failed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
