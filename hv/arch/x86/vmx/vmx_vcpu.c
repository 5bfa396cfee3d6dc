/* VMX vCPUs: one VMCS each, its guest, host and control fields, entry and
 * exit, event injection (Intel SDM vol. 3 chapters 25-28). */
#include <bulkhead/percpu.h>
#include <bulkhead/hv.h>
#include <bulkhead/mm.h>
#include <bulkhead/string.h>
#include <bulkhead/layout.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/guest_regs.h>
#include <bulkhead/x86/host_timer.h>
#include <bulkhead/x86/xstate.h>
#include "ept.h"
#include "vmx_check.h"
#include "vmx_cpu.h"
#include "vmx_priv.h"

#define CR4_VMXE (1ULL << 13)
#define RFLAGS_IF (1ULL << 9)
#define RFLAGS_FIXED (1ULL << 1)

extern const u8 vmx_exit_point[];

/* Guest MSRs VM entry loads and VM exit stores (25.7.2, 25.8.2): those
 * the hypervisor never uses and VMX does not switch otherwise. */
static const u32 area_msrs[] = { 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,
				 0xc0000102 };
#define NR_AREA_MSRS (sizeof(area_msrs) / sizeof(area_msrs[0]))
struct msr_entry {
	u32 index, reserved;
	u64 value;
};

/* Extra per-vCPU state beyond struct vmx_vcpu's public part. */
struct vmx_vcpu_full {
	struct vmx_vcpu x;
	u64 area_pa;     /* struct msr_entry[NR_AREA_MSRS] */
	u64 vapic_pa;    /* virtual-APIC page: the guest's CR8 (VTPR, 29.3) */
	u64 cr2, dr6;    /* not switched by VMX (27.3, 28.5): ours */
	u64 exit_rip;    /* RIP at the last exit */
};

static struct vmx_vcpu_full *full(struct vcpu *v)
{
	return v->arch;
}

static struct vmx_percpu *this_vmx(void)
{
	return this_cpu()->vmm;
}

static void vmcs_load(struct vcpu *v)
{
	u64 pa = to_vmx(v)->vmcs_pa;

	if (this_vmx()->current_vmcs == pa)
		return;
	__asm__ volatile("vmptrld %0" ::"m"(pa) : "cc", "memory");
	this_vmx()->current_vmcs = pa;
}

/* Makes the VMCS inactive and writes it back to memory (24.11.1), so that
 * another CPU may load it; the next entry is a VMLAUNCH. */
static void vmcs_clear(struct vcpu *v)
{
	u64 pa = to_vmx(v)->vmcs_pa;

	__asm__ volatile("vmclear %0" ::"m"(pa) : "cc", "memory");
	if (this_vmx()->current_vmcs == pa)
		this_vmx()->current_vmcs = 0;
	to_vmx(v)->launched = false;
}

static u16 read_sel(int which)
{
	u16 s = 0;

	switch (which) {
	case 0: __asm__ volatile("mov %%es, %0" : "=r"(s)); break;
	case 1: __asm__ volatile("mov %%cs, %0" : "=r"(s)); break;
	case 2: __asm__ volatile("mov %%ss, %0" : "=r"(s)); break;
	case 3: __asm__ volatile("mov %%ds, %0" : "=r"(s)); break;
	case 4: __asm__ volatile("mov %%fs, %0" : "=r"(s)); break;
	case 5: __asm__ volatile("mov %%gs, %0" : "=r"(s)); break;
	default: __asm__ volatile("str %0" : "=r"(s)); break;
	}
	return s;
}

/* Host state (25.5): what VM exit loads. The hypervisor's flat segments,
 * its CR0/CR3/CR4, EFER and PAT, GDT, IDT and TSS; RSP is written by
 * vmx_run before each entry. */
