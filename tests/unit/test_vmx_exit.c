/* hv/arch/x86/vmx/vmx_exit.c: raw VMX exit information (SDM vol. 3 27.2,
 * appendix C) to the neutral struct vm_exit. */
#include <string.h>
#include "unit.h"
#include <bulkhead/vcpu.h>
#include "../../hv/arch/x86/vmx/vmx_priv.h"

static struct vcpu v;
static struct vm_exit e;

static void run(u32 reason, u64 qual, const struct vmx_exit_raw *extra)
{
	struct vmx_exit_raw r = extra ? *extra : (struct vmx_exit_raw){ 0 };

	r.reason = reason;
	r.qual = qual;
	memset(&e, 0xa5, sizeof(e));
	vmx_translate_exit(&v, &r, &e);
}

static int setup(void **state)
{
	(void)state;
	memset(&v, 0, sizeof(v));
	v.rip = 0x1000;
	return 0;
}

static void test_io(void **state)
{
	struct vmx_exit_raw r = { .insn_len = 1 };

	(void)state;
	/* OUT DX, AL to 0x3f8: size 1 (0), out, port in 31:16 (table 27-5) */
	run(VMX_EXIT_IO, 0x3f8ULL << 16, &r);
	assert_int_equal(e.code, EXIT_IO);
	assert_int_equal(e.u.io.port, 0x3f8);
	assert_int_equal(e.u.io.size, 1);
	assert_false(e.u.io.in);
	assert_false(e.u.io.string);
	assert_int_equal(e.inst_len, 1);
	assert_int_equal(e.rip, 0x1000);
	/* REP INSW from 0x60: size 2, in, string, rep; 32-bit addressing and
	 * ES in the instruction information (table 27-8) */
	r = (struct vmx_exit_raw){ .insn_len = 3, .insn_info = (1U << 7) | (0U << 15),
				   .insn_info_io = true };
	run(VMX_EXIT_IO, (0x60ULL << 16) | IO_QUAL_REP | IO_QUAL_STRING | IO_QUAL_IN | 1, &r);
	assert_int_equal(e.code, EXIT_IO);
	assert_int_equal(e.u.io.size, 2);
	assert_true(e.u.io.in && e.u.io.string && e.u.io.rep);
	assert_int_equal(e.u.io.addr_size, 4);
	assert_int_equal(e.u.io.seg, X86_SEG_ES);
	assert_int_equal(e.inst_len, 3);
	/* OUTSB, 64-bit addressing, FS override */
	r.insn_info = (2U << 7) | (4U << 15);
	run(VMX_EXIT_IO, (0x80ULL << 16) | IO_QUAL_STRING, &r);
	assert_int_equal(e.u.io.addr_size, 8);
	assert_int_equal(e.u.io.seg, X86_SEG_FS);
	/* size field 2 (3 bytes) does not exist: not understood */
	run(VMX_EXIT_IO, 2, NULL);
	assert_int_equal(e.code, EXIT_UNKNOWN);
	/* address-size 3 is reserved */
	r.insn_info = 3U << 7;
	run(VMX_EXIT_IO, IO_QUAL_STRING, &r);
	assert_int_equal(e.code, EXIT_UNKNOWN);
}

static void test_ept_violation(void **state)
{
	struct vmx_exit_raw r = { .gpa = 0xfee00030 };

	(void)state;
	run(VMX_EXIT_EPT_VIOLATION, EPT_QUAL_WRITE, &r);
	assert_int_equal(e.code, EXIT_MMIO);
	assert_int_equal(e.u.mmio.gpa, 0xfee00030);
	assert_true(e.u.mmio.write);
	assert_false(e.u.mmio.fetch);
	assert_int_equal(e.inst_len, 0); /* the decoder measures it */
	run(VMX_EXIT_EPT_VIOLATION, EPT_QUAL_FETCH | EPT_QUAL_READ, &r);
	assert_false(e.u.mmio.write);
	assert_true(e.u.mmio.fetch);
}

static void test_msr(void **state)
{
	struct vmx_exit_raw r = { .insn_len = 2 };

	(void)state;
	v.gpr[X86_REG_RCX] = 0xffffffff00000277ULL; /* upper half ignored */
	v.gpr[X86_REG_RDX] = 0x11223344;
	v.gpr[X86_REG_RAX] = 0xdead000055667788ULL;
	run(VMX_EXIT_WRMSR, 0, &r);
	assert_int_equal(e.code, EXIT_MSR);
	assert_int_equal(e.u.msr.index, 0x277);
	assert_true(e.u.msr.write);
	assert_int_equal(e.u.msr.value, 0x1122334455667788ULL);
	assert_int_equal(e.inst_len, 2);
	run(VMX_EXIT_RDMSR, 0, &r);
	assert_int_equal(e.code, EXIT_MSR);
	assert_false(e.u.msr.write);
}

