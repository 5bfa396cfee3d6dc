/* AMD SVM backend: turns SVM on, builds VMCBs and runs vCPUs
 * (AMD APM vol. 2 chapter 15). */
#include <bulkhead/console.h>
#include <bulkhead/hv.h>
#include <bulkhead/mm.h>
#include <bulkhead/percpu.h>
#include <bulkhead/string.h>
#include <bulkhead/vmm.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/cpu_features.h>
#include <bulkhead/x86/guest_regs.h>
#include <bulkhead/x86/smp.h>
#include <bulkhead/x86/xstate.h>
#include "svm_priv.h"

#define IOPM_PAGES 3  /* 12 KiB: one bit per port (APM 15.10.1) */
#define MSRPM_PAGES 2 /* 8 KiB: two bits per MSR (APM 15.11) */

/* The permission maps, one policy for every vCPU, built by the first CPU
 * and read-only after. */
static u64 iopm_pa, msrpm_pa;
/* Each CPU's host save area and the host state VMRUN does not save
 * (VMSAVE), reached through this_cpu()->vmm. */
static struct svm_cpu svm_cpus[HV_MAX_CPUS];

/* MSRs swapped by VMLOAD/VMSAVE: the guest owns them, no exit. */
static const u32 passthrough_msrs[] = {
	0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, /* STAR, LSTAR, CSTAR, SFMASK */
	0xc0000100, 0xc0000101, 0xc0000102,             /* FS, GS, KernelGS base */
	0x174, 0x175, 0x176,                            /* SYSENTER CS/ESP/EIP */
};

static void msrpm_allow(u8 *pm, u32 msr)
{
	u32 base;

	if (msr < 0x2000)
		base = 0;
	else if (msr >= 0xc0000000 && msr < 0xc0002000)
		base = 0x800;
	else if (msr >= 0xc0010000 && msr < 0xc0012000)
		base = 0x1000;
	else
		return; /* outside the map: always intercepted */
	u32 bit = (msr & 0x1fff) * 2;
	pm[base + bit / 8] &= (u8)~(3U << (bit % 8)); /* read and write */
}

static bool permission_maps(void)
{
	u8 *pm;

	if (msrpm_pa)
		return true;
	iopm_pa = mm_alloc_pages(IOPM_PAGES);
	msrpm_pa = mm_alloc_pages(MSRPM_PAGES);
	if (!iopm_pa || !msrpm_pa)
		return false;
	memset(phys_to_virt(iopm_pa), 0xff, IOPM_PAGES * PAGE_SIZE);
	pm = phys_to_virt(msrpm_pa);
	memset(pm, 0xff, MSRPM_PAGES * PAGE_SIZE);
	for (unsigned i = 0; i < ARRAY_SIZE(passthrough_msrs); i++)
		msrpm_allow(pm, passthrough_msrs[i]);
	return true;
}

/* On each CPU that runs vCPUs, before its first VMRUN. */
static bool svm_cpu_enable(const char **err)
{
	struct cpu *c = this_cpu();
	struct svm_cpu *sc = &svm_cpus[c->index];

	if (!boot_cpu.svm || !boot_cpu.npt) {
		*err = "svm: this CPU lacks SVM or nested paging";
		return false;
	}
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		*err = "svm: SVM is disabled by the firmware (VM_CR.SVMDIS)";
		return false;
	}
	if (!xstate_cpu_init(err))
		return false;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	if (!sc->hsave_pa)
		sc->hsave_pa = mm_alloc_pages(1);
	if (!sc->host_vmcb_pa)
		sc->host_vmcb_pa = mm_alloc_pages(1);
	if (!sc->hsave_pa || !sc->host_vmcb_pa || !permission_maps()) {
		*err = "svm: out of memory for the host save area";
		return false;
	}
	wrmsr(MSR_VM_HSAVE_PA, sc->hsave_pa);
	/* After GS base points at the per-CPU area: VMLOAD restores it. */
	__asm__ volatile("vmsave %0" ::"a"(sc->host_vmcb_pa) : "memory");
	c->vmm = sc;
	return true;
}

static u64 npt_alloc(void *ctx)
{
	(void)ctx;
	return mm_alloc_pages(1);
}

