/* Translation of SVM exits into the neutral struct vm_exit. Decoding only:
 * no policy here (APM vol. 2 15.9-15.13, appendix C). */
#include <bulkhead/string.h>
#include <bulkhead/x86/cpu_features.h>
#include "svm_priv.h"

/* IOIO exit info 1, APM 15.10.2; EXITINFO2 holds the next RIP. The size
 * and address-size fields are one-hot bits whose values are the widths
 * themselves: SZ8/16/32 = 1/2/4 bytes, A16/32/64 = 1/2/4 x 2 bytes (none
 * set, as QEMU gives for IN/OUT: 0, not known). Any other pattern is not an
 * IOIO exit we understand. */
static void decode_ioio(const struct vmcb *vmcb, struct vm_exit *e)
{
	u64 info = vmcb->ctl.exitinfo1;
	u8 size = (u8)((info >> IOIO_SZ_SHIFT) & 7);
	u8 asz = (u8)((info >> IOIO_A_SHIFT) & 7);

	if ((size != 1 && size != 2 && size != 4) || asz == 3 || asz > 4)
		return; /* EXIT_UNKNOWN */
	e->code = EXIT_IO;
	e->u.io.port = (u16)(info >> IOIO_PORT_SHIFT);
	e->u.io.size = size;
	e->u.io.in = info & IOIO_TYPE_IN;
	e->u.io.string = info & IOIO_STR;
	e->u.io.rep = info & IOIO_REP;
	e->u.io.addr_size = (u8)(asz * 2);
	e->u.io.seg = (u8)((info >> IOIO_SEG_SHIFT) & 7);
	if (vmcb->ctl.exitinfo2 > vmcb->save.rip && vmcb->ctl.exitinfo2 - vmcb->save.rip <= 15)
		e->inst_len = (u8)(vmcb->ctl.exitinfo2 - vmcb->save.rip);
}

/* Nested page fault, APM 15.25.6: EXITINFO1 = error code, EXITINFO2 = GPA. */
static void decode_npf(const struct vmcb *vmcb, struct vm_exit *e)
{
	e->code = EXIT_MMIO;
	e->u.mmio = (struct mmio_exit){
		.gpa = vmcb->ctl.exitinfo2,
		.write = vmcb->ctl.exitinfo1 & NPF_WRITE,
		.fetch = vmcb->ctl.exitinfo1 & NPF_FETCH,
	};
}

/* With NRIP save the CPU gives the next RIP for intercepted instructions
 * (APM 15.7.1), which spares the decoder's fetch. QEMU's TCG lacks it. */
static void nrip_length(const struct vmcb *vmcb, struct vm_exit *e)
{
	u64 next = vmcb->ctl.nrip;

	if (boot_cpu.nrip_save && next > vmcb->save.rip && next - vmcb->save.rip <= 15)
		e->inst_len = (u8)(next - vmcb->save.rip);
}

/* A VMCB segment (selector, attributes, limit, base: APM vol. 2 appendix B)
 * has the layout of struct x86_seg_state and its attribute word the same
 * packing (APM vol. 2 15.5.1): copied whole, two words per exit and
 * segment. */
_Static_assert(sizeof(struct vmcb_seg) == sizeof(struct x86_seg_state) &&
		       __builtin_offsetof(struct vmcb_seg, attrib) ==
			       __builtin_offsetof(struct x86_seg_state, attr) &&
		       __builtin_offsetof(struct vmcb_seg, limit) ==
			       __builtin_offsetof(struct x86_seg_state, limit) &&
		       __builtin_offsetof(struct vmcb_seg, base) ==
			       __builtin_offsetof(struct x86_seg_state, base),
	       "VMCB segment layout");

static inline void seg_get(const struct vmcb_seg *g, struct x86_seg_state *out)
{
	memcpy(out, g, sizeof(*out));
}

/* The neutral snapshot of vm_exit.h, from the VMCB state save area
 * (APM vol. 2 appendix B, table B-2). EFER.SVME is ours, not the guest's. */
