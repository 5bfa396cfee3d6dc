/* The VMX execution, exit and entry controls, adjusted to what the CPU
 * allows (SDM vol. 3 A.3-A.5): a control the CPU forces to 1 (allowed-0
 * bit set, low half of the capability MSR) is set, one the backend needs
 * but the CPU cannot set (allowed-1 bit clear, high half) is an error. */
#include <bulkhead/x86/cpu.h>
#include "vmx_cpu.h"
#include "vmcs.h"

#define MSR_VMX_PINBASED       0x481U
#define MSR_VMX_PROCBASED      0x482U
#define MSR_VMX_EXIT           0x483U
#define MSR_VMX_ENTRY          0x484U
#define MSR_VMX_PROCBASED2     0x48bU
#define MSR_VMX_TRUE_PINBASED  0x48dU
#define MSR_VMX_TRUE_PROCBASED 0x48eU
#define MSR_VMX_TRUE_EXIT      0x48fU
#define MSR_VMX_TRUE_ENTRY     0x490U

static bool adjust(u32 msr, u32 need, u32 want, u32 *out, const char *what, const char **err)
{
	u64 cap = rdmsr(msr);
	u32 allowed0 = (u32)cap, allowed1 = (u32)(cap >> 32);

	if (need & ~allowed1) {
		*err = what;
		return false;
	}
	*out = (need | (want & allowed1) | allowed0) & allowed1;
	return true;
}

bool vmx_controls_init(const char **err)
{
	bool t = vmx_cpu.true_ctls;

	/* 25.6.1: physical interrupts and NMIs exit; virtual NMIs give the
	 * NMI-window exit after the guest's IRET; the VMX-preemption timer,
	 * where the CPU has it, bounds each entry to one host tick (26.7.4,
	 * vmx_vcpu.c). */
	if (!adjust(t ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED,
		    PIN_EXT_INTR_EXIT | PIN_NMI_EXIT | PIN_VIRTUAL_NMIS, PIN_PREEMPT_TIMER, &vmx_cpu.pin,
		    "vmx: no external-interrupt exiting or virtual NMIs", err))
		return false;
	/* 25.6.2: the SVM backend's intercepts (HLT, RDPMC, I/O, MSRs,
	 * MONITOR/MWAIT), TSC offsetting, the secondary controls, and the TPR
	 * shadow: the guest's CR8 is virtual (29.3), as V_TPR makes it on SVM,
	 * never the host's TPR. */
	if (!adjust(t ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED,
		    PROC_HLT_EXIT | PROC_TSC_OFFSET | PROC_RDPMC_EXIT | PROC_IO_BITMAPS |
			    PROC_MSR_BITMAPS | PROC_MWAIT_EXIT | PROC_MONITOR_EXIT |
			    PROC_SECONDARY | PROC_NMI_WINDOW | PROC_INTR_WINDOW | PROC_TPR_SHADOW,
		    0, &vmx_cpu.proc, "vmx: a needed processor-based control is missing", err))
		return false;
	vmx_cpu.proc &= ~(PROC_NMI_WINDOW | PROC_INTR_WINDOW); /* on demand only */
	/* RDTSCP (and RDPID) and INVPCID raise #UD in the guest unless their
	 * enable control is set (25.6.2, table 25-7), while CPUID offers them
	 * as the CPU has them: enabled where the CPU allows. */
	if (!adjust(MSR_VMX_PROCBASED2, PROC2_EPT | PROC2_UNRESTRICTED,
		    PROC2_RDTSCP | PROC2_INVPCID | (vmx_cpu.use_vpid ? PROC2_VPID : 0), &vmx_cpu.proc2,
		    "vmx: no EPT or unrestricted guest", err))
		return false;
	/* 25.7.1: 64-bit host; EFER and PAT switched through the VMCS. */
	if (!adjust(t ? MSR_VMX_TRUE_EXIT : MSR_VMX_EXIT,
		    EXIT_HOST_64 | EXIT_SAVE_PAT | EXIT_LOAD_PAT | EXIT_SAVE_EFER | EXIT_LOAD_EFER,
		    0, &vmx_cpu.exit, "vmx: no 64-bit host or EFER/PAT exit controls", err))
		return false;
	/* 25.8.1: IA-32e mode guest is set per entry from the guest's EFER.LMA. */
	if (!adjust(t ? MSR_VMX_TRUE_ENTRY : MSR_VMX_ENTRY, ENTRY_LOAD_PAT | ENTRY_LOAD_EFER,
		    ENTRY_IA32E_GUEST, &vmx_cpu.entry, "vmx: no EFER/PAT entry controls", err))
		return false;
	vmx_cpu.entry &= ~ENTRY_IA32E_GUEST;
	return true;
}
