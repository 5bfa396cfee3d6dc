/* MOV to CR0/CR4 that changes a bit the host owns (CR0.NE and CR4.VMXE:
 * fixed to 1 in VMX operation, A.7-A.8, shadowed for the guest): a
 * CR-access exit (SDM vol. 3 27.1.3, qualification table 27-3) for an
 * instruction the guest may run. The backend completes it as the CPU
 * would have: the guest's value in the read shadow, the value with the
 * fixed bits in the guest field, EFER.LMA and the IA-32e mode guest control
 * when paging turns on or off with EFER.LME (SDM vol. 3 10.8.5), #GP(0)
 * for a value the CPU refuses (SDM vol. 2 MOV to CR). */
#include <bulkhead/vcpu.h>
#include <bulkhead/x86/cpu.h>
#include "vmx_cpu.h"
#include "vmx_priv.h"

#define CR_QUAL_NR(q)     ((unsigned)((q) & 15))
#define CR_QUAL_TYPE(q)   ((unsigned)(((q) >> 4) & 3)) /* 0: MOV to CR */
#define CR_QUAL_REG(q)    ((unsigned)(((q) >> 8) & 15))
#define CR0_NW            (1ULL << 29)
#define CR0_CD            (1ULL << 30)
#define CR4_VMXE          (1ULL << 13)

static bool set_cr0(u64 val)
{
	u64 efer = vmread(VMCS_GUEST_EFER), cr4 = vmread(VMCS_CR4_SHADOW);
	u64 old = vmread(VMCS_CR0_SHADOW), entry = vmread(VMCS_ENTRY_CTLS);

	if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) ||
	    ((val & CR0_NW) && !(val & CR0_CD)) || (val & ~vmx_cpu.cr0_fixed1))
		return false;
	if ((val & CR0_PG) && !(old & CR0_PG) && (efer & EFER_LME)) {
		if (!(cr4 & CR4_PAE))
			return false;
		efer |= EFER_LMA;
	} else if (!(val & CR0_PG) && (old & CR0_PG)) {
		efer &= ~EFER_LMA;
	}
	vmwrite(VMCS_CR0_SHADOW, val);
	vmwrite(VMCS_GUEST_CR0, val | (vmx_cpu.cr0_fixed0 & ~(CR0_PE | CR0_PG)));
	vmwrite(VMCS_GUEST_EFER, efer);
	entry &= ~(u64)ENTRY_IA32E_GUEST;
	vmwrite(VMCS_ENTRY_CTLS, entry | ((efer & EFER_LMA) ? ENTRY_IA32E_GUEST : 0));
	return true;
}

/* CR4.VMXE is refused: VMX is not offered to guests. */
static bool set_cr4(u64 val)
{
	if ((val & CR4_VMXE) || (val & ~vmx_cpu.cr4_fixed1) ||
	    ((vmread(VMCS_GUEST_EFER) & EFER_LMA) && !(val & CR4_PAE)))
		return false;
	vmwrite(VMCS_CR4_SHADOW, val);
	vmwrite(VMCS_GUEST_CR4, val | vmx_cpu.cr4_fixed0);
	return true;
}

bool vmx_cr_access(struct vcpu *v, u64 qual, u32 insn_len)
{
	u64 val = v->gpr[CR_QUAL_REG(qual)];
	bool ok;

	if (CR_QUAL_TYPE(qual) != 0 || insn_len < 1 || insn_len > 15)
		return false;
	if (CR_QUAL_NR(qual) == 0)
		ok = set_cr0(val);
	else if (CR_QUAL_NR(qual) == 4)
		ok = set_cr4(val);
	else
		return false;
	if (!ok) {
		vmwrite(VMCS_ENTRY_EXC_ERROR, 0);
		vmwrite(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_INFO_ERR_VALID | (3U << 8) | 13);
		return true;
	}
	v->rip += insn_len;
	vmx_invvpid_all(); /* paging state changed (SDM vol. 3 4.10.4.1) */
	return true;
}