void svm_snapshot(struct vcpu *v, const struct vmcb *vmcb)
{
	const struct vmcb_save *s = &vmcb->save;
	struct x86_cpu_state *st = &v->exit_state;

	st->cr0 = s->cr0;
	st->cr2 = s->cr2;
	st->cr3 = s->cr3;
	st->cr4 = s->cr4;
	st->efer = s->efer & ~EFER_SVME;
	st->cpl = s->cpl;
	seg_get(&s->es, &st->seg[X86_SEG_ES]);
	seg_get(&s->cs, &st->seg[X86_SEG_CS]);
	seg_get(&s->ss, &st->seg[X86_SEG_SS]);
	seg_get(&s->ds, &st->seg[X86_SEG_DS]);
	seg_get(&s->fs, &st->seg[X86_SEG_FS]);
	seg_get(&s->gs, &st->seg[X86_SEG_GS]);
}

void svm_translate_exit(struct vcpu *v, const struct vmcb *vmcb, struct vm_exit *e)
{
	u64 code = vmcb->ctl.exitcode;

	svm_snapshot(v, vmcb);
	e->code = EXIT_UNKNOWN;
	e->inst_len = 0;
	e->rip = v->rip;
	e->raw = (struct raw_exit){ code, vmcb->ctl.exitinfo1, vmcb->ctl.exitinfo2 };

	switch (code) {
	case SVM_EXIT_IOIO:
		decode_ioio(vmcb, e);
		return;
	case SVM_EXIT_NPF:
		decode_npf(vmcb, e);
		return;
	case SVM_EXIT_MSR:
		nrip_length(vmcb, e);
		e->code = EXIT_MSR;
		e->u.msr = (struct msr_exit){
			.index = (u32)v->gpr[X86_REG_RCX],
			.write = vmcb->ctl.exitinfo1 == 1,
			.value = (v->gpr[X86_REG_RDX] << 32) | (u32)v->gpr[X86_REG_RAX],
		};
		return;
	case SVM_EXIT_CPUID:
		nrip_length(vmcb, e);
		e->code = EXIT_CPUID;
		return;
	case SVM_EXIT_HLT:
		nrip_length(vmcb, e);
		e->code = EXIT_HLT;
		return;
	case SVM_EXIT_VMMCALL:
		nrip_length(vmcb, e);
		e->code = EXIT_HYPERCALL;
		return;
	case SVM_EXIT_XSETBV: /* EDX:EAX and ECX are in the vCPU's registers */
		nrip_length(vmcb, e);
		e->code = EXIT_XSETBV;
		return;
	case SVM_EXIT_SHUTDOWN:
		e->code = EXIT_SHUTDOWN;
		return;
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
		e->code = EXIT_INTR;
		return;
	case SVM_EXIT_VINTR:
		e->code = EXIT_IRQ_WINDOW;
		return;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
		/* SVM and MONITOR are hidden from guests: these #UD. */
		e->code = EXIT_EXCEPTION;
		e->u.exception = (struct exception_exit){ .vector = 6 };
		return;
	case SVM_EXIT_INVALID:
	case (u32)SVM_EXIT_INVALID: /* QEMU's TCG stores the -1 as 32 bits */
		e->code = EXIT_INVALID;
		svm_check_state(vmcb, &e->u.invalid);
		return;
	case SVM_EXIT_IRET: e->code = EXIT_IRET; return;
	case SVM_EXIT_RDPMC: e->code = EXIT_RDPMC; return;
	default:
		if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32) {
			e->code = EXIT_EXCEPTION;
			e->u.exception = (struct exception_exit){
				.vector = (u8)(code - SVM_EXIT_EXCP_BASE),
				.has_error = true,
				.error = (u32)vmcb->ctl.exitinfo1,
			};
			return;
		}
		e->code = EXIT_UNKNOWN;
		return;
	}
}
