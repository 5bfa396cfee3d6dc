/* A virtual CPU in neutral form. General registers, RIP and RFLAGS live here
 * and are synchronised with the hardware state by the backend around each
 * entry; control registers, EFER, CPL and segments as they were at the last
 * exit are in exit_state, filled by the backend (vm_exit.h).
 * Pending events (exceptions, NMIs) are the core's. */
#ifndef BULKHEAD_VCPU_H
#define BULKHEAD_VCPU_H

#include <bulkhead/types.h>
#include <bulkhead/x86/insn.h>
#include <bulkhead/x86/insn_emul.h>
#include <bulkhead/x86/xstate.h>

struct vm;
struct cpu;

enum vcpu_state {
	VCPU_RUNNABLE,
	VCPU_HALTED,  /* HLT: waits for an interrupt */
	VCPU_STOPPED, /* its VM stopped */
	VCPU_WAIT_SIPI, /* after power-on or INIT, until a start-up IPI */
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
	/* The vector is offered to the CPU for one entry: it leaves IRR, so
	 * an edge raised meanwhile sets IRR again; offer_end puts it in ISR
	 * if the guest took it, back in IRR if not. */
	void (*offer)(void *dev, u8 vector);
	void (*offer_end)(void *dev, u8 vector, bool taken);
	/* Earliest TSC at which a timer of this device fires, or ~0. */
	u64 (*next_deadline)(void *dev);
	/* Called with the current TSC: run expired timers. */
	void (*poll)(void *dev, u64 now);
	/* INIT reached the vCPU: the controller as at power-on. */
	void (*init)(void *dev);
	/* The controller's MSRs (APIC base, x2APIC, TSC deadline); false if
	 * index is not one of them or the access must #GP. */
	bool (*msr)(void *dev, u32 index, bool write, u64 *val, u64 tsc_offset);
};

struct vcpu {
	struct vm *vm;
	u32 id;
	enum vcpu_state state;
	struct cpu *on_cpu; /* the CPU running it now; NULL: none */
	bool init_pending, sipi_pending; /* taken by vcpu_startup */
	u8 sipi_vector;
	u64 gpr[16];  /* enum x86_reg order: RAX .. R15 */
	u64 rip;
	u64 rflags;
	/* The event to inject at the next entry: an exception the core raised,
	 * merged with any the backend re-queued (an event whose delivery an
	 * exit cut short, APM vol. 2 15.7.2) per SDM vol. 3 table 6-5. */
	struct vcpu_event event;
	/* NMIs (SDM vol. 3 6.7.1): one may wait while the last one's handler
	 * runs; NMIs are blocked from injection until the guest's IRET, which
	 * the backend intercepts. The IRET exit comes before the instruction
	 * runs, so blocking ends when, at a later exit, RIP is elsewhere. */
	bool nmi_pending;
	bool nmi_blocked;
	bool nmi_iret_seen;
	u64 nmi_iret_rip;
	/* Set by the backend at the exit after an entry that offered an
	 * interrupt (vmm_ops.vcpu_offer_irq): whether the guest took it;
	 * exit_dispatch settles it with the interrupt controller. */
	bool irq_offer_ended;
	bool irq_offer_taken;
	u8 irq_offer_vector;
	const struct vcpu_irq_ops *irq_ops;
	void *irq_dev;
	struct x86_cpu_state exit_state; /* at the last exit, by the backend */
	void *arch;   /* backend state (the VMCB for SVM) */
	u64 tsc_offset;
	u64 msr_mtrr_def_type; /* MSRs kept by the core */
	u64 tsc_aux;           /* IA32_TSC_AUX, loaded into the CPU for RDTSCP */
	u64 msr_misc_enable;   /* IA32_MISC_ENABLE */
	u64 perf_ctl[4], perf_ctr[4]; /* legacy PMU MSRs C001_0000h-C001_0007h */
	struct vcpu_xstate xstate; /* x87/SSE/AVX, XCR0, DR0-DR3 (x86/xstate.h) */
};

/* The MSRs the core keeps, at their power-on values. */
void msr_vcpu_reset(struct vcpu *v);

/* Queues an exception for the next entry. If an exception is queued
 * already (one whose delivery an exit cut short), the two combine as SDM
 * vol. 3 table 6-5 says: contributory after contributory, or #PF or
 * contributory after #PF, give #DF; #PF or contributory after #DF is a
 * triple fault, which stops the VM (shutdown); otherwise the new one is
 * delivered. */
void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error);
void vcpu_inject_page_fault(struct vcpu *v, u32 error, u64 cr2);
/* An NMI for this vCPU (an NMI IPI): it waits until NMIs are unblocked; a
 * second one while one waits is lost, as on hardware (SDM vol. 3 6.7.1). */
void vcpu_raise_nmi(struct vcpu *v);
/* An NMI, INIT or SIPI (enum apic_mode) reached this vCPU's local APIC. */
void vcpu_apic_signal(struct vcpu *v, u8 mode, u8 vector);
/* The vCPU as at power-on (registers, events, MSRs, backend state),
 * waiting for a SIPI. */
void vcpu_power_on(struct vcpu *v);
/* Carries out a pending INIT, then a pending SIPI (real-mode start at
 * the vector's page). Only for a vCPU that is on no CPU. */
void vcpu_startup(struct vcpu *v);
/* The backend saw the guest's IRET while NMIs were blocked (exit handler). */
void vcpu_nmi_iret(struct vcpu *v, u64 rip);

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
/* Picks the event to deliver at the next entry: a queued exception first,
 * then an NMI, then the highest pending interrupt: offered to the CPU
 * where the backend can (vcpu_offer_irq), else injected if the guest can
 * take it (else asks for an exit when it can). Timers run in the
 * scheduler. */
void vcpu_prepare_entry(struct vcpu *v);
/* An interrupt or an unblocked NMI waits: wakes a halted vCPU. */
bool vcpu_irq_pending(struct vcpu *v);
/* The entry that offered vec (vmm_ops.vcpu_offer_irq) is over: taken, the
 * vector goes to ISR, else back to IRR. Under hv_lock, like every change
 * of the vLAPIC, which other CPUs raise interrupts in. */
void vcpu_irq_offer_end(struct vcpu *v, u8 vec, bool taken);

#endif
