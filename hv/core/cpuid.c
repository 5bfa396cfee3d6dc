/* The CPUID a guest sees: the host's, with what is not virtualized hidden
 * and the hypervisor announced (leaf 1 ECX[31], leaves 0x40000000+; the
 * convention Linux's hypervisor detection reads). */
#include <bulkhead/exit.h>
#include <bulkhead/string.h>
#include <bulkhead/x86/cpu.h>

#define HV_LEAF_BASE 0x40000000U
#define HV_LEAF_MAX  0x40000001U

#define L1_ECX_MONITOR  (1U << 3)
#define L1_ECX_VMX      (1U << 5)
#define L1_ECX_X2APIC   (1U << 21)
#define L1_ECX_TSC_DL   (1U << 24)
#define L1_ECX_HV       (1U << 31)
#define E1_ECX_SVM      (1U << 2)

static struct cpuid_regs cpuid_policy(const struct vcpu *v, u32 leaf, u32 sub)
{
	struct cpuid_regs r = { 0, 0, 0, 0 };

	if (leaf >= HV_LEAF_BASE && leaf < 0x50000000U) {
		if (leaf == HV_LEAF_BASE) {
			r.eax = HV_LEAF_MAX;
			memcpy(&r.ebx, "Bulk", 4);
			memcpy(&r.ecx, "head", 4);
			memcpy(&r.edx, "HV\0\0", 4);
		}
		return r;
	}
	r = cpuid(leaf, sub);
	switch (leaf) {
	case 1:
		r.ecx &= ~(L1_ECX_MONITOR | L1_ECX_VMX | L1_ECX_X2APIC | L1_ECX_TSC_DL);
		r.ecx |= L1_ECX_HV;
		r.ebx = (r.ebx & 0x00ffffffU) | (v->id << 24);
		break;
	case 0x80000001U:
		r.ecx &= ~E1_ECX_SVM;
		break;
	case 0x8000000aU:
		r = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	}
	return r;
}

void exit_handle_cpuid(struct vcpu *v, const struct vm_exit *e)
{
	struct cpuid_regs r = cpuid_policy(v, (u32)v->gpr[X86_REG_RAX], (u32)v->gpr[X86_REG_RCX]);

	if (!vcpu_skip_insn(v, e->inst_len))
		return;
	v->gpr[X86_REG_RAX] = r.eax;
	v->gpr[X86_REG_RBX] = r.ebx;
	v->gpr[X86_REG_RCX] = r.ecx;
	v->gpr[X86_REG_RDX] = r.edx;
}