static void vmcs_host_state(void)
{
	struct __attribute__((packed)) { u16 limit; u64 base; } gdtr, idtr;
	u16 tr = read_sel(6);
	const u64 *gdt;

	__asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
	gdt = (const u64 *)(uintptr_t)gdtr.base;
	u64 lo = gdt[tr / 8], hi = gdt[tr / 8 + 1]; /* 16-byte TSS descriptor */
	u64 tr_base = ((lo >> 16) & 0xffffff) | (((lo >> 56) & 0xff) << 24) | (hi << 32);

	vmwrite(VMCS_HOST_CR0, read_cr0());
	vmwrite(VMCS_HOST_CR3, read_cr3());
	vmwrite(VMCS_HOST_CR4, read_cr4());
	vmwrite(VMCS_HOST_ES_SEL, read_sel(0) & 0xf8);
	vmwrite(VMCS_HOST_CS_SEL, read_sel(1) & 0xf8);
	vmwrite(VMCS_HOST_SS_SEL, read_sel(2) & 0xf8);
	vmwrite(VMCS_HOST_DS_SEL, read_sel(3) & 0xf8);
	vmwrite(VMCS_HOST_FS_SEL, read_sel(4) & 0xf8);
	vmwrite(VMCS_HOST_GS_SEL, read_sel(5) & 0xf8);
	vmwrite(VMCS_HOST_TR_SEL, tr & 0xf8);
	vmwrite(VMCS_HOST_FS_BASE, rdmsr(0xc0000100U));
	vmwrite(VMCS_HOST_GS_BASE, rdmsr(0xc0000101U));
	vmwrite(VMCS_HOST_TR_BASE, tr_base);
	vmwrite(VMCS_HOST_GDTR_BASE, gdtr.base);
	vmwrite(VMCS_HOST_IDTR_BASE, idtr.base);
	vmwrite(VMCS_HOST_SYSENTER_CS, 0);
	vmwrite(0x6c10U, 0); /* host SYSENTER_ESP */
	vmwrite(0x6c12U, 0); /* host SYSENTER_EIP */
	vmwrite(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	vmwrite(VMCS_HOST_PAT, rdmsr(0x277U));
	vmwrite(VMCS_HOST_RIP, (u64)(uintptr_t)vmx_exit_point);
}

/* The VMCS as at power-on: cleared, the controls, bitmaps, EPT pointer and
 * VPID, host state, the link pointer ~0 (25.4.2) and the architectural
 * reset values (PAT, DR7). Guest registers come from set_state. */
static void vmcs_setup(struct vcpu *v)
{
	struct vmx_vcpu_full *f = full(v);
	struct vmx_vm *xv = v->vm->arch;
	struct msr_entry *area = phys_to_virt(f->area_pa);

	*(u32 *)phys_to_virt(f->x.vmcs_pa) = vmx_cpu.revision; /* 24.2 */
	vmcs_clear(v);
	vmcs_load(v);
	f->x.flush_tlb = true;
	f->x.requeued_info = f->x.requeued_len = 0;
	f->cr2 = 0;
	f->dr6 = 0xffff0ff0;
	for (unsigned i = 0; i < NR_AREA_MSRS; i++)
		area[i] = (struct msr_entry){ area_msrs[i], 0, 0 };
	memset(phys_to_virt(f->vapic_pa), 0, PAGE_SIZE);

	vmwrite(VMCS_PIN_CTLS, vmx_cpu.pin);
	vmwrite(VMCS_PROC_CTLS, vmx_cpu.proc);
	vmwrite(VMCS_PROC_CTLS2, vmx_cpu.proc2);
	vmwrite(VMCS_EXIT_CTLS, vmx_cpu.exit);
	vmwrite(VMCS_ENTRY_CTLS, vmx_cpu.entry);
	vmwrite(VMCS_EXCEPTION_BITMAP, 0);
	vmwrite(VMCS_CR3_TARGET_COUNT, 0);
	vmwrite(VMCS_IO_BITMAP_A, vmx_cpu.io_bitmaps);
	vmwrite(VMCS_IO_BITMAP_B, vmx_cpu.io_bitmaps + PAGE_SIZE);
	vmwrite(VMCS_MSR_BITMAP, vmx_cpu.msr_bitmap);
	vmwrite(0x2006U, f->area_pa); /* VM-exit MSR-store address */
	vmwrite(0x200aU, f->area_pa); /* VM-entry MSR-load address */
	vmwrite(VMCS_EXIT_MSR_STORE_CNT, NR_AREA_MSRS);
	vmwrite(VMCS_EXIT_MSR_LOAD_CNT, 0);
	vmwrite(VMCS_ENTRY_MSR_LOAD_CNT, NR_AREA_MSRS);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	/* TPR shadow without APIC virtualization: MOV CR8 reads and writes
	 * VTPR; threshold 0, so no TPR-below-threshold exit (25.6.8). */
	vmwrite(VMCS_VIRTUAL_APIC_PAGE, f->vapic_pa);
	vmwrite(VMCS_TPR_THRESHOLD, 0);
	vmwrite(VMCS_EPTP, ept_pointer(&xv->ept));
	if (vmx_cpu.use_vpid)
		vmwrite(VMCS_VPID, xv->vpid);
	/* CR0/CR4 bits VMX operation fixes (A.7, A.8; with unrestricted guest
	 * PE and PG are free, 25.6.2) are owned by the host: the guest reads
	 * its own values from the read shadows (25.6.6). */
	vmwrite(VMCS_CR0_MASK, vmx_cpu.cr0_fixed0 & ~(CR0_PE | CR0_PG));
	vmwrite(VMCS_CR4_MASK, vmx_cpu.cr4_fixed0);
	vmwrite(VMCS_LINK_POINTER, ~0ULL);
	vmwrite(VMCS_GUEST_DEBUGCTL, 0);
	vmwrite(VMCS_GUEST_PAT, 0x0007040600070406ULL); /* power-on PAT */
	vmwrite(VMCS_GUEST_DR7, 0x400);
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmwrite(VMCS_GUEST_ACTIVITY, 0);
	vmwrite(VMCS_GUEST_PENDING_DBG, 0);
	vmwrite(VMCS_GUEST_SYSENTER_CS, 0);
	vmwrite(0x6824U, 0); /* guest SYSENTER_ESP */
	vmwrite(0x6826U, 0); /* guest SYSENTER_EIP */
	vmwrite(VMCS_TSC_OFFSET, v->tsc_offset);
	vmcs_host_state();
}

void vmx_vcpu_reset(struct vcpu *v)
{
	vmcs_setup(v);
	xstate_vcpu_reset(&v->xstate);
}

bool vmx_vcpu_init(struct vcpu *v, const char **err)
{
	struct vmx_vcpu_full *f = vm_dev_alloc(v->vm, sizeof(*f));

	if (!f || !(f->x.vmcs_pa = mm_alloc_pages(1))) {
		*err = "vmx: out of memory for a VMCS";
		return false;
	}
	if (!(f->area_pa = mm_alloc_pages(1)) || !(f->vapic_pa = mm_alloc_pages(1))) {
		if (f->area_pa)
			mm_free_pages(f->area_pa, 1);
		mm_free_pages(f->x.vmcs_pa, 1);
		*err = "vmx: out of memory for a VMCS";
		return false;
	}
	v->arch = f;
	if (!xstate_vcpu_init(&v->xstate, err)) {
		mm_free_pages(f->x.vmcs_pa, 1);
		mm_free_pages(f->area_pa, 1);
		mm_free_pages(f->vapic_pa, 1);
		v->arch = NULL;
		return false;
	}
	vmcs_setup(v);
	return true;
}

void vmx_vcpu_destroy(struct vcpu *v)
{
	xstate_vcpu_destroy(&v->xstate);
	vmcs_clear(v);
	mm_free_pages(full(v)->area_pa, 1);
	mm_free_pages(full(v)->vapic_pa, 1);
	mm_free_pages(to_vmx(v)->vmcs_pa, 1);
	v->arch = NULL;
}

/* Access rights (25.4.1): type, S, DPL, P in bits 7:0, AVL, L, D/B, G in
 * 15:12, bit 16 unusable. A usable segment has been loaded, so its
 * accessed bit (type bit 0) is set. */
static u32 seg_ar(const struct x86_segment *s)
{
	if (!s->present)
		return VMX_AR_UNUSABLE;
	return (u32)((s->type | (s->s ? 1 : 0)) | (s->s << 4) | ((s->dpl & 3) << 5) | (1U << 7) |
		     (s->l << 13) | (s->db << 14) | (s->g << 15));
}

static void seg_write(unsigned i, u16 sel, const struct x86_segment *s)
{
	vmwrite(VMCS_GUEST_ES_SEL + 2 * i, sel);
	vmwrite(VMCS_GUEST_ES_LIMIT + 2 * i, s->limit);
	vmwrite(VMCS_GUEST_ES_AR + 2 * i, seg_ar(s));
	vmwrite(VMCS_GUEST_ES_BASE + 2 * i, s->base);
}

/* EFER through the VMCS guest field (load/save EFER controls); IA-32e
 * mode guest must equal EFER.LMA at entry (26.3.1.1). */
static void set_efer(u64 efer)
{
	u64 entry = vmread(VMCS_ENTRY_CTLS) & ~(u64)ENTRY_IA32E_GUEST;

	vmwrite(VMCS_GUEST_EFER, efer);
	vmwrite(VMCS_ENTRY_CTLS, entry | ((efer & EFER_LMA) ? ENTRY_IA32E_GUEST : 0));
}

static u64 guest_cr0(u64 cr0)
{
	return (cr0 | (vmx_cpu.cr0_fixed0 & ~(CR0_PE | CR0_PG))) & vmx_cpu.cr0_fixed1;
}

void vmx_vcpu_set_state(struct vcpu *v, const struct vcpu_init_state *st)
{
	vmcs_load(v);
	for (unsigned i = 0; i < 6; i++)
		seg_write(i, i == X86_SEG_CS ? st->cs_sel : st->ds_sel,
			  i == X86_SEG_CS ? &st->cs : &st->ds);
	vmwrite(VMCS_GUEST_LDTR_SEL, 0);
	vmwrite(VMCS_GUEST_LDTR_LIMIT, 0xffff);
	vmwrite(VMCS_GUEST_LDTR_AR, VMX_AR_UNUSABLE);
	vmwrite(VMCS_GUEST_LDTR_BASE, 0);
	vmwrite(VMCS_GUEST_TR_SEL, 0);
	vmwrite(VMCS_GUEST_TR_LIMIT, 0xffff);
	vmwrite(VMCS_GUEST_TR_AR, 0x8b); /* busy 32/64-bit TSS, present */
	vmwrite(VMCS_GUEST_TR_BASE, 0);
	vmwrite(VMCS_GUEST_GDTR_BASE, st->gdtr_base);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, st->gdtr_limit);
	vmwrite(VMCS_GUEST_IDTR_BASE, st->idtr_base);
	vmwrite(VMCS_GUEST_IDTR_LIMIT, st->idtr_limit);
	vmwrite(VMCS_GUEST_CR0, guest_cr0(st->cr0));
	vmwrite(VMCS_CR0_SHADOW, st->cr0);
	vmwrite(VMCS_GUEST_CR3, st->cr3);
	vmwrite(VMCS_GUEST_CR4, (st->cr4 | vmx_cpu.cr4_fixed0) & vmx_cpu.cr4_fixed1);
	vmwrite(VMCS_CR4_SHADOW, st->cr4);
	set_efer(st->efer);
	v->rip = full(v)->exit_rip = st->rip;
	v->rflags = st->rflags;
	to_vmx(v)->flush_tlb = true;
	vmx_snapshot(v);
}

