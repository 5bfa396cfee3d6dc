/* Intel VT-x backend, per CPU and per VM: VMXON, the I/O and MSR bitmaps,
 * EPT and VPIDs (Intel SDM vol. 3 chapters 24-29). The vCPU part is in
 * vmx_vcpu.c. */
#include <bulkhead/console.h>
#include <bulkhead/hv.h>
#include <bulkhead/mm.h>
#include <bulkhead/percpu.h>
#include <bulkhead/string.h>
#include <bulkhead/vmm.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/cpu_features.h>
#include <bulkhead/x86/xstate.h>
#include "ept.h"
#include "vmx_cpu.h"
#include "vmx_priv.h"

#define MSR_FEATURE_CONTROL    0x3aU
#define FEATURE_CONTROL_LOCK   (1ULL << 0)
#define FEATURE_CONTROL_VMXON  (1ULL << 2) /* outside SMX */
#define MSR_VMX_BASIC          0x480U
#define MSR_VMX_CR0_FIXED0     0x486U
#define MSR_VMX_CR0_FIXED1     0x487U
#define MSR_VMX_CR4_FIXED0     0x488U
#define MSR_VMX_CR4_FIXED1     0x489U
#define MSR_VMX_MISC           0x485U
#define MSR_VMX_EPT_VPID_CAP   0x48cU
#define CR4_VMXE               (1ULL << 13)
#define EPT_CAP_INVEPT         (1ULL << 20)
#define EPT_CAP_INVEPT_ALL     (1ULL << 26)
#define VPID_CAP_INVVPID       (1ULL << 32)
#define VPID_CAP_INVVPID_ALL   (1ULL << 42)

struct vmx_cpu vmx_cpu;
/* VPIDs 1..VM_MAX, one per live VM. */
static bool vpid_used[VM_MAX + 1];
static struct vmx_percpu vmx_percpus[HV_MAX_CPUS];

/* MSRs whose guest values the CPU keeps while the guest runs, without
 * exits: FS/GS base and SYSENTER_* through guest-state fields (25.4),
 * STAR/LSTAR/CSTAR/SFMASK/KernelGSBase through each vCPU's MSR area
 * (vmx_vcpu.c). The same set SVM passes through. */
static const u32 passthrough_msrs[] = {
	0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, /* STAR, LSTAR, CSTAR, SFMASK */
	0xc0000100, 0xc0000101, 0xc0000102,             /* FS, GS, KernelGS base */
	0x174, 0x175, 0x176,                            /* SYSENTER CS/ESP/EIP */
};

/* MSR bitmap (25.6.9): read bitmap for 0-1FFFh at 0, for C0000000h-
 * C0001FFFh at 1024, the write bitmaps 2048 bytes later; a set bit exits.
 * MSRs outside both ranges always exit. */
static void msr_bitmap_allow(u8 *bm, u32 msr)
{
	u32 base;

	if (msr < 0x2000)
		base = 0;
	else if (msr >= 0xc0000000U && msr < 0xc0002000U)
		base = 1024;
	else
		return;
	msr &= 0x1fff;
	bm[base + msr / 8] &= (u8)~(1U << (msr % 8));
	bm[base + 2048 + msr / 8] &= (u8)~(1U << (msr % 8));
}

static void invept_all(void)
{
	struct { u64 eptp, zero; } d = { 0, 0 };

	__asm__ volatile("invept %0, %1" ::"m"(d), "r"(2ULL) : "cc", "memory"); /* 31.3 */
}

void vmx_invvpid_all(void)
{
	struct { u64 vpid, addr; } d = { 0, 0 };

	if (vmx_cpu.use_vpid)
		__asm__ volatile("invvpid %0, %1" ::"m"(d), "r"(2ULL) : "cc", "memory");
}

/* The I/O and MSR bitmaps, one policy for every vCPU, made by the first
 * CPU and read-only after. I/O bitmaps A and B (25.6.4): every port exits. */
static bool bitmaps(void)
{
	if (vmx_cpu.msr_bitmap)
		return true;
	vmx_cpu.io_bitmaps = mm_alloc_pages(2);
	vmx_cpu.msr_bitmap = mm_alloc_pages(1);
	if (!vmx_cpu.io_bitmaps || !vmx_cpu.msr_bitmap)
		return false;
	memset(phys_to_virt(vmx_cpu.io_bitmaps), 0xff, 2 * PAGE_SIZE);
	memset(phys_to_virt(vmx_cpu.msr_bitmap), 0xff, PAGE_SIZE);
	for (unsigned i = 0; i < ARRAY_SIZE(passthrough_msrs); i++)
		msr_bitmap_allow(phys_to_virt(vmx_cpu.msr_bitmap), passthrough_msrs[i]);
	return true;
}

/* Per CPU: the firmware must allow VMXON (IA32_FEATURE_CONTROL, 24.7),
 * CR0 and CR4 must hold the fixed bits (24.8, A.7-A.8), and the VMXON
 * region starts with the VMCS revision identifier (24.11.5). */
