/* What the boot CPU offers, read once from CPUID at boot. */
#ifndef BULKHEAD_X86_CPU_FEATURES_H
#define BULKHEAD_X86_CPU_FEATURES_H

#include <bulkhead/types.h>

struct cpu_features {
	char vendor[13];
	u32 family, model, stepping;
	bool svm, npt, nrip_save, decode_assists, vmcb_clean, flush_by_asid;
	bool x2apic, gbpages, nx, invariant_tsc, smep, smap;
	/* XSAVE feature set (SDM vol. 1 13.2; CPUID 0xD, APM vol. 3 E.3.9) */
	bool xsave, xsaveopt, xsavec, xsaves, xgetbv1;
	bool xsave_errptr;  /* x87 error pointers always saved (CPUID 0x80000008 EBX[2]) */
	u64 xcr0_supported; /* XCR0 bits the CPU implements (CPUID 0xD.0 EDX:EAX) */
	u32 phys_addr_bits, virt_addr_bits;
	u32 nr_asids;
	/* Intel VT-x (SDM vol. 3 A.3.2-A.3.3, A.10): CPUID.1:ECX.VMX and the
	 * allowed-1 settings of the secondary processor-based controls. */
	bool vmx, vmx_ept, vmx_vpid, vmx_unrestricted;
	bool vmx_ept_4level, vmx_ept_wb, vmx_ept_2m; /* IA32_VMX_EPT_VPID_CAP */
};

/* Which hardware virtualization this CPU offers, as the boot backend
 * choice sees it (cpu_features.c). */
enum virt_kind {
	VIRT_NONE,     /* neither usable: *why says what is missing */
	VIRT_SVM,      /* AMD SVM with nested paging */
	VIRT_VMX,      /* Intel VMX with EPT (4-level, WB, 2 MiB) and unrestricted guest */
};

extern struct cpu_features boot_cpu;

void cpu_features_read(struct cpu_features *f);
void cpu_features_report(const struct cpu_features *f);
/* Pure: from the vendor string and the feature bits. */
enum virt_kind cpu_virt_kind(const struct cpu_features *f, const char **why);

#endif
