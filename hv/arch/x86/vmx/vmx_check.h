/* Why a VM entry refused the guest state (exit reason 33, SDM vol. 3
 * 27.8): the checks of 26.3.1 over a copy of the guest-state fields and
 * the controls they depend on. vmx_check_guest is pure (unit-tested);
 * vmx_check_vmcs reads the current VMCS and runs it. */
#ifndef BULKHEAD_VMX_CHECK_H
#define BULKHEAD_VMX_CHECK_H

#include <bulkhead/vm_exit.h>

/* Guest segment registers in VMCS order (B.1.2): ES, CS, SS, DS, FS, GS,
 * LDTR, TR. */
enum { VSEG_ES, VSEG_CS, VSEG_SS, VSEG_DS, VSEG_FS, VSEG_GS, VSEG_LDTR, VSEG_TR, VSEG_COUNT };

struct vmx_seg {
	u16 sel;
	u64 base;
	u32 limit;
	u32 ar; /* access rights (25.4.1) */
};

struct vmx_guest_state {
	u64 cr0, cr3, cr4, dr7, debugctl, pat, efer;
	u64 sysenter_esp, sysenter_eip;
	struct vmx_seg seg[VSEG_COUNT];
	u64 gdtr_base, idtr_base;
	u32 gdtr_limit, idtr_limit;
	u64 rip, rflags;
	u32 activity, interruptibility;
	u64 pending_dbg, link_pointer;
	/* the controls the checks depend on (25.6-25.8) */
	u32 pin_ctls, proc2_ctls, entry_ctls;
	u32 entry_intr_info; /* VM-entry interruption information (25.8.3) */
};

/* What the CPU allows: the CR0/CR4 fixed bits (A.7, A.8), the widths,
 * the EFER bits it has, and the activity states of IA32_VMX_MISC[8:6]
 * (A.6; bit 0: HLT, 1: shutdown, 2: wait-for-SIPI). */
struct vmx_check_cpu {
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u32 phys_addr_bits, virt_addr_bits;
	u64 efer_valid;
	u32 activity_states;
};

/* The first check of 26.3.1 the state fails, in *out (what = NULL and
 * true if none does). The text names the field; value is its content. */
bool vmx_check_guest(const struct vmx_guest_state *g, const struct vmx_check_cpu *cpu,
		     struct invalid_exit *out);
/* Reads the current VMCS and runs vmx_check_guest; leaves *out alone when
 * no check fails, so the caller's description stays. */
void vmx_check_vmcs(struct invalid_exit *out);

#endif
