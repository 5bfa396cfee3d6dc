/* State private to the VMX backend (Intel SDM vol. 3 chapters 24-30). */
#ifndef BULKHEAD_VMX_PRIV_H
#define BULKHEAD_VMX_PRIV_H

#include <bulkhead/pagetable.h>
#include <bulkhead/vm.h>
#include "vmcs.h"

struct vmx_vm {
	struct pagetable ept;
	u16 vpid; /* 1..VM_MAX; 0 is the host's (28.1) */
};

struct vmx_vcpu {
	u64 vmcs_pa;
	bool launched;   /* VMLAUNCH done since the last VMCLEAR: VMRESUME next */
	bool flush_tlb;  /* INVVPID this VPID's entries before the next entry */
	/* A software interrupt or exception whose delivery an exit cut short
	 * (IDT-vectoring type 4-6) needs its own type and instruction length
	 * again when the core re-injects it (25.8.3). */
	u32 requeued_info;
	u32 requeued_len;
};

/* What VMREAD gives after an exit (25.9): the input of the pure
 * translation in vmx_exit.c. */
struct vmx_exit_raw {
	u32 reason;
	u64 qual;
	u64 gpa;        /* guest-physical address (EPT violation) */
	u32 intr_info;  /* VM-exit interruption information */
	u32 intr_error;
	u32 insn_len;
	u32 insn_info;  /* VM-exit instruction information (INS/OUTS) */
	bool insn_info_io; /* IA32_VMX_BASIC[54]: INS/OUTS fill insn_info */
};

/* void vmx_run(u64 *gpr, bool launched): 0 after a VM exit, else the
 * VMLAUNCH/VMRESUME failure (1: VMfailInvalid, 2: VMfailValid). */
int vmx_run(u64 *gpr, bool launched);

/* Decoding only: raw exit -> neutral record; reads RCX/RDX/RAX (MSR
 * exits) and RIP from v. */
void vmx_translate_exit(const struct vcpu *v, const struct vmx_exit_raw *raw,
			struct vm_exit *e);
/* Fills v->exit_state (vm_exit.h) from the current VMCS. */
void vmx_snapshot(struct vcpu *v);
/* A CR-access exit for a host-owned CR0/CR4 bit (vmx_cr.c), completed or
 * turned into #GP(0); false if it is not one the backend handles. */
bool vmx_cr_access(struct vcpu *v, u64 qual, u32 insn_len);
/* The VM-instruction error number in words (30.4), for EXIT_INVALID. */
const char *vmx_insn_error_name(u32 number);

static inline struct vmx_vcpu *to_vmx(struct vcpu *v)
{
	return v->arch;
}

static inline u64 vmread(u32 field)
{
	u64 val;

	__asm__ volatile("vmread %1, %0" : "=rm"(val) : "r"((u64)field) : "cc");
	return val;
}

static inline void vmwrite(u32 field, u64 val)
{
	__asm__ volatile("vmwrite %1, %0" ::"r"((u64)field), "rm"(val) : "cc");
}

#endif