static u64 *npt_ptr(void *ctx, u64 pa)
{
	(void)ctx;
	return phys_to_virt(pa);
}

static void npt_free(void *ctx, u64 pa)
{
	(void)ctx;
	mm_free_pages(pa, 1);
}

static const struct pt_ops npt_ops = { npt_alloc, npt_ptr, NULL, npt_free };

/* Creation takes the nested page table's root, or nothing. ASIDs belong
 * to vCPUs on each CPU (percpu_tag), not to the VM. */
static bool svm_vm_init(struct vm *vm, const char **err)
{
	struct svm_vm *s = vm_dev_alloc(vm, sizeof(*s));

	if (!s) {
		*err = "svm: VM state does not fit its arena";
		return false;
	}
	if (pt_init(&s->npt, &npt_ops) != PT_OK) {
		*err = "svm: out of memory for the nested page table";
		return false;
	}
	vm->arch = s;
	return true;
}

static void svm_vm_destroy(struct vm *vm)
{
	struct svm_vm *s = vm->arch;

	pt_destroy(&s->npt);
	vm->arch = NULL;
}

/* Nested page-table entries must have U set: the guest's accesses are
 * checked as user accesses at the nested level (APM 15.25.5). */
static bool svm_vm_map_ram(struct vm *vm, u64 gpa, u64 hpa, u64 size)
{
	struct svm_vm *s = vm->arch;

	return pt_map(&s->npt, gpa, hpa, size, PTE_W | PTE_U,
		      boot_cpu.gbpages ? PAGE_1G : PAGE_2M) == PT_OK;
}

/* PCD|PWT select PAT entry 3, uncacheable in the power-on PAT (APM vol. 2
 * 7.8.2); the nested entry's type combines with the guest's (15.25.8). */
static bool svm_vm_map_mmio(struct vm *vm, u64 gpa, u64 hpa, u64 size)
{
	struct svm_vm *s = vm->arch;

	return pt_map(&s->npt, gpa, hpa, size, PTE_W | PTE_U | PTE_PCD | PTE_PWT | PTE_NX,
		      PAGE_SIZE) == PT_OK;
}

static bool svm_vm_map_shared(struct vm *vm, u64 gpa, u64 hpa, u64 size)
{
	struct svm_vm *s = vm->arch;

	return pt_map(&s->npt, gpa, hpa, size, PTE_W | PTE_U | PTE_NX, PAGE_SIZE) == PT_OK;
}

static bool svm_vm_for_each_mapping(struct vm *vm, pt_leaf_fn *fn, void *ctx)
{
	struct svm_vm *s = vm->arch;

	return pt_for_each_leaf(&s->npt, fn, ctx);
}

/* Nested page-table changes the TLB may cache (APM vol. 2 15.16): each
 * vCPU of the VM takes a fresh ASID at its next VMRUN (svm_vcpu_run), and
 * a CPU running one now is kicked out of the guest to take it. */
static void npt_flush(struct vm *vm)
{
	struct svm_vm *s = vm->arch;

	__atomic_add_fetch(&s->tlb_gen, 1, __ATOMIC_ACQ_REL);
	for (unsigned i = 0; i < nr_cpus_online; i++) {
		const struct vcpu *v = cpus[i].vcpu;

		if (&cpus[i] != this_cpu() && v && v->vm == vm)
			smp_kick(&cpus[i]);
	}
}

/* Until its flush reaches a vCPU still in the guest, that vCPU may reach
 * the unmapped MMIO or shared pages, which are its own VM's device's (the
 * only uses). */
static bool svm_vm_unmap_mmio(struct vm *vm, u64 gpa, u64 size)
{
	struct svm_vm *s = vm->arch;
	bool ok = pt_unmap(&s->npt, gpa, size) == PT_OK;

	npt_flush(vm);
	return ok;
}

/* The display's dirty tracking (vmm.h): 4 KiB nested leaves over the
 * range, whose D bits the CPU sets on a write (APM vol. 2 15.25.5: nested
 * entries have A/D bits like legacy ones, set at the nested level). */
static bool svm_vm_dirty_track(struct vm *vm, u64 gpa, u64 npages)
{
	struct svm_vm *s = vm->arch;
	bool ok;

	if (npages > (~0ULL - gpa) / PAGE_SIZE)
		return false;
	ok = pt_split(&s->npt, gpa, npages * PAGE_SIZE) == PT_OK;
	npt_flush(vm); /* a split part may be cached as a large page */
	return ok;
}