static bool vmx_cpu_enable(const char **err)
{
	u64 fc = rdmsr(MSR_FEATURE_CONTROL), basic = rdmsr(MSR_VMX_BASIC);
	u64 cap = rdmsr(MSR_VMX_EPT_VPID_CAP);
	u64 cr0, cr4;
	u8 flags;

	if ((fc & FEATURE_CONTROL_LOCK) && !(fc & FEATURE_CONTROL_VMXON)) {
		*err = "vmx: VMXON is disabled by the firmware (IA32_FEATURE_CONTROL)";
		return false;
	}
	if (!(fc & FEATURE_CONTROL_LOCK))
		wrmsr(MSR_FEATURE_CONTROL, fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMXON);
	if (!(cap & EPT_CAP_INVEPT) || !(cap & EPT_CAP_INVEPT_ALL)) {
		*err = "vmx: no all-context INVEPT";
		return false;
	}
	vmx_cpu.use_vpid = boot_cpu.vmx_vpid && (cap & VPID_CAP_INVVPID) &&
			   (cap & VPID_CAP_INVVPID_ALL);
	vmx_cpu.revision = (u32)basic & 0x7fffffffU;
	vmx_cpu.true_ctls = (basic >> 55) & 1;
	vmx_cpu.io_insn_info = (basic >> 54) & 1;
	vmx_cpu.cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	vmx_cpu.cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	vmx_cpu.cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	vmx_cpu.cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	vmx_cpu.misc = rdmsr(MSR_VMX_MISC);
	/* Bits fixed to 1 are set (CR0.NE: native x87 error reporting, which
	 * the hypervisor does not use; CR4.VMXE); bits fixed to 0 must be. */
	cr0 = read_cr0() | vmx_cpu.cr0_fixed0;
	cr4 = read_cr4() | vmx_cpu.cr4_fixed0 | CR4_VMXE;
	if ((cr0 & ~vmx_cpu.cr0_fixed1) || (cr4 & ~vmx_cpu.cr4_fixed1)) {
		*err = "vmx: the host's CR0/CR4 set a bit VMX operation fixes to 0";
		return false;
	}
	__asm__ volatile("mov %0, %%cr0" ::"r"(cr0) : "memory");
	write_cr4(cr4);
	if (!vmx_controls_init(err) || !xstate_cpu_init(err))
		return false;
	struct cpu *c = this_cpu();
	struct vmx_percpu *pc = &vmx_percpus[c->index];
	u64 vmxon = pc->vmxon ? pc->vmxon : mm_alloc_pages(1);

	pc->vmxon = vmxon;
	if (!vmxon || !bitmaps()) {
		*err = "vmx: out of memory for the VMXON region and bitmaps";
		return false;
	}
	*(u32 *)phys_to_virt(vmxon) = vmx_cpu.revision;
	__asm__ volatile("vmxon %1; setbe %0" : "=qm"(flags) : "m"(vmxon) : "cc", "memory");
	if (flags) {
		*err = "vmx: VMXON failed";
		return false;
	}
	invept_all();
	vmx_invvpid_all();
	c->vmm = pc;
	return true;
}

static u64 ept_alloc(void *ctx)
{
	(void)ctx;
	return mm_alloc_pages(1);
}

static u64 *ept_ptr(void *ctx, u64 pa)
{
	(void)ctx;
	return phys_to_virt(pa);
}

static void ept_free(void *ctx, u64 pa)
{
	(void)ctx;
	mm_free_pages(pa, 1);
}

static const struct pt_ops ept_ops = { ept_alloc, ept_ptr, NULL, ept_free };

static u16 vpid_alloc(void)
{
	for (u16 id = 1; id < ARRAY_SIZE(vpid_used); id++) {
		if (!vpid_used[id]) {
			vpid_used[id] = true;
			return id;
		}
	}
	return 0;
}

/* Creation takes a VPID and the EPT root, or nothing. Translations a
 * destroyed VM left under a reused root or VPID are flushed here: all
 * contexts, which costs nothing before the VM first runs (31.3). */
static bool vmx_vm_init(struct vm *vm, const char **err)
{
	struct vmx_vm *x = vm_dev_alloc(vm, sizeof(*x));

	if (!x) {
		*err = "vmx: VM state does not fit its arena";
		return false;
	}
	if (vmx_cpu.use_vpid && !(x->vpid = vpid_alloc())) {
		*err = "vmx: out of VPIDs";
		return false;
	}
	if (pt_init(&x->ept, &ept_ops) != PT_OK) {
		vpid_used[x->vpid] = false;
		*err = "vmx: out of memory for the EPT";
		return false;
	}
	invept_all();
	vmx_invvpid_all();
	vm->arch = x;
	return true;
}

static void vmx_vm_destroy(struct vm *vm)
{
	struct vmx_vm *x = vm->arch;

	pt_destroy(&x->ept);
	vpid_used[x->vpid] = false;
	vm->arch = NULL;
}

static bool vmx_vm_map_ram(struct vm *vm, u64 gpa, u64 hpa, u64 size)
{
	struct vmx_vm *x = vm->arch;

	return ept_map_ram(&x->ept, gpa, hpa, size);
}

static bool vmx_vm_for_each_mapping(struct vm *vm, pt_leaf_fn *fn, void *ctx)
{
	struct vmx_vm *x = vm->arch;

	return pt_for_each_leaf(&x->ept, fn, ctx);
}

const struct vmm_ops vmx_ops = {
	.name = "vmx",
	.cpu_enable = vmx_cpu_enable,
	.vm_init = vmx_vm_init,
	.vm_map_ram = vmx_vm_map_ram,
	.vm_for_each_mapping = vmx_vm_for_each_mapping,
	.vm_destroy = vmx_vm_destroy,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_destroy = vmx_vcpu_destroy,
	.vcpu_reset = vmx_vcpu_reset,
	.vcpu_set_state = vmx_vcpu_set_state,
	.vcpu_run = vmx_vcpu_run,
	.vcpu_put = vmx_vcpu_put,
	.vcpu_msr = vmx_vcpu_msr,
	.vcpu_irq_window_open = vmx_vcpu_irq_window_open,
	.vcpu_want_irq_window = vmx_vcpu_want_irq_window,
	.vcpu_inject = vmx_vcpu_inject,
	.vcpu_nmi_window_open = vmx_vcpu_nmi_window_open,
	.vcpu_intercept_iret = vmx_vcpu_intercept_iret,
	.vcpu_set_tsc_offset = vmx_vcpu_set_tsc_offset,
};