/* The neutral snapshot of vm_exit.h from the guest-state area (25.4):
 * CR0/CR4 as the guest sees them (read shadow for the bits the host
 * owns), CR2 (not in the VMCS), CPL = SS.DPL (25.4.1). */
void vmx_snapshot(struct vcpu *v)
{
	struct x86_cpu_state *st = &v->exit_state;
	u64 m0 = vmread(VMCS_CR0_MASK), m4 = vmread(VMCS_CR4_MASK);

	st->cr0 = (vmread(VMCS_GUEST_CR0) & ~m0) | (vmread(VMCS_CR0_SHADOW) & m0);
	st->cr4 = (vmread(VMCS_GUEST_CR4) & ~m4) | (vmread(VMCS_CR4_SHADOW) & m4);
	st->cr2 = full(v)->cr2;
	st->cr3 = vmread(VMCS_GUEST_CR3);
	st->efer = vmread(VMCS_GUEST_EFER);
	for (unsigned i = 0; i < X86_SEG_COUNT; i++) {
		u32 ar = (u32)vmread(VMCS_GUEST_ES_AR + 2 * i);
		struct x86_seg_state *s = &st->seg[i];

		s->sel = (u16)vmread(VMCS_GUEST_ES_SEL + 2 * i);
		s->limit = (u32)vmread(VMCS_GUEST_ES_LIMIT + 2 * i);
		s->base = vmread(VMCS_GUEST_ES_BASE + 2 * i);
		s->attr = (u16)((ar & 0xff) | ((ar >> 4) & 0xf00));
		if (ar & VMX_AR_UNUSABLE)
			s->attr &= (u16)~0x80U;
	}
	st->cpl = (u8)((st->seg[X86_SEG_SS].attr >> 5) & 3);
}