/* RAM is mapped on first touch, 2 MiB at a time (vm_fault_in_ram): a
 * block mapped since the last harvest is split now, its D bit in each of
 * its pages. */
static bool svm_vm_dirty_harvest(struct vm *vm, u64 gpa, u64 npages, u64 *bits)
{
	struct svm_vm *s = vm->arch;
	bool ok = npages <= (~0ULL - gpa) / PAGE_SIZE &&
		  pt_split(&s->npt, gpa, npages * PAGE_SIZE) == PT_OK &&
		  pt_harvest_dirty(&s->npt, gpa, npages, bits);

	npt_flush(vm);
	return ok;
}

/* The VMCB as at power-on: every field zero but the intercepts, the
 * maps, the ASID, nested paging, V_INTR_MASKING and the architectural
 * reset values (G_PAT, DR6, DR7). Used at creation and at each reset. */
static void vmcb_setup(struct vcpu *v)
{
	struct svm_vcpu *s = to_svm(v);
	struct svm_vm *svm = v->vm->arch;
	struct vmcb_control *c = &s->vmcb->ctl;

	memset(s->vmcb, 0, sizeof(*s->vmcb));
	s->irq_offered = -1; /* V_IRQ is clear */
	s->asid_gen = 0; /* a new ASID at the next VMRUN: no stale translations */
	/* RDPMC too: the guest's counters are the core's (msr.c), and the
	 * host's must not show through. */
	c->intercept_misc1 = INTERCEPT_INTR | INTERCEPT_NMI | INTERCEPT_SMI | INTERCEPT_INIT |
			     INTERCEPT_RDPMC | INTERCEPT_CPUID | INTERCEPT_INVD | INTERCEPT_HLT |
			     INTERCEPT_IOIO | INTERCEPT_MSR | INTERCEPT_TASKSW | INTERCEPT_SHUTDOWN;
	c->intercept_misc2 = INTERCEPT_VMRUN | INTERCEPT_VMMCALL | INTERCEPT_VMLOAD |
			     INTERCEPT_VMSAVE | INTERCEPT_STGI | INTERCEPT_CLGI |
			     INTERCEPT_SKINIT | INTERCEPT_MONITOR | INTERCEPT_MWAIT |
			     INTERCEPT_XSETBV;
	c->iopm_pa = iopm_pa;
	c->msrpm_pa = msrpm_pa;
	/* Guest RFLAGS.IF masks only virtual interrupts; physical ones exit. */
	c->vintr = VINTR_MASKING;
	c->np_enable = 1;
	c->n_cr3 = svm->npt.root;
	s->vmcb->save.g_pat = 0x0007040600070406ULL; /* power-on PAT */
	s->vmcb->save.dr6 = 0xffff0ff0;
	s->vmcb->save.dr7 = 0x400;
}

/* Power-on state of everything the backend switches for this vCPU: the
 * VMCB and the register files VMRUN leaves alone (x86/xstate.h). */
static void svm_vcpu_reset(struct vcpu *v)
{
	vmcb_setup(v);
	xstate_vcpu_reset(&v->xstate);
}

static bool svm_vcpu_init(struct vcpu *v, const char **err)
{
	struct svm_vcpu *s = vm_dev_alloc(v->vm, sizeof(*s));

	if (!s || !(s->vmcb_pa = mm_alloc_pages(1))) {
		*err = "svm: out of memory for a VMCB";
		return false;
	}
	s->vmcb = phys_to_virt(s->vmcb_pa);
	v->arch = s;
	if (!xstate_vcpu_init(&v->xstate, err)) {
		mm_free_pages(s->vmcb_pa, 1);
		v->arch = NULL;
		return false;
	}
	vmcb_setup(v);
	return true;
}

static void svm_vcpu_destroy(struct vcpu *v)
{
	xstate_vcpu_destroy(&v->xstate);
	mm_free_pages(to_svm(v)->vmcb_pa, 1);
	v->arch = NULL;
}

static u16 seg_attrib(const struct x86_segment *s)
{
	return (u16)((s->type & 0xf) | (s->s << 4) | ((s->dpl & 3) << 5) | (s->present << 7) |
		     (s->l << 9) | (s->db << 10) | (s->g << 11));
}

