/* What the boot CPU offers, read once from CPUID at boot. */
#ifndef BULKHEAD_X86_CPU_FEATURES_H
#define BULKHEAD_X86_CPU_FEATURES_H

#include <bulkhead/types.h>

struct cpu_features {
	char vendor[13];
	u32 family, model, stepping;
	bool svm, npt, nrip_save, decode_assists, vmcb_clean, flush_by_asid;
	bool x2apic, gbpages, nx, invariant_tsc, smep, smap;
	u32 phys_addr_bits, virt_addr_bits;
	u32 nr_asids;
};

extern struct cpu_features boot_cpu;

void cpu_features_read(struct cpu_features *f);
void cpu_features_report(const struct cpu_features *f);

#endif
