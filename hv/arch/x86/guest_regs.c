/* Guest register state both backends load before entry (guest_regs.h). */
#include <bulkhead/percpu.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/guest_regs.h>
#include <bulkhead/x86/xstate.h>

#define MSR_TSC_AUX 0xc0000103U

bool guest_regs_load(struct vcpu *v)
{
	struct cpu *c = this_cpu();

	if (v->tsc_aux != c->tsc_aux) {
		wrmsr(MSR_TSC_AUX, v->tsc_aux);
		c->tsc_aux = v->tsc_aux;
	}
	return xstate_enter(&v->xstate);
}

void guest_regs_put(struct vcpu *v)
{
	(void)v;
	xstate_release();
}