static void seg_set(struct vmcb_seg *d, u16 sel, const struct x86_segment *s)
{
	d->sel = sel;
	d->attrib = seg_attrib(s);
	d->limit = s->limit;
	d->base = s->base;
}

static void svm_vcpu_set_state(struct vcpu *v, const struct vcpu_init_state *st)
{
	struct vmcb_save *s = &to_svm(v)->vmcb->save;

	seg_set(&s->cs, st->cs_sel, &st->cs);
	seg_set(&s->ds, st->ds_sel, &st->ds);
	s->es = s->ss = s->fs = s->gs = s->ds;
	s->gdtr = (struct vmcb_seg){ .base = st->gdtr_base, .limit = st->gdtr_limit };
	s->idtr = (struct vmcb_seg){ .base = st->idtr_base, .limit = st->idtr_limit };
	s->ldtr = (struct vmcb_seg){ .attrib = 0x82, .limit = 0xffff };  /* LDT, present */
	s->tr = (struct vmcb_seg){ .attrib = 0x8b, .limit = 0xffff };    /* busy TSS */
	s->cpl = 0;
	s->cr0 = st->cr0;
	s->cr3 = st->cr3;
	s->cr4 = st->cr4;
	s->efer = st->efer | EFER_SVME; /* VMRUN requires it (APM 15.5.1) */
	v->rip = st->rip;
	v->rflags = st->rflags;
	to_svm(v)->asid_gen = 0; /* a fresh ASID: nothing cached */
	svm_snapshot(v, to_svm(v)->vmcb); /* what the core reads until the first exit */
}

/* An event whose delivery this exit cut short (EXITINTINFO, APM vol. 2
 * 15.7.2) goes back to the core, which delivers it again at the next entry
 * and merges it with any exception the exit raises. EXITINTINFO has the
 * EVENTINJ format. */
static void requeue_event(struct vcpu *v, struct vmcb *vmcb)
{
	u64 info = vmcb->ctl.exitintinfo;

	vmcb->ctl.eventinj = 0;
	if (!(info & EVENTINJ_VALID))
		return;
	v->event = (struct vcpu_event){
		.pending = true,
		.type = (u8)((info >> EVENTINJ_TYPE_SHIFT) & 7),
		.vector = (u8)info,
		.has_error = info & EVENTINJ_ERR_VALID,
		.error = (u32)(info >> 32),
		.cr2 = vmcb->save.cr2, /* a #PF's address is in CR2 already */
	};
}

/* The fields of an interrupt offered through V_IRQ (APM vol. 2 15.21.4). */
#define VINTR_OFFER (VINTR_V_IRQ | VINTR_IGN_TPR | (0xfULL << VINTR_PRIO_SHIFT) | \
		     (0xffULL << VINTR_VECTOR_SHIFT))

/* The CPU clears V_IRQ when it takes the virtual interrupt and writes it
 * back at #VMEXIT (APM vol. 2 15.21.4): clear, the guest took the offered
 * vector, and the core moves it to the ISR before it handles the exit (an
 * EOI may be that exit; exit_dispatch, under the lock other CPUs raise
 * interrupts under); if this exit cut its delivery short, EXITINTINFO
 * has it and requeue_event hands it back, to go in through EVENTINJ.
 * Still set, it was not taken; the offer ends here and the next entry
 * offers whatever is highest then. */
static void end_irq_offer(struct vcpu *v, struct vmcb *vmcb)
{
	struct svm_vcpu *s = to_svm(v);

	if (s->irq_offered < 0)
		return;
	v->irq_offer_ended = true;
	v->irq_offer_taken = !(vmcb->ctl.vintr & VINTR_V_IRQ);
	v->irq_offer_vector = (u8)s->irq_offered;
	vmcb->ctl.vintr &= ~VINTR_OFFER;
	s->irq_offered = -1;
}

