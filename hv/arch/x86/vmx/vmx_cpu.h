/* What the VMX backend knows of the CPUs (the same on each), what it keeps
 * per physical CPU, and the vCPU operations of vmx_vcpu.c. */
#ifndef BULKHEAD_VMX_CPU_H
#define BULKHEAD_VMX_CPU_H

#include <bulkhead/vmm.h>

struct vmx_cpu {
	u32 revision;        /* VMCS revision identifier (IA32_VMX_BASIC, A.1) */
	bool true_ctls;      /* IA32_VMX_TRUE_*_CTLS exist (A.2) */
	bool io_insn_info;   /* INS/OUTS fill the instruction information (A.1) */
	bool use_vpid;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1; /* A.7, A.8 */
	u64 misc;            /* IA32_VMX_MISC (A.6) */
	u32 pin, proc, proc2, exit, entry; /* controls as adjusted (vmx_ctls.c) */
	u64 io_bitmaps;      /* two pages: ports 0-7FFFh, 8000h-FFFFh */
	u64 msr_bitmap;
};

extern struct vmx_cpu vmx_cpu;

/* Per physical CPU, through this_cpu()->vmm. */
struct vmx_percpu {
	u64 vmxon;           /* the VMXON region (24.11.5) */
	u64 current_vmcs;    /* the VMCS VMPTRLD made current here; 0: none */
};

/* The controls the backend needs, checked against the allowed-0 and
 * allowed-1 settings (A.3-A.5); names the first one missing. */
bool vmx_controls_init(const char **err);
void vmx_invvpid_all(void);

bool vmx_vcpu_init(struct vcpu *v, const char **err);
void vmx_vcpu_destroy(struct vcpu *v);
void vmx_vcpu_reset(struct vcpu *v);
void vmx_vcpu_set_state(struct vcpu *v, const struct vcpu_init_state *s);
void vmx_vcpu_run(struct vcpu *v, struct vm_exit *exit);
void vmx_vcpu_put(struct vcpu *v);
bool vmx_vcpu_msr(struct vcpu *v, u32 index, bool write, u64 *val);
bool vmx_vcpu_irq_window_open(struct vcpu *v);
void vmx_vcpu_want_irq_window(struct vcpu *v, bool on);
void vmx_vcpu_inject(struct vcpu *v, const struct vcpu_event *e);
bool vmx_vcpu_nmi_window_open(struct vcpu *v);
void vmx_vcpu_intercept_iret(struct vcpu *v, bool on);
void vmx_vcpu_set_tsc_offset(struct vcpu *v, u64 offset);

#endif
