/* Why VMRUN refused the guest state: the canonicalization and consistency
 * checks of APM vol. 2 15.5.1 ("VMRUN"), run over the VMCB only after a
 * VMRUN failed (exit code VMEXIT_INVALID), so that the VM's stop reason
 * names the offending field. Decoding only: no policy, no state change. */
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/cpu_features.h>
#include "svm_priv.h"

#define CR0_NW         (1ULL << 29)
#define CR0_CD         (1ULL << 30)
/* CR4 bits AMD defines (APM vol. 2 3.1.3): 0-12, FSGSBASE (16), PCIDE (17),
 * OSXSAVE (18), SMEP (20), SMAP (21), PKE (22), CET (23). */
#define CR4_DEFINED    (0x1fffULL | (7ULL << 16) | (0xfULL << 20))
#define EFER_FFXSR     (1ULL << 14)
#define EFER_TCE       (1ULL << 15)
#define SEG_ATTR_L     (1U << 9)
#define SEG_ATTR_D     (1U << 10)
#define EVENTINJ_TYPE(x) (((x) >> EVENTINJ_TYPE_SHIFT) & 7)

static bool fail(struct invalid_exit *out, const char *what, u64 value)
{
	out->what = what;
	out->value = value;
	return false;
}

/* Illegal event injection (APM vol. 2 15.20, table 15-1): types 1 and 5-7
 * are reserved. */
static bool check_eventinj(const struct vmcb_control *c, struct invalid_exit *out)
{
	u64 inj = c->eventinj;
	u64 type = EVENTINJ_TYPE(inj);

	if ((inj & EVENTINJ_VALID) && (type == 1 || type > 4))
		return fail(out, "EVENTINJ reserved type, EVENTINJ", inj);
	return true;
}

bool svm_check_vmcb(const struct vmcb *vmcb, const struct svm_check_cpu *cpu,
		    struct invalid_exit *out)
{
	const struct vmcb_save *s = &vmcb->save;
	const struct vmcb_control *c = &vmcb->ctl;
	u64 long_mode = (s->efer & EFER_LME) && (s->cr0 & CR0_PG);
	u64 phys_mask = cpu->phys_addr_bits >= 64 ? 0 : ~0ULL << cpu->phys_addr_bits;

	*out = (struct invalid_exit){ 0, 0 };
	if (!(s->efer & EFER_SVME))
		return fail(out, "EFER.SVME clear, EFER", s->efer);
	if (!(s->cr0 & CR0_CD) && (s->cr0 & CR0_NW))
		return fail(out, "CR0.NW set without CR0.CD, CR0", s->cr0);
	if (s->cr0 >> 32)
		return fail(out, "CR0[63:32] not zero, CR0", s->cr0);
	if (long_mode && (s->cr3 & phys_mask))
		return fail(out, "CR3 bits above MAXPHYADDR (MBZ), CR3", s->cr3);
	if (s->cr4 & ~CR4_DEFINED)
		return fail(out, "CR4 reserved bits", s->cr4 & ~CR4_DEFINED);
	if (s->dr6 >> 32)
		return fail(out, "DR6[63:32] not zero, DR6", s->dr6);
	if (s->dr7 >> 32)
		return fail(out, "DR7[63:32] not zero, DR7", s->dr7);
	if (s->efer & ~cpu->efer_valid)
		return fail(out, "EFER reserved bits", s->efer & ~cpu->efer_valid);
	if (long_mode && !(s->cr4 & CR4_PAE))
		return fail(out, "EFER.LME and CR0.PG with CR4.PAE clear, CR4", s->cr4);
	if (long_mode && !(s->cr0 & CR0_PE))
		return fail(out, "EFER.LME and CR0.PG with CR0.PE clear, CR0", s->cr0);
	if (long_mode && (s->cr4 & CR4_PAE) && (s->cs.attrib & SEG_ATTR_L) &&
	    (s->cs.attrib & SEG_ATTR_D))
		return fail(out, "long mode with CS.L and CS.D both set, CS attributes", s->cs.attrib);
	if (!(c->intercept_misc2 & INTERCEPT_VMRUN))
		return fail(out, "VMRUN intercept clear, intercepts", c->intercept_misc2);
	if (c->asid == 0)
		return fail(out, "ASID 0", 0);
	if ((c->iopm_pa | c->msrpm_pa) & phys_mask)
		return fail(out, "IOPM or MSRPM above MAXPHYADDR, address", c->iopm_pa | c->msrpm_pa);
	return check_eventinj(c, out);
}

/* The EFER bits this CPU implements (APM vol. 2 3.1.7, CPUID 8000_0001h):
 * SCE, LME, LMA, NXE, SVME always (SVM runs), FFXSR and TCE where CPUID
 * offers them. LMSLE counts as reserved: family 17h and later lack it, and
 * QEMU's TCG fails VMRUN on it. */
static u64 host_efer_valid(void)
{
	struct cpuid_regs r = cpuid(0x80000001U, 0);

	return EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME |
	       ((r.edx & (1U << 25)) ? EFER_FFXSR : 0) | ((r.ecx & (1U << 17)) ? EFER_TCE : 0);
}

void svm_check_state(const struct vmcb *vmcb, struct invalid_exit *out)
{
	struct svm_check_cpu cpu = { boot_cpu.phys_addr_bits, host_efer_valid() };

	(void)svm_check_vmcb(vmcb, &cpu, out);
}
