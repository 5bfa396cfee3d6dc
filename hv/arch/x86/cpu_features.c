/* Boot CPU identification and the feature report printed at boot.
 * CPUID leaves: AMD APM vol. 3 appendix E; Intel SDM vol. 2A CPUID. */
#include <bulkhead/console.h>
#include <bulkhead/string.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/cpu_features.h>

struct cpu_features boot_cpu;

#define BIT(r, n) (((r) >> (n)) & 1)

/* VMX capability MSRs (SDM vol. 3 appendix A) */
#define MSR_VMX_BASIC           0x480U
#define MSR_VMX_PROCBASED_CTLS  0x482U
#define MSR_VMX_PROCBASED_CTLS2 0x48bU
#define MSR_VMX_EPT_VPID_CAP    0x48cU
#define MSR_VMX_TRUE_PROCBASED  0x48eU
#define PROC_SECONDARY          31  /* activate secondary controls */
#define PROC2_EPT               1
#define PROC2_VPID              5
#define PROC2_UNRESTRICTED      7

/* Which secondary controls may be 1 (the high half of IA32_VMX_PROCBASED_
 * CTLS2, SDM vol. 3 A.3.3) and what EPT can do (A.10). Read only where
 * CPUID says VMX exists: the MSRs #GP otherwise. */
static void vmx_features_read(struct cpu_features *f)
{
	u64 basic = rdmsr(MSR_VMX_BASIC);
	u64 proc = rdmsr((basic >> 55) & 1 ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED_CTLS);
	u32 proc2;

	if (!BIT(proc >> 32, PROC_SECONDARY))
		return;
	proc2 = (u32)(rdmsr(MSR_VMX_PROCBASED_CTLS2) >> 32);
	f->vmx_ept = BIT(proc2, PROC2_EPT);
	f->vmx_vpid = BIT(proc2, PROC2_VPID);
	f->vmx_unrestricted = BIT(proc2, PROC2_UNRESTRICTED);
	if (f->vmx_ept) {
		u64 cap = rdmsr(MSR_VMX_EPT_VPID_CAP);
		f->vmx_ept_4level = BIT(cap, 6);
		f->vmx_ept_wb = BIT(cap, 14);
		f->vmx_ept_2m = BIT(cap, 16);
	}
}

void cpu_features_read(struct cpu_features *f)
{
	struct cpuid_regs r = cpuid(0, 0), r1;
	u32 max_ext;

	memset(f, 0, sizeof(*f));
	memcpy(f->vendor, &r.ebx, 4);
	memcpy(f->vendor + 4, &r.edx, 4);
	memcpy(f->vendor + 8, &r.ecx, 4);

	r1 = cpuid(1, 0);
	f->stepping = r1.eax & 0xf;
	f->model = (r1.eax >> 4) & 0xf;
	f->family = (r1.eax >> 8) & 0xf;
	if (f->family == 0xf)
		f->family += (r1.eax >> 20) & 0xff;
	if (f->family >= 0x6)
		f->model |= ((r1.eax >> 16) & 0xf) << 4;
	f->x2apic = BIT(r1.ecx, 21);
	f->vmx = BIT(r1.ecx, 5);
	if (f->vmx)
		vmx_features_read(f);
	f->xsave = BIT(r1.ecx, 26);
	if (f->xsave && r.eax >= 0xd) {
		struct cpuid_regs d0 = cpuid(0xd, 0), d1 = cpuid(0xd, 1);
		f->xcr0_supported = ((u64)d0.edx << 32) | d0.eax;
		f->xsaveopt = BIT(d1.eax, 0);
		f->xsavec = BIT(d1.eax, 1);
		f->xgetbv1 = BIT(d1.eax, 2);
		f->xsaves = BIT(d1.eax, 3);
	}
	if (r.eax >= 7) {
		struct cpuid_regs r7 = cpuid(7, 0);
		f->smep = BIT(r7.ebx, 7);
		f->smap = BIT(r7.ebx, 20);
	}

	max_ext = cpuid(0x80000000U, 0).eax;
	if (max_ext >= 0x80000001U) {
		struct cpuid_regs e = cpuid(0x80000001U, 0);
		f->svm = BIT(e.ecx, 2);
		f->nx = BIT(e.edx, 20);
		f->gbpages = BIT(e.edx, 26);
	}
	if (max_ext >= 0x80000007U)
		f->invariant_tsc = BIT(cpuid(0x80000007U, 0).edx, 8);
	if (max_ext >= 0x80000008U) {
		struct cpuid_regs a = cpuid(0x80000008U, 0);
		f->phys_addr_bits = a.eax & 0xff;
		f->xsave_errptr = BIT(a.ebx, 2);
		f->virt_addr_bits = (a.eax >> 8) & 0xff;
	}
	if (f->svm && max_ext >= 0x8000000aU) {
		struct cpuid_regs s = cpuid(0x8000000aU, 0); /* APM vol. 3 E.4.9 */
		f->nr_asids = s.ebx;
		f->npt = BIT(s.edx, 0);
		f->nrip_save = BIT(s.edx, 3);
		f->vmcb_clean = BIT(s.edx, 5);
		f->flush_by_asid = BIT(s.edx, 6);
		f->decode_assists = BIT(s.edx, 7);
	}
}

static const char *yn(bool b)
{
	return b ? "yes" : "no";
}

void cpu_features_report(const struct cpu_features *f)
{
	printf("cpu: %s family %#x model %#x stepping %u, %u-bit physical, %u-bit virtual\n",
	       f->vendor, f->family, f->model, f->stepping, f->phys_addr_bits, f->virt_addr_bits);
	printf("cpu: svm %s, npt %s, nrip-save %s, decode-assists %s, vmcb-clean %s, "
	       "asids %u\n",
	       yn(f->svm), yn(f->npt), yn(f->nrip_save), yn(f->decode_assists),
	       yn(f->vmcb_clean), f->nr_asids);
	printf("cpu: vmx %s, ept %s, vpid %s, unrestricted-guest %s\n", yn(f->vmx),
	       yn(f->vmx_ept), yn(f->vmx_vpid), yn(f->vmx_unrestricted));
	printf("cpu: x2apic %s, 1g-pages %s, nx %s, invariant-tsc %s, smep %s, smap %s\n",
	       yn(f->x2apic), yn(f->gbpages), yn(f->nx), yn(f->invariant_tsc), yn(f->smep),
	       yn(f->smap));
	printf("cpu: xsave %s (xcr0 %#lx), xsaveopt %s, xsavec %s, xsaves %s, "
	       "x87 error pointers %s\n",
	       yn(f->xsave), f->xcr0_supported, yn(f->xsaveopt), yn(f->xsavec), yn(f->xsaves),
	       f->xsave_errptr ? "always saved" : "saved only with an exception pending");
}
