/* State private to the SVM backend. */
#ifndef BULKHEAD_SVM_PRIV_H
#define BULKHEAD_SVM_PRIV_H

#include <bulkhead/pagetable.h>
#include <bulkhead/vm.h>
#include "vmcb.h"

struct svm_cpu {
	u64 hsave_pa;     /* VM_HSAVE_PA (APM vol. 2 15.30.4) */
	u64 host_vmcb_pa; /* host FS, GS, TR, ... across VMRUN (VMSAVE/VMLOAD) */
};

struct svm_vm {
	struct pagetable npt;
	/* Bumped when nested entries lose their D bit, are split or are
	 * removed: a vCPU that last ran at an older one takes a fresh ASID
	 * (no stale TLB). */
	u64 tlb_gen;
};

struct svm_vcpu {
	struct vmcb *vmcb;
	u64 vmcb_pa;
	/* The ASID it has on CPU asid_cpu while that CPU's generation is
	 * asid_gen (percpu_tag); 0: none yet. */
	u32 asid, asid_cpu;
	u64 asid_gen;
	/* The vector offered through V_IRQ for this entry, or -1. */
	int irq_offered;
	u64 tlb_gen; /* the VM's tlb_gen when it last entered */
};

void svm_vmrun(u64 vmcb_pa, u64 host_vmcb_pa, u64 *gpr);
/* Fills v->exit_state (vm_exit.h) from the VMCB's state save area. */
void svm_snapshot(struct vcpu *v, const struct vmcb *vmcb);
void svm_translate_exit(struct vcpu *v, const struct vmcb *vmcb, struct vm_exit *exit);
/* After a failed VMRUN: the first consistency check (APM vol. 2 15.5.1)
 * the VMCB breaks, into *out (what = NULL if none does). svm_check_vmcb is
 * the pure part, against what the CPU implements; false if a check failed. */
struct svm_check_cpu {
	u32 phys_addr_bits;
	u64 efer_valid; /* EFER bits the CPU implements */
};
bool svm_check_vmcb(const struct vmcb *vmcb, const struct svm_check_cpu *cpu,
		    struct invalid_exit *out);
void svm_check_state(const struct vmcb *vmcb, struct invalid_exit *out);

static inline struct svm_vcpu *to_svm(struct vcpu *v)
{
	return v->arch;
}

#endif