/* IDT-vectoring information (27.2.4): an event whose delivery the exit cut
 * short goes back to the core, as SVM's EXITINTINFO does. A software
 * interrupt or exception (types 4-6) keeps its type and length for the
 * re-injection (25.8.3). */
static void requeue_event(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);
	u32 info = (u32)vmread(VMCS_IDT_VECT_INFO);
	u32 type = INTR_INFO_TYPE(info);

	x->requeued_info = 0;
	if (!(info & INTR_INFO_VALID))
		return;
	if (type >= 4) {
		x->requeued_info = info;
		x->requeued_len = (u32)vmread(VMCS_EXIT_INSN_LEN);
	}
	v->event = (struct vcpu_event){
		.pending = true,
		.type = (u8)(type == 4 ? VCPU_EVENT_SOFTINT : type >= 5 ? VCPU_EVENT_EXCEPTION : type),
		.vector = INTR_INFO_VECTOR(info),
		.has_error = info & INTR_INFO_ERR_VALID,
		.error = (u32)vmread(VMCS_IDT_VECT_ERROR),
		.cr2 = full(v)->cr2,
	};
}

/* An exit in the middle of the guest's IRET (EPT violation, exception)
 * undid its unblocking of virtual NMIs: blocking is set again (27.2.3). */
static void nmi_unblocking_fixup(const struct vmx_exit_raw *r)
{
	u32 basic = r->reason & 0xffffU;
	bool undo = (basic == VMX_EXIT_EPT_VIOLATION && (r->qual & (1U << 12))) ||
		    (basic == VMX_EXIT_EXCEPTION_NMI && (r->intr_info & (1U << 12)));

	if (undo && !(vmread(VMCS_IDT_VECT_INFO) & INTR_INFO_VALID))
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
			vmread(VMCS_GUEST_INTERRUPTIBILITY) | INTERRUPTIBILITY_NMI);
}

