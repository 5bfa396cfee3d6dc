/* The CPUID a guest sees: the host's, with what is not virtualized hidden
 * and the hypervisor announced (leaf 1 ECX[31], leaves 0x40000000+; the
 * convention Linux's hypervisor detection reads). */
#include <bulkhead/exit.h>
#include <bulkhead/string.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/xstate.h>

#define HV_LEAF_BASE 0x40000000U
#define HV_LEAF_MAX  0x40000001U

#define L1_EDX_MCE      (1U << 7)
#define L1_EDX_MCA      (1U << 14)
#define L1_ECX_MONITOR  (1U << 3)
#define L1_ECX_VMX      (1U << 5)
#define L1_ECX_X2APIC   (1U << 21)
#define L1_ECX_TSC_DL   (1U << 24)
#define L1_ECX_OSXSAVE  (1U << 27)
#define L1_ECX_HV       (1U << 31)
#define E1_ECX_SVM      (1U << 2)
#define E1_ECX_HIDDEN   (E1_ECX_SVM | (1U << 9) /* OSVW */ | (1U << 10) /* IBS */ | \
			 (1U << 12) /* SKINIT */ | (1U << 13) /* WDT */ | (1U << 15) /* LWP */ | \
			 (1U << 17) /* TCE */ | (1U << 19) /* NODEID_MSR */ | (1U << 22) /* TOPOEXT */ | \
			 (1U << 23) /* PERFCTR_CORE */ | (1U << 24) /* PERFCTR_NB */ | \
			 (1U << 28) /* PERFCTR_LLC */)
#define L7_EBX_MPX      (1U << 14)
#define L7_ECX_PKU      (1U << 3)
#define L7_ECX_OSPKE    (1U << 4)
#define L7_ECX_CET_SS   (1U << 7)
#define L7_EDX_HIDDEN   ((1U << 20) /* CET_IBT */ | (1U << 22) /* AMX_BF16 */ | \
			 (1U << 24) /* AMX_TILE */ | (1U << 25) /* AMX_INT8 */)
#define LD1_EAX_KEPT    ((1U << 0) /* XSAVEOPT */ | (1U << 1) /* XSAVEC */ | \
			 (1U << 2) /* XGETBV with ECX = 1 */)
#define E7_EDX_INVARIANT_TSC (1U << 8)
#define E8_EBX_KEPT     ((1U << 0) /* CLZERO */ | (1U << 2) /* XSAVEERPTR */)
/* EFER.LMSLE and EFER.TCE are not offered (msr.c gives #GP on them): say
 * so, as family 17h does (APM vol. 3 E.4.7, Fn8000_0008_EBX[20]). */
#define E8_EBX_LMSLE_UNSUPPORTED (1U << 20)

/* Leaf 0xD, the XSAVE feature set, as far as guests are offered it
 * (x86/xstate.c): the sizes follow the guest's own XCR0 (SDM vol. 2 CPUID,
 * vol. 1 13.2); XSAVES and the XSS (supervisor) components are hidden. */
/* Leaves 1, 7 and 0xD need the vCPU's state: kept out of line, so that the
 * common leaves do not pay for the calls (the CPUID exit benchmark). */
#define OUT_OF_LINE __attribute__((noinline))

