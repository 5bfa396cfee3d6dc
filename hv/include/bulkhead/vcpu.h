/* A virtual CPU in neutral form. General registers, RIP and RFLAGS live here
 * and are synchronised with the hardware state by the backend around each
 * entry; control registers, EFER, CPL and segments as they were at the last
 * exit are in exit_state, filled by the backend (vm_exit.h). */
#ifndef BULKHEAD_VCPU_H
#define BULKHEAD_VCPU_H

#include <bulkhead/types.h>
#include <bulkhead/x86/insn.h>
#include <bulkhead/x86/insn_emul.h>

struct vm;

enum vcpu_state {
	VCPU_RUNNABLE,
	VCPU_HALTED,  /* HLT: waits for an interrupt */
	VCPU_STOPPED, /* its VM stopped */
};

enum vcpu_event_type {
	VCPU_EVENT_EXTINT = 0,    /* external interrupt */
	VCPU_EVENT_NMI = 2,
	VCPU_EVENT_EXCEPTION = 3,
	VCPU_EVENT_SOFTINT = 4,
};

struct vcpu_event {
	bool pending;
	u8 type;  /* enum vcpu_event_type */
	u8 vector;
	bool has_error;
	u32 error;
	u64 cr2;  /* #PF: CR2; #DB: the DR6 bits it sets (DR6.BS) */
};

/* The interrupt controller feeding this vCPU (the virtual local APIC). */
struct vcpu_irq_ops {
	/* Highest deliverable vector, or -1. */
	int (*pending)(void *dev);
	/* The vector is being delivered: IRR -> ISR. */
	void (*accept)(void *dev, u8 vector);
	/* Earliest TSC at which a timer of this device fires, or ~0. */
	u64 (*next_deadline)(void *dev);
	/* Called with the current TSC: run expired timers. */
	void (*poll)(void *dev, u64 now);
	/* The controller's MSRs (APIC base, x2APIC, TSC deadline); false if
	 * index is not one of them or the access must #GP. */
	bool (*msr)(void *dev, u32 index, bool write, u64 *val, u64 tsc_offset);
};

struct vcpu {
	struct vm *vm;
	u32 id;
	enum vcpu_state state;
	u64 gpr[16];  /* enum x86_reg order: RAX .. R15 */
	u64 rip;
	u64 rflags;
	struct vcpu_event event; /* exception to inject at the next entry */
	const struct vcpu_irq_ops *irq_ops;
	void *irq_dev;
	struct x86_cpu_state exit_state; /* at the last exit, by the backend */
	void *arch;   /* backend state (the VMCB for SVM) */
	u64 tsc_offset;
	u64 msr_mtrr_def_type; /* MSRs kept by the core */
	u64 tsc_aux;           /* IA32_TSC_AUX, loaded into the CPU for RDTSCP */
};

/* Queues an exception for the next entry (a second one replaces it only if
 * it is a #DF, keeping the logic of SDM vol. 3 table 6-5 out of scope). */
void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error);
void vcpu_inject_page_fault(struct vcpu *v, u32 error, u64 cr2);

/* GPRs, RIP and RFLAGS live; CRs, EFER, CPL and segments from exit_state. */
u64 vcpu_read_reg(struct vcpu *v, enum x86_reg reg);
void vcpu_write_reg(struct vcpu *v, enum x86_reg reg, u64 val);
void vcpu_read_seg(struct vcpu *v, enum x86_seg seg, struct x86_segment *out);

/* The instruction emulator's view of this vCPU (GPRs, RIP and RFLAGS
 * through the accessors above, control state from exit_state, memory
 * through the VM's RAM and MMIO bus). */
void vcpu_emul_init(struct vcpu *v, struct x86_emul *em);
/* Moves RIP past the instruction of this exit, decoding it when the
 * hardware did not tell its length, and raises the single-step trap if the
 * guest has TF set (vcpu_single_step); false if the VM was stopped or a
 * fault was queued instead. */
bool vcpu_skip_insn(struct vcpu *v, u8 inst_len);
/* The hypervisor completed an instruction, or one iteration of a REP
 * string instruction, for the guest: with RFLAGS.TF set at its start this
 * queues the #DB trap that follows it, DR6.BS set (SDM vol. 3 17.3.1.4,
 * APM vol. 2 13.1). None of the instructions the hypervisor carries
 * out changes TF. The STI / MOV SS interrupt shadow, which holds the trap
 * back by one instruction, is not modelled. */
void vcpu_single_step(struct vcpu *v);
/* Acts on an MMIO emulation result (inject a fault, or stop the VM; the
 * single-step trap after an instruction that completed); true if the guest
 * can go on. */
bool vcpu_emul_done(struct vcpu *v, enum x86_emul_result r, const struct x86_fault *f);
/* Runs expired timers and picks the interrupt to deliver at the next entry. */
void vcpu_prepare_entry(struct vcpu *v);
bool vcpu_irq_pending(struct vcpu *v);

#endif