static void svm_vcpu_run(struct vcpu *v, struct vm_exit *exit)
{
	struct svm_vcpu *s = to_svm(v);
	struct svm_vm *svm = v->vm->arch;
	struct vmcb *vmcb = s->vmcb;
	u64 gen = __atomic_load_n(&svm->tlb_gen, __ATOMIC_ACQUIRE);

	vmcb->save.rax = v->gpr[X86_REG_RAX];
	vmcb->save.rsp = v->gpr[X86_REG_RSP];
	vmcb->save.rip = v->rip;
	vmcb->save.rflags = v->rflags;
	/* TCG ignores clean bits and flushes on every VMRUN; on hardware
	 * "nothing cached" is always correct (APM 15.15.3). */
	vmcb->ctl.clean = 0;
	/* Nested entries changed since this vCPU last ran (npt_flush): D bits
	 * cleared, leaves split, device MMIO unmapped. */
	if (s->tlb_gen != gen) {
		s->tlb_gen = gen;
		s->asid_gen = 0;
	}
	/* 1: flush every ASID's entries (APM 15.16.1), for a new generation. */
	vmcb->ctl.tlb_control =
		percpu_tag(&s->asid, &s->asid_gen, &s->asid_cpu, boot_cpu.nr_asids) ? 1 : 0;
	vmcb->ctl.asid = s->asid;

	/* VMRUN does not switch TSC_AUX, x87/SSE/AVX, XCR0 or DR0-DR3. */
	if (!guest_regs_load(v)) {
		end_irq_offer(v, vmcb); /* not entered: not taken */
		xstate_lost_exit(v, exit);
		return;
	}
	__asm__ volatile("clgi; sti" ::: "memory");
	svm_vmrun(s->vmcb_pa, ((struct svm_cpu *)this_cpu()->vmm)->host_vmcb_pa, v->gpr);
	__asm__ volatile("cli; stgi" ::: "memory");

	v->gpr[X86_REG_RAX] = vmcb->save.rax;
	v->gpr[X86_REG_RSP] = vmcb->save.rsp;
	v->rip = vmcb->save.rip;
	v->rflags = vmcb->save.rflags;
	requeue_event(v, vmcb);
	end_irq_offer(v, vmcb);
	svm_translate_exit(v, vmcb, exit);
}

static bool svm_vcpu_msr(struct vcpu *v, u32 index, bool write, u64 *val)
{
	struct vmcb_save *s = &to_svm(v)->vmcb->save;

	switch (index) {
	case MSR_EFER:
		if (!write) {
			*val = s->efer & ~EFER_SVME;
			return true;
		}
		s->efer = *val | EFER_SVME;
		to_svm(v)->asid_gen = 0; /* a fresh ASID: nothing cached */
		return true;
	case 0x277: /* PAT */
		if (write)
			s->g_pat = *val;
		else
			*val = s->g_pat;
		return true;
	default:
		return false;
	}
}

static bool svm_vcpu_irq_window_open(struct vcpu *v)
{
	const struct vmcb *vmcb = to_svm(v)->vmcb;

	return (v->rflags & (1ULL << 9)) && !(vmcb->ctl.int_shadow & 1) &&
	       !(vmcb->ctl.eventinj & EVENTINJ_VALID);
}

/* A virtual interrupt request with the VINTR intercept makes the CPU exit
 * when the guest could take it (APM 15.21.4). */
static void svm_vcpu_want_irq_window(struct vcpu *v, bool on)
{
	struct vmcb_control *c = &to_svm(v)->vmcb->ctl;

	if (on) {
		c->vintr |= VINTR_V_IRQ | VINTR_IGN_TPR | (0xfULL << VINTR_PRIO_SHIFT);
		c->intercept_misc1 |= INTERCEPT_VINTR;
	} else {
		c->vintr &= ~(VINTR_V_IRQ | VINTR_IGN_TPR | (0xfULL << VINTR_PRIO_SHIFT));
		c->intercept_misc1 &= ~INTERCEPT_VINTR;
	}
}

/* External interrupts go in as virtual interrupts (APM vol. 2 15.21.4):
 * the CPU takes V_INTR_VECTOR through the guest's IDT, without an exit,
 * once RFLAGS.IF is set and no interrupt shadow holds it off (with
 * V_INTR_MASKING, IF masks only virtual interrupts), and a HLT exit finds
 * it still pending. V_IGN_TPR: the vLAPIC compared the vector with its
 * processor priority (TPR and ISR) when the core chose it, and every
 * write of its TPR (APIC page, x2APIC MSR) exits, ending the offer; V_TPR
 * is only the guest's CR8, which the vLAPIC does not follow.
 * V_INTR_PRIO is the vector's priority class. Not EVENTINJ: QEMU 7.2's
 * TCG can deliver an EVENTINJ external interrupt a second time
 * (docs/architecture.md, Events). */
