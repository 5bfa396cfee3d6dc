/* XSETBV: the guest's XCR0 is kept per vCPU and loaded before each entry
 * (x86/xstate.c). The checks are the instruction's own (SDM vol. 2
 * XSETBV; vol. 1 13.3): the intercept may come before the CPU makes them
 * (QEMU's TCG takes it before the CPL and CR4.OSXSAVE checks). */
#include <bulkhead/exit.h>
#include <bulkhead/vcpu.h>
#include <bulkhead/x86/xstate.h>

#define VEC_UD 6
#define VEC_GP 13

void exit_handle_xsetbv(struct vcpu *v, const struct vm_exit *e)
{
	u32 index = (u32)v->gpr[X86_REG_RCX];
	u64 val = (v->gpr[X86_REG_RDX] << 32) | (u32)v->gpr[X86_REG_RAX];

	if (!(vcpu_read_reg(v, X86_REG_CR4) & X86_CR4_OSXSAVE)) {
		vcpu_inject_exception(v, VEC_UD, false, 0);
		return;
	}
	/* Only XCR0 exists; XSETBV is a CPL 0 instruction. */
	if (vcpu_read_reg(v, X86_REG_CPL) != 0 || index != 0 || !xstate_xcr0_valid(val)) {
		vcpu_inject_exception(v, VEC_GP, true, 0);
		return;
	}
	if (!vcpu_skip_insn(v, e->inst_len))
		return;
	xstate_set_xcr0(&v->xstate, val);
}