static void test_simple_exits(void **state)
{
	struct vmx_exit_raw r = { .insn_len = 2 };

	(void)state;
	run(VMX_EXIT_CPUID, 0, &r);
	assert_int_equal(e.code, EXIT_CPUID);
	assert_int_equal(e.inst_len, 2);
	r.insn_len = 1;
	run(VMX_EXIT_HLT, 0, &r);
	assert_int_equal(e.code, EXIT_HLT);
	assert_int_equal(e.inst_len, 1);
	r.insn_len = 3;
	run(VMX_EXIT_XSETBV, 0, &r);
	assert_int_equal(e.code, EXIT_XSETBV);
	assert_int_equal(e.inst_len, 3);
	run(VMX_EXIT_VMCALL, 0, &r);
	assert_int_equal(e.code, EXIT_HYPERCALL);
	run(VMX_EXIT_TRIPLE_FAULT, 0, NULL);
	assert_int_equal(e.code, EXIT_SHUTDOWN);
	run(VMX_EXIT_EXT_INTR, 0, NULL);
	assert_int_equal(e.code, EXIT_INTR);
	/* VMX-preemption timer expired (26.7.4): a host event, as an interrupt */
	run(VMX_EXIT_PREEMPT_TIMER, 0, NULL);
	assert_int_equal(e.code, EXIT_INTR);
	run(VMX_EXIT_INTR_WINDOW, 0, NULL);
	assert_int_equal(e.code, EXIT_IRQ_WINDOW);
	run(VMX_EXIT_NMI_WINDOW, 0, NULL);
	assert_int_equal(e.code, EXIT_NMI_WINDOW);
	/* a length outside 1..15 is not believed */
	r.insn_len = 16;
	run(VMX_EXIT_CPUID, 0, &r);
	assert_int_equal(e.inst_len, 0);
	/* VMX instructions in the guest: #UD */
	run(VMX_EXIT_VMXON, 0, NULL);
	assert_int_equal(e.code, EXIT_EXCEPTION);
	assert_int_equal(e.u.exception.vector, 6);
	run(VMX_EXIT_VMCLEAR, 0, NULL);
	assert_int_equal(e.code, EXIT_EXCEPTION);
	/* an exit reason nobody asked for */
	run(VMX_EXIT_TASK_SWITCH, 0, NULL);
	assert_int_equal(e.code, EXIT_UNKNOWN);
	assert_int_equal(e.raw.code, VMX_EXIT_TASK_SWITCH);
}

static void test_exceptions(void **state)
{
	struct vmx_exit_raw r = { 0 };

	(void)state;
	/* #GP(0x18), hardware exception with error code (25.9.2) */
	r.intr_info = INTR_INFO_VALID | INTR_INFO_ERR_VALID | (3U << 8) | 13;
	r.intr_error = 0x18;
	run(VMX_EXIT_EXCEPTION_NMI, 0, &r);
	assert_int_equal(e.code, EXIT_EXCEPTION);
	assert_int_equal(e.u.exception.vector, 13);
	assert_true(e.u.exception.has_error);
	assert_int_equal(e.u.exception.error, 0x18);
	/* #UD: no error code, the error field's value ignored */
	r.intr_info = INTR_INFO_VALID | (3U << 8) | 6;
	run(VMX_EXIT_EXCEPTION_NMI, 0, &r);
	assert_false(e.u.exception.has_error);
	assert_int_equal(e.u.exception.error, 0);
	/* an NMI is the host's */
	r.intr_info = INTR_INFO_VALID | (INTR_TYPE_NMI << 8) | 2;
	run(VMX_EXIT_EXCEPTION_NMI, 0, &r);
	assert_int_equal(e.code, EXIT_INTR);
	/* no valid information: not understood */
	r.intr_info = 13;
	run(VMX_EXIT_EXCEPTION_NMI, 0, &r);
	assert_int_equal(e.code, EXIT_UNKNOWN);
}

static void test_entry_failure(void **state)
{
	(void)state;
	/* bit 31 with reason 33: invalid guest state (27.8) */
	run(VMX_EXIT_ENTRY_FAILED | VMX_EXIT_BAD_GUEST, 0, NULL);
	assert_int_equal(e.code, EXIT_INVALID);
	assert_non_null(e.u.invalid.what);
	assert_non_null(strstr(e.u.invalid.what, "invalid guest state"));
	assert_int_equal(e.u.invalid.value, 0);
	run(VMX_EXIT_ENTRY_FAILED | VMX_EXIT_BAD_GUEST, 4, NULL);
	assert_non_null(strstr(e.u.invalid.what, "VMCS link pointer"));
	assert_int_equal(e.u.invalid.value, 4);
	run(VMX_EXIT_ENTRY_FAILED | VMX_EXIT_BAD_GUEST, 99, NULL); /* unknown: the general case */
	assert_non_null(strstr(e.u.invalid.what, "invalid guest state"));
	run(VMX_EXIT_ENTRY_FAILED | VMX_EXIT_BAD_MSR_LOAD, 2, NULL);
	assert_int_equal(e.code, EXIT_INVALID);
	assert_non_null(strstr(e.u.invalid.what, "MSR loading"));
	assert_int_equal(e.u.invalid.value, 2);
	/* VMfailValid numbers (30.4) */
	assert_non_null(strstr(vmx_insn_error_name(7), "control field"));
	assert_non_null(strstr(vmx_insn_error_name(8), "host-state field"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_io, setup),
		cmocka_unit_test_setup(test_ept_violation, setup),
		cmocka_unit_test_setup(test_msr, setup),
		cmocka_unit_test_setup(test_simple_exits, setup),
		cmocka_unit_test_setup(test_exceptions, setup),
		cmocka_unit_test_setup(test_entry_failure, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
