/* hv/arch/x86/svm/svm_check.c: each consistency check of APM vol. 2 15.5.1
 * names its field on a VMCB that breaks only that check, and a valid VMCB
 * passes. */
#include "unit.h"
#include <string.h>
#include <bulkhead/x86/cpu_features.h>
#include "../../hv/arch/x86/svm/svm_priv.h"

struct cpu_features boot_cpu; /* svm_check_state's; unused here */

static const struct svm_check_cpu cpu = {
	40, EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME,
};
static struct vmcb vmcb;

/* A 64-bit guest as Bulkhead runs it. */
static int setup(void **state)
{
	(void)state;
	memset(&vmcb, 0, sizeof(vmcb));
	vmcb.save.efer = EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME;
	vmcb.save.cr0 = CR0_PG | CR0_PE | (1ULL << 4);
	vmcb.save.cr4 = CR4_PAE;
	vmcb.save.cr3 = 0x105000;
	vmcb.save.cs.attrib = 0xa9b; /* L, present, code */
	vmcb.save.dr6 = 0xffff0ff0;
	vmcb.save.dr7 = 0x400;
	vmcb.ctl.intercept_misc2 = INTERCEPT_VMRUN;
	vmcb.ctl.asid = 1;
	vmcb.ctl.iopm_pa = 0x200000;
	vmcb.ctl.msrpm_pa = 0x203000;
	return 0;
}

static void expect(const char *what_prefix, u64 value)
{
	struct invalid_exit out;

	assert_false(svm_check_vmcb(&vmcb, &cpu, &out));
	assert_non_null(out.what);
	assert_int_equal(strncmp(out.what, what_prefix, strlen(what_prefix)), 0);
	assert_int_equal(out.value, value);
}

static void test_valid_state_passes(void **state)
{
	struct invalid_exit out;

	(void)state;
	assert_true(svm_check_vmcb(&vmcb, &cpu, &out));
	assert_null(out.what);
}

static void test_each_check(void **state)
{
	(void)state;
	vmcb.save.efer &= ~EFER_SVME;
	expect("EFER.SVME clear", vmcb.save.efer);
	setup(NULL);
	vmcb.save.cr0 |= 1ULL << 29; /* NW without CD */
	expect("CR0.NW set without CR0.CD", vmcb.save.cr0);
	setup(NULL);
	vmcb.save.cr0 |= 1ULL << 32;
	expect("CR0[63:32]", vmcb.save.cr0);
	setup(NULL);
	vmcb.save.cr3 |= 1ULL << 40;
	expect("CR3 bits above MAXPHYADDR", vmcb.save.cr3);
	setup(NULL);
	vmcb.save.cr4 |= 1ULL << 15;
	expect("CR4 reserved bits", 1ULL << 15);
	setup(NULL);
	vmcb.save.dr6 |= 1ULL << 40;
	expect("DR6[63:32]", vmcb.save.dr6);
	setup(NULL);
	vmcb.save.dr7 |= 1ULL << 33;
	expect("DR7[63:32]", vmcb.save.dr7);
	setup(NULL);
	vmcb.save.efer |= 1ULL << 13; /* LMSLE, which this CPU lacks */
	expect("EFER reserved bits", 1ULL << 13);
	setup(NULL);
	vmcb.save.cr4 &= ~CR4_PAE;
	expect("EFER.LME and CR0.PG with CR4.PAE clear", vmcb.save.cr4);
	setup(NULL);
	vmcb.save.cr0 &= ~CR0_PE;
	expect("EFER.LME and CR0.PG with CR0.PE clear", vmcb.save.cr0);
	setup(NULL);
	vmcb.save.cs.attrib |= 1U << 10; /* D with L */
	expect("long mode with CS.L and CS.D", vmcb.save.cs.attrib);
	setup(NULL);
	vmcb.ctl.intercept_misc2 = 0;
	expect("VMRUN intercept clear", 0);
	setup(NULL);
	vmcb.ctl.asid = 0;
	expect("ASID 0", 0);
	setup(NULL);
	vmcb.ctl.msrpm_pa = 1ULL << 45;
	expect("IOPM or MSRPM above MAXPHYADDR", vmcb.ctl.iopm_pa | vmcb.ctl.msrpm_pa);
	setup(NULL);
	vmcb.ctl.eventinj = EVENTINJ_VALID | (1ULL << EVENTINJ_TYPE_SHIFT) | 32;
	expect("EVENTINJ reserved type", vmcb.ctl.eventinj);
}

/* Outside long mode, CR3's high bits and CS.L/D are not checked. */
static void test_legacy_mode_skips_long_mode_checks(void **state)
{
	struct invalid_exit out;

	(void)state;
	vmcb.save.efer = EFER_SVME;
	vmcb.save.cr0 = CR0_PE | (1ULL << 4);
	vmcb.save.cr4 = 0;
	vmcb.save.cr3 = 1ULL << 45;
	vmcb.save.cs.attrib = 0xc9b;
	assert_true(svm_check_vmcb(&vmcb, &cpu, &out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_valid_state_passes, setup),
		cmocka_unit_test_setup(test_each_check, setup),
		cmocka_unit_test_setup(test_legacy_mode_skips_long_mode_checks, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
