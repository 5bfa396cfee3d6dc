/* After a VM entry failed on the guest state (exit reason 33, SDM vol. 3
 * 27.8): the guest-state fields (25.4) and the controls the checks of
 * 26.3.1 depend on, read from the current VMCS into vmx_check_guest, so
 * that the VM's stop reason names the first field the CPU refused. */
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/cpu_features.h>
#include "vmx_check.h"
#include "vmx_cpu.h"
#include "vmx_priv.h"

#define VMCS_GUEST_SYSENTER_ESP 0x6824U
#define VMCS_GUEST_SYSENTER_EIP 0x6826U

void vmx_check_vmcs(struct invalid_exit *out)
{
	struct vmx_guest_state g = {
		.cr0 = vmread(VMCS_GUEST_CR0),
		.cr3 = vmread(VMCS_GUEST_CR3),
		.cr4 = vmread(VMCS_GUEST_CR4),
		.dr7 = vmread(VMCS_GUEST_DR7),
		.debugctl = vmread(VMCS_GUEST_DEBUGCTL),
		.pat = vmread(VMCS_GUEST_PAT),
		.efer = vmread(VMCS_GUEST_EFER),
		.sysenter_esp = vmread(VMCS_GUEST_SYSENTER_ESP),
		.sysenter_eip = vmread(VMCS_GUEST_SYSENTER_EIP),
		.gdtr_base = vmread(VMCS_GUEST_GDTR_BASE),
		.idtr_base = vmread(VMCS_GUEST_IDTR_BASE),
		.gdtr_limit = (u32)vmread(VMCS_GUEST_GDTR_LIMIT),
		.idtr_limit = (u32)vmread(VMCS_GUEST_IDTR_LIMIT),
		.rip = vmread(VMCS_GUEST_RIP),
		.rflags = vmread(VMCS_GUEST_RFLAGS),
		.activity = (u32)vmread(VMCS_GUEST_ACTIVITY),
		.interruptibility = (u32)vmread(VMCS_GUEST_INTERRUPTIBILITY),
		.pending_dbg = vmread(VMCS_GUEST_PENDING_DBG),
		.link_pointer = vmread(VMCS_LINK_POINTER),
		.pin_ctls = (u32)vmread(VMCS_PIN_CTLS),
		.proc2_ctls = (u32)vmread(VMCS_PROC_CTLS2),
		.entry_ctls = (u32)vmread(VMCS_ENTRY_CTLS),
		.entry_intr_info = (u32)vmread(VMCS_ENTRY_INTR_INFO),
	};
	/* IA32_VMX_MISC bits 8:6 (A.6): HLT, shutdown, wait-for-SIPI. */
	struct vmx_check_cpu cpu = {
		vmx_cpu.cr0_fixed0, vmx_cpu.cr0_fixed1, vmx_cpu.cr4_fixed0, vmx_cpu.cr4_fixed1,
		boot_cpu.phys_addr_bits, boot_cpu.virt_addr_bits,
		EFER_SCE | EFER_LME | EFER_LMA | (boot_cpu.nx ? EFER_NXE : 0),
		(u32)(vmx_cpu.misc >> 6) & 7U,
	};
	struct invalid_exit found;

	for (unsigned i = 0; i < VSEG_COUNT; i++)
		g.seg[i] = (struct vmx_seg){
			.sel = (u16)vmread(VMCS_GUEST_ES_SEL + 2 * i),
			.base = vmread(VMCS_GUEST_ES_BASE + 2 * i),
			.limit = (u32)vmread(VMCS_GUEST_ES_LIMIT + 2 * i),
			.ar = (u32)vmread(VMCS_GUEST_ES_AR + 2 * i),
		};
	if (!vmx_check_guest(&g, &cpu, &found))
		*out = found;
}
