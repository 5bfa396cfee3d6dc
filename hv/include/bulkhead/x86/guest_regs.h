/* The guest register state that neither VMRUN (APM vol. 2 15.5.1, 15.30.2)
 * nor VM entry (SDM vol. 3 26.3, 28.5) loads, made current for a vCPU just
 * before either backend enters it: IA32_TSC_AUX, which RDTSCP reads, and
 * the extended state of xstate.h. */
#ifndef BULKHEAD_X86_GUEST_REGS_H
#define BULKHEAD_X86_GUEST_REGS_H

#include <bulkhead/vcpu.h>

/* False if the CPU refused v's XSAVE area (xstate_enter): the backend then
 * returns xstate_lost_exit instead of entering the guest. */
bool __must_check guest_regs_load(struct vcpu *v);
/* The CPU puts v down: its extended state goes back to its area, so that
 * any CPU can run it next. */
void guest_regs_put(struct vcpu *v);

#endif