static void read_exit(struct vmx_exit_raw *r)
{
	*r = (struct vmx_exit_raw){
		.reason = (u32)vmread(VMCS_EXIT_REASON),
		.qual = vmread(VMCS_EXIT_QUAL),
		.gpa = vmread(VMCS_GUEST_PHYS_ADDR),
		.intr_info = (u32)vmread(VMCS_EXIT_INTR_INFO),
		.intr_error = (u32)vmread(VMCS_EXIT_INTR_ERROR),
		.insn_len = (u32)vmread(VMCS_EXIT_INSN_LEN),
		.insn_info = (u32)vmread(VMCS_EXIT_INSN_INFO),
		.insn_info_io = vmx_cpu.io_insn_info,
	};
}

static void shadow_update(struct vcpu *v);

/* The VMX-preemption timer counts down at the TSC rate divided by
 * 2^IA32_VMX_MISC[4:0] and exits when it reaches zero (26.7.4, A.6).
 * Loaded at every entry with what is left until this CPU's own one-shot
 * timer is due (host_timer_arm), it ends the guest's run at the same time
 * even where the timer interrupt's exit does not come: Bochs 2.7 never
 * delivers it while the guest's RFLAGS.IF is 0 (docs/architecture.md,
 * "VT-x"). */
static u32 preempt_budget(void)
{
	u64 deadline = this_cpu()->timer_deadline, now = rdtsc(), t;

	if (deadline == ~0ULL)
		return 0xffffffffU;
	t = deadline > now ? (deadline - now) >> (vmx_cpu.misc & 0x1f) : 0;
	return t == 0 ? 1 : t > 0xffffffffU ? 0xffffffffU : (u32)t;
}

