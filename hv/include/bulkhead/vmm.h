/* The vendor ops table: the only way the core reaches SVM (or, later, VMX).
 * Chosen once at boot (bhyve vmm_ops, Jailhouse asm/vcpu.h). */
#ifndef BULKHEAD_VMM_H
#define BULKHEAD_VMM_H

#include <bulkhead/pagetable.h>
#include <bulkhead/types.h>
#include <bulkhead/vcpu.h>
#include <bulkhead/vm_exit.h>
#include <bulkhead/x86/insn_emul.h>

struct vm;

/* Initial register state of a vCPU, neutral. */
struct vcpu_init_state {
	u64 cr0, cr3, cr4, efer, rip, rflags;
	u16 cs_sel, ds_sel;
	struct x86_segment cs, ds; /* ds is also used for es, ss, fs, gs */
	u64 gdtr_base, idtr_base;
	u32 gdtr_limit, idtr_limit;
};

struct vmm_ops {
	const char *name;
	/* Turns virtualization on for this CPU. */
	bool (*cpu_enable)(const char **err);
	/* Creation takes all of a VM's backend resources or none. */
	bool (*vm_init)(struct vm *vm, const char **err);
	/* Gives back what vm_init took (nested page table, ASID). */
	void (*vm_destroy)(struct vm *vm);
	/* Maps guest RAM [gpa, gpa + size) to host [hpa, ...) in the nested
	 * page table, read/write/execute. */
	bool (*vm_map_ram)(struct vm *vm, u64 gpa, u64 hpa, u64 size);
	/* Maps a passed-through device's MMIO [hpa, hpa + size) at gpa,
	 * read/write, no execute, uncached, in 4 KiB pages (all page-aligned). */
	bool (*vm_map_mmio)(struct vm *vm, u64 gpa, u64 hpa, u64 size);
	/* Maps hypervisor pages a device shares with its VM (the service
	 * ring's memory) [hpa, hpa + size) at gpa, read/write, no execute,
	 * write-back like the hypervisor's own mapping of them, in 4 KiB
	 * pages; NULL where the backend has none (the device then traps). */
	bool (*vm_map_shared)(struct vm *vm, u64 gpa, u64 hpa, u64 size);
	/* Removes what vm_map_mmio or vm_map_shared mapped at [gpa, gpa + size); each vCPU
	 * drops its cached translations before it next enters the guest. */
	bool (*vm_unmap_mmio)(struct vm *vm, u64 gpa, u64 size);
	/* Every guest-physical -> host mapping of the nested page table. */
	bool (*vm_for_each_mapping)(struct vm *vm, pt_leaf_fn *fn, void *ctx);
	/* Dirty tracking of guest RAM [gpa, gpa + npages * 4 KiB) through the
	 * nested page table's dirty bits; NULL where the backend has none.
	 * vm_dirty_track maps the range with 4 KiB pages (once per VM life);
	 * vm_dirty_harvest splits what was mapped since (RAM is mapped on
	 * first touch), sets bit i of bits (zeroed by the caller) for each
	 * page written since the last harvest, clears those dirty bits and
	 * has every vCPU of the VM drop its cached translations before it
	 * next runs guest code (running ones are kicked out). A write through
	 * a translation cached before the harvest may thus land before that
	 * flush without setting D again: the caller reads a page harvested
	 * dirty once more at the next harvest. False: not tracked. */
	bool (*vm_dirty_track)(struct vm *vm, u64 gpa, u64 npages);
	bool (*vm_dirty_harvest)(struct vm *vm, u64 gpa, u64 npages, u64 *bits);
	bool (*vcpu_init)(struct vcpu *v, const char **err);
	void (*vcpu_destroy)(struct vcpu *v);
	/* The backend's vCPU state (VMCB) as vcpu_init left it. */
	void (*vcpu_reset)(struct vcpu *v);
	void (*vcpu_set_state)(struct vcpu *v, const struct vcpu_init_state *s);
	/* Enters the guest until the next exit; fills *exit and
	 * v->exit_state (CRs, EFER, CPL, segments: vm_exit.h). */
	void (*vcpu_run)(struct vcpu *v, struct vm_exit *exit);
	/* This CPU stops running v for now (end of its slice); v may run on
	 * another CPU next, so nothing of v may stay only in this CPU's
	 * registers or caches (KVM's vcpu_put). */
	void (*vcpu_put)(struct vcpu *v);
	/* MSRs whose state the hardware keeps per guest (EFER, PAT):
	 * returns false if index is not one of them. */
	bool (*vcpu_msr)(struct vcpu *v, u32 index, bool write, u64 *val);
	/* Can an external interrupt be injected now (IF=1, no shadow)? */
	bool (*vcpu_irq_window_open)(struct vcpu *v);
	/* Exit as soon as the guest can take an interrupt. */
	void (*vcpu_want_irq_window)(struct vcpu *v, bool on);
	/* Injects *e at the next entry. */
	void (*vcpu_inject)(struct vcpu *v, const struct vcpu_event *e);
	/* Optional: hands external interrupt vector vec to the CPU for the
	 * next entry only; the CPU delivers it when the guest can take it
	 * (IF=1, no interrupt shadow), without an exit. At the exit the
	 * backend ends the offer (vcpu.irq_offer_ended, irq_offer_taken). Without it the core injects (vcpu_irq_window_open,
	 * vcpu_want_irq_window, vcpu_inject). */
	void (*vcpu_offer_irq)(struct vcpu *v, u8 vec);
	/* Can an NMI be injected now (no interrupt shadow, nothing injected)? */
	bool (*vcpu_nmi_window_open)(struct vcpu *v);
	/* Exit before the guest's next IRET (EXIT_IRET, SVM), or once that
	 * IRET has ended NMI blocking (EXIT_NMI_WINDOW, VMX). */
	void (*vcpu_intercept_iret)(struct vcpu *v, bool on);
	void (*vcpu_set_tsc_offset)(struct vcpu *v, u64 offset);
};

extern const struct vmm_ops *vmm;
extern const struct vmm_ops svm_ops;
extern const struct vmm_ops vmx_ops;

#endif
