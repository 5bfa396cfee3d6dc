/* The per-CPU area: what each physical CPU owns (its stacks, the vCPU it
 * runs, what its registers hold, the backend's host state, its timer).
 * Each CPU finds its own through GS base, which points at the area; the
 * first field points at itself so that one load reads it (Linux's
 * this_cpu_ptr, Xen's get_cpu_info). SVM's VMLOAD/VMSAVE swap GS base
 * around VMRUN with GIF clear, so no C code ever sees the guest's. */
#ifndef BULKHEAD_PERCPU_H
#define BULKHEAD_PERCPU_H

#include <bulkhead/layout.h>
#include <bulkhead/types.h>
#include <bulkhead/x86/xstate.h>

struct vcpu;

struct cpu {
	struct cpu *self;     /* %gs:0 */
	u32 index;            /* in cpus[]; 0 is the boot CPU */
	u32 apic_id;
	bool online;
	struct vcpu *vcpu;    /* the vCPU this CPU is running (NULL between) */
	volatile bool idle;   /* halted in the scheduler, waiting for work */
	volatile bool resched; /* end the slice: the focused VM wants the CPU */
	struct xstate_cpu xstate; /* whose x87/SSE/AVX state the registers hold */
	u64 tsc_aux;          /* what IA32_TSC_AUX holds */
	u64 timer_deadline;   /* what its one-shot timer is armed for (~0: off) */
	void *vmm;            /* the backend's host state for this CPU */
	/* ASIDs (SVM) or VPIDs (VMX) are handed out per CPU: a vCPU holds one
	 * only while its generation is the CPU's; when they run out the CPU
	 * starts a new generation and flushes every tag (as KVM does). */
	u32 asid_next;
	u64 asid_gen;
};

extern struct cpu cpus[HV_MAX_CPUS];
extern unsigned nr_cpus_online;

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	__asm__("mov %%gs:0, %0" : "=r"(c));
	return c;
}

/* Makes c this CPU's area (GS base); before any this_cpu(). */
void percpu_init_this(struct cpu *c, u32 index, u32 apic_id);

/* A tag (ASID/VPID) for a vCPU about to run on this CPU: *tag and *gen
 * are the vCPU's; they are kept when still valid here (last_cpu is this
 * CPU and the generation current), else a new tag is taken. Returns true
 * when the caller must flush every tag on this CPU (a new generation). */
bool percpu_tag(u32 *tag, u64 *gen, u32 *last_cpu, u32 nr_tags);

#endif