void vmx_vcpu_run(struct vcpu *v, struct vm_exit *exit)
{
	struct vmx_vcpu_full *f = full(v);
	struct vmx_exit_raw raw;
	struct invalid_exit found = { 0, 0 };
	int rc;

	vmcs_load(v);
	if (!f->x.launched)
		vmcs_host_state(); /* this CPU's GS base, TR, GDT and IDT (27.5) */
again:
	shadow_update(v);
	if (vmx_cpu.pin & PIN_PREEMPT_TIMER)
		vmwrite(VMCS_PREEMPT_TIMER, preempt_budget());
	vmwrite(VMCS_GUEST_RSP, v->gpr[X86_REG_RSP]);
	vmwrite(VMCS_GUEST_RIP, v->rip);
	vmwrite(VMCS_GUEST_RFLAGS, v->rflags | RFLAGS_FIXED);
	if (f->x.flush_tlb)
		vmx_invvpid_all(); /* without VPIDs every entry flushes (28.1) */
	f->x.flush_tlb = false;
	/* Neither entry nor exit switches TSC_AUX, x87/SSE/AVX, XCR0, DR0-DR3,
	 * DR6 or CR2 (26.3.2, 28.5): the first four here, the last two below. */
	if (!guest_regs_load(v)) {
		xstate_lost_exit(v, exit);
		return;
	}
	__asm__ volatile("mov %0, %%cr2; mov %1, %%db6" ::"r"(f->cr2), "r"(f->dr6) : "memory");
	rc = vmx_run(v->gpr, f->x.launched);
	__asm__ volatile("mov %%cr2, %0; mov %%db6, %1" : "=r"(f->cr2), "=r"(f->dr6)::"memory");
	f->x.requeued_info = 0;

	if (rc) {
		u32 err = rc == 2 ? (u32)vmread(VMCS_INSN_ERROR) : 0;

		vmx_snapshot(v);
		*exit = (struct vm_exit){ .code = EXIT_INVALID, .rip = v->rip };
		exit->u.invalid.what = rc == 2 ? vmx_insn_error_name(err)
					       : "VMLAUNCH/VMRESUME without a current VMCS, status";
		exit->u.invalid.value = err;
		exit->raw = (struct raw_exit){ ~0ULL, err, 0 };
		return;
	}
	f->x.launched = true;
	v->gpr[X86_REG_RSP] = vmread(VMCS_GUEST_RSP);
	v->rip = f->exit_rip = vmread(VMCS_GUEST_RIP);
	v->rflags = vmread(VMCS_GUEST_RFLAGS);
	read_exit(&raw);
	/* Entry refused the guest state (27.8): name the first check of
	 * 26.3.1 it fails, before the injection field is cleared below. */
	if ((raw.reason & VMX_EXIT_ENTRY_FAILED) &&
	    (raw.reason & 0xffffU) == VMX_EXIT_BAD_GUEST)
		vmx_check_vmcs(&found);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	if (!(raw.reason & VMX_EXIT_ENTRY_FAILED)) {
		requeue_event(v);
		nmi_unblocking_fixup(&raw);
	}
	/* A MOV to CR0/CR4 that only exits because the host owns a bit: done
	 * here, and the guest goes on (a physical interrupt still exits). */
	if (raw.reason == VMX_EXIT_CR_ACCESS && !v->event.pending &&
	    vmx_cr_access(v, raw.qual, raw.insn_len))
		goto again;
	vmx_snapshot(v);
	vmx_translate_exit(v, &raw, exit);
	if (found.what)
		exit->u.invalid = found;
}

bool vmx_vcpu_msr(struct vcpu *v, u32 index, bool write, u64 *val)
{
	vmcs_load(v);
	switch (index) {
	case MSR_EFER:
		if (!write) {
			*val = vmread(VMCS_GUEST_EFER);
			return true;
		}
		/* LMA is the CPU's to set (SDM vol. 3 10.8.5): kept. */
		set_efer((*val & ~EFER_LMA) | (vmread(VMCS_GUEST_EFER) & EFER_LMA));
		to_vmx(v)->flush_tlb = true;
		return true;
	case 0x277: /* PAT */
		if (write)
			vmwrite(VMCS_GUEST_PAT, *val);
		else
			*val = vmread(VMCS_GUEST_PAT);
		return true;
	default:
		return false;
	}
}