static void svm_vcpu_offer_irq(struct vcpu *v, u8 vec)
{
	struct svm_vcpu *s = to_svm(v);
	struct vmcb_control *c = &s->vmcb->ctl;

	c->vintr = (c->vintr & ~VINTR_OFFER) | VINTR_V_IRQ | VINTR_IGN_TPR |
		   ((u64)(vec >> 4) << VINTR_PRIO_SHIFT) | ((u64)vec << VINTR_VECTOR_SHIFT);
	c->intercept_misc1 &= ~INTERCEPT_VINTR; /* deliver, do not exit */
	s->irq_offered = vec;
}

static void svm_vcpu_inject(struct vcpu *v, const struct vcpu_event *e)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;
	u64 inj = e->vector | ((u64)e->type << EVENTINJ_TYPE_SHIFT) | EVENTINJ_VALID;

	if (e->has_error)
		inj |= EVENTINJ_ERR_VALID | ((u64)e->error << 32);
	if (e->type == VCPU_EVENT_EXCEPTION && e->vector == 14)
		vmcb->save.cr2 = e->cr2;
	/* Injecting #DB does not touch DR6 (APM vol. 2 15.20): set its bits. */
	if (e->type == VCPU_EVENT_EXCEPTION && e->vector == 1)
		vmcb->save.dr6 |= e->cr2;
	vmcb->ctl.eventinj = inj;
}

/* NMIs are held off by the interrupt shadow (APM vol. 2 15.21.5) and by an
 * event already queued for injection. */
static bool svm_vcpu_nmi_window_open(struct vcpu *v)
{
	const struct vmcb *vmcb = to_svm(v)->vmcb;

	return !(vmcb->ctl.int_shadow & 1) && !(vmcb->ctl.eventinj & EVENTINJ_VALID);
}

/* The IRET intercept exits before the instruction runs (APM vol. 2 15.9). */
static void svm_vcpu_intercept_iret(struct vcpu *v, bool on)
{
	struct vmcb_control *c = &to_svm(v)->vmcb->ctl;

	if (on)
		c->intercept_misc1 |= INTERCEPT_IRET;
	else
		c->intercept_misc1 &= ~INTERCEPT_IRET;
}

static void svm_vcpu_set_tsc_offset(struct vcpu *v, u64 offset)
{
	to_svm(v)->vmcb->ctl.tsc_offset = offset;
}

const struct vmm_ops svm_ops = {
	.name = "svm",
	.cpu_enable = svm_cpu_enable,
	.vm_init = svm_vm_init,
	.vm_map_ram = svm_vm_map_ram,
	.vm_for_each_mapping = svm_vm_for_each_mapping,
	.vm_dirty_track = svm_vm_dirty_track,
	.vm_dirty_harvest = svm_vm_dirty_harvest,
	.vm_map_mmio = svm_vm_map_mmio,
	.vm_map_shared = svm_vm_map_shared,
	.vm_unmap_mmio = svm_vm_unmap_mmio,
	.vm_destroy = svm_vm_destroy,
	.vcpu_init = svm_vcpu_init,
	.vcpu_destroy = svm_vcpu_destroy,
	.vcpu_reset = svm_vcpu_reset,
	.vcpu_set_state = svm_vcpu_set_state,
	.vcpu_run = svm_vcpu_run,
	.vcpu_put = guest_regs_put,
	.vcpu_msr = svm_vcpu_msr,
	.vcpu_irq_window_open = svm_vcpu_irq_window_open,
	.vcpu_want_irq_window = svm_vcpu_want_irq_window,
	.vcpu_inject = svm_vcpu_inject,
	.vcpu_offer_irq = svm_vcpu_offer_irq,
	.vcpu_nmi_window_open = svm_vcpu_nmi_window_open,
	.vcpu_intercept_iret = svm_vcpu_intercept_iret,
	.vcpu_set_tsc_offset = svm_vcpu_set_tsc_offset,
};