static OUT_OF_LINE struct cpuid_regs leaf1(struct vcpu *v, struct cpuid_regs r)
{
	/* Machine checks are not virtualized: no MCE/MCA, so no MCG MSRs. */
	r.edx &= ~(L1_EDX_MCE | L1_EDX_MCA);
	r.ecx &= ~(L1_ECX_MONITOR | L1_ECX_VMX);
	/* The virtual local APIC has x2APIC mode and the TSC-deadline
	 * timer (hv/dev/vlapic.c), whatever the host offers. */
	r.ecx |= L1_ECX_HV | L1_ECX_X2APIC | L1_ECX_TSC_DL;
	/* OSXSAVE mirrors CR4.OSXSAVE: the guest's, not the host's. */
	r.ecx &= ~L1_ECX_OSXSAVE;
	if (vcpu_read_reg(v, X86_REG_CR4) & X86_CR4_OSXSAVE)
		r.ecx |= L1_ECX_OSXSAVE;
	/* APIC ID = vCPU id; the VM's vCPUs are the cores of one package:
	 * EBX[23:16] counts them, HTT says the count is valid (SDM vol. 2
	 * CPUID leaf 1; APM vol. 3 E.4.1, with CmpLegacy and NC below). */
	r.ebx = (r.ebx & 0x0000ffffU) | (v->vm->nr_vcpus << 16) | (v->id << 24);
	r.edx &= ~(1U << 28);
	if (v->vm->nr_vcpus > 1)
		r.edx |= 1U << 28;
	return r;
}

/* No PKU (PKRU is switched but not offered), no CET (its state is
 * XSS-managed), no MPX or AMX (XCR0 components not offered). OSPKE mirrors
 * the guest's CR4.PKE, as OSXSAVE does. */
static OUT_OF_LINE struct cpuid_regs leaf7(struct vcpu *v, struct cpuid_regs r)
{
	r.ebx &= ~L7_EBX_MPX;
	r.ecx &= ~(L7_ECX_PKU | L7_ECX_OSPKE | L7_ECX_CET_SS);
	if (vcpu_read_reg(v, X86_REG_CR4) & X86_CR4_PKE)
		r.ecx |= L7_ECX_OSPKE;
	r.edx &= ~L7_EDX_HIDDEN;
	return r;
}

static OUT_OF_LINE struct cpuid_regs xsave_leaf(struct vcpu *v, u32 sub, struct cpuid_regs r)
{
	u64 offered = xstate_offered();

	switch (sub) {
	case 0:
		return (struct cpuid_regs){
			.eax = (u32)offered,
			.ebx = xstate_size(xstate_xcr0(&v->xstate), false),
			.ecx = xstate_size(offered, false),
			.edx = (u32)(offered >> 32),
		};
	case 1:
		return (struct cpuid_regs){
			.eax = r.eax & LD1_EAX_KEPT,
			.ebx = xstate_size(xstate_xcr0(&v->xstate), true),
		};
	default:
		if (sub < 64 && (offered & (1ULL << sub)))
			return r; /* size, offset, alignment of an offered component */
		return (struct cpuid_regs){ 0, 0, 0, 0 };
	}
}

static struct cpuid_regs cpuid_policy(struct vcpu *v, u32 leaf, u32 sub)
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
		r = leaf1(v, r);
		break;
	case 7:
		if (sub == 0)
			r = leaf7(v, r);
		break;
	case 0xd:
		r = xsave_leaf(v, sub, r);
		break;
	case 6:    /* thermal and power management */
	case 0xa:  /* architectural performance monitoring */
		r = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	case 0x80000001U:
		r.ecx &= ~E1_ECX_HIDDEN;
		r.ecx &= ~(1U << 1); /* CmpLegacy: HTT counts cores, not threads */
		if (v->vm->nr_vcpus > 1)
			r.ecx |= 1U << 1;
		break;
	case 0x80000007U:
		/* The guest's TSC is the host's plus a fixed offset: it runs at
		 * a constant rate (APM vol. 3 E.4.7). */
		r.edx = E7_EDX_INVARIANT_TSC;
		break;
	case 0x80000008U:
		r.ebx = (r.ebx & E8_EBX_KEPT) | E8_EBX_LMSLE_UNSUPPORTED;
		/* NC: cores - 1; ApicIdSize 0: derive it from NC (APM vol. 3
		 * E.4.7). */
		r.ecx = v->vm->nr_vcpus - 1;
		break;
	case 0x8000000aU:  /* SVM */
	case 0x8000001eU:  /* extended topology (TOPOEXT hidden) */
	case 0x8000001fU:  /* memory encryption */
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