/* The STI / MOV SS shadow the guest-interruptibility state holds at an
 * exit (25.4.2) covers the next instruction only: once the core has moved
 * RIP past the exiting one (HLT after STI), it is over. */
static void shadow_update(struct vcpu *v)
{
	u64 state;

	if (v->rip == full(v)->exit_rip)
		return;
	state = vmread(VMCS_GUEST_INTERRUPTIBILITY);
	if (state & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS))
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
			state & ~(u64)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS));
	full(v)->exit_rip = v->rip;
}

/* External interrupts need RFLAGS.IF, no STI or MOV SS shadow (25.4.2)
 * and nothing already queued for injection. */
bool vmx_vcpu_irq_window_open(struct vcpu *v)
{
	vmcs_load(v);
	shadow_update(v);
	return (v->rflags & RFLAGS_IF) &&
	       !(vmread(VMCS_GUEST_INTERRUPTIBILITY) & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS)) &&
	       !(vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID);
}

static void proc_ctl(struct vcpu *v, u32 bit, bool on)
{
	u64 c;

	vmcs_load(v);
	c = vmread(VMCS_PROC_CTLS);
	vmwrite(VMCS_PROC_CTLS, on ? c | bit : c & ~(u64)bit);
}

/* Interrupt-window exiting (25.6.2): exits as soon as the guest can take
 * an interrupt. */
void vmx_vcpu_want_irq_window(struct vcpu *v, bool on)
{
	proc_ctl(v, PROC_INTR_WINDOW, on);
}

/* VM-entry interruption information (25.8.3); a re-injected software
 * interrupt or exception gets its own type and instruction length. */
void vmx_vcpu_inject(struct vcpu *v, const struct vcpu_event *e)
{
	struct vmx_vcpu_full *f = full(v);
	u32 info = e->vector | ((u32)e->type << 8) | INTR_INFO_VALID;
	u32 rq = f->x.requeued_info;

	vmcs_load(v);
	if (rq && INTR_INFO_VECTOR(rq) == e->vector &&
	    (e->type == VCPU_EVENT_SOFTINT || e->type == VCPU_EVENT_EXCEPTION)) {
		info = (info & ~(7U << 8)) | (INTR_INFO_TYPE(rq) << 8);
		vmwrite(VMCS_ENTRY_INSN_LEN, f->x.requeued_len);
	}
	if (e->has_error) {
		info |= INTR_INFO_ERR_VALID;
		vmwrite(VMCS_ENTRY_EXC_ERROR, e->error);
	}
	if (e->type == VCPU_EVENT_EXCEPTION && e->vector == 14)
		f->cr2 = e->cr2;
	/* Injecting #DB does not touch DR6: set its bits. */
	if (e->type == VCPU_EVENT_EXCEPTION && e->vector == 1)
		f->dr6 |= e->cr2;
	vmwrite(VMCS_ENTRY_INTR_INFO, info);
}

/* NMIs are held off by the STI/MOV SS shadow, by (virtual-)NMI blocking
 * (25.4.2) and by an event already queued. */
bool vmx_vcpu_nmi_window_open(struct vcpu *v)
{
	vmcs_load(v);
	shadow_update(v);
	return !(vmread(VMCS_GUEST_INTERRUPTIBILITY) &
		 (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS | INTERRUPTIBILITY_NMI)) &&
	       !(vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID);
}

/* With virtual NMIs, NMI-window exiting (25.6.2) exits once the guest's
 * IRET has ended the blocking the injected NMI set (EXIT_NMI_WINDOW):
 * after the IRET, where SVM's intercept exits before it. */
void vmx_vcpu_intercept_iret(struct vcpu *v, bool on)
{
	proc_ctl(v, PROC_NMI_WINDOW, on);
}

void vmx_vcpu_set_tsc_offset(struct vcpu *v, u64 offset)
{
	vmcs_load(v);
	vmwrite(VMCS_TSC_OFFSET, offset);
}

void vmx_vcpu_put(struct vcpu *v)
{
	guest_regs_put(v);
	vmcs_clear(v);
}
