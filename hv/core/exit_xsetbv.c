/* XSETBV: the guest's XCR0 is kept per vCPU and loaded before each entry
 * (x86/xstate.c). The checks are the instruction's own (x86/xcr0_check.c):
 * the intercept comes before the CPU makes them (APM vol. 2 15.9; QEMU's
 * TCG takes it before the CPL check too). */
#include <bulkhead/exit.h>
#include <bulkhead/vcpu.h>
#include <bulkhead/x86/xstate.h>

#define VEC_UD 6
#define VEC_GP 13

void exit_handle_xsetbv(struct vcpu *v, const struct vm_exit *e)
{
	u32 index = (u32)v->gpr[X86_REG_RCX];
	u64 val = (v->gpr[X86_REG_RDX] << 32) | (u32)v->gpr[X86_REG_RAX];
	u64 cr4 = vcpu_read_reg(v, X86_REG_CR4);
	u8 cpl = (u8)vcpu_read_reg(v, X86_REG_CPL);

	switch (xsetbv_check(cr4, cpl, index, val, xstate_offered())) {
	case XSETBV_UD:
		vcpu_inject_exception(v, VEC_UD, false, 0);
		return;
	case XSETBV_GP:
		vcpu_inject_exception(v, VEC_GP, true, 0);
		return;
	case XSETBV_OK:
		break;
	}
	if (vcpu_skip_insn(v, e->inst_len))
		xstate_set_xcr0(&v->xstate, val);
}
