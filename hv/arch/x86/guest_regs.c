/* Guest register state both backends load before entry (guest_regs.h). */
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/guest_regs.h>
#include <bulkhead/x86/xstate.h>

#define MSR_TSC_AUX 0xc0000103U

/* What each physical CPU's IA32_TSC_AUX holds (one CPU runs VMs for now,
 * as with xstate_cpus). */
static u64 cpu_tsc_aux[1];

bool guest_regs_load(struct vcpu *v)
{
	if (v->tsc_aux != cpu_tsc_aux[0]) {
		wrmsr(MSR_TSC_AUX, v->tsc_aux);
		cpu_tsc_aux[0] = v->tsc_aux;
	}
	return xstate_enter(&v->xstate);
}
