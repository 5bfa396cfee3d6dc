/* Which backend this CPU can run (pure: from struct cpu_features, so a
 * unit test can give it any CPU). Intel: VMX, EPT with 4-level walks,
 * write-back and 2 MiB pages, unrestricted guest (SDM vol. 3 A.3.3, A.10);
 * AMD: SVM with nested paging (APM vol. 3 E.4.9). */
#include <bulkhead/string.h>
#include <bulkhead/x86/cpu_features.h>

/* Vendor first: each vendor's own extension, checked for what the backend
 * needs; the missing piece named in words. */
enum virt_kind cpu_virt_kind(const struct cpu_features *f, const char **why)
{
	if (!memcmp(f->vendor, "GenuineIntel", 12)) {
		if (!f->vmx)
			*why = "this CPU has no Intel VMX; running VMs is not supported here yet";
		else if (!f->vmx_ept)
			*why = "vmx: no EPT; not supported";
		else if (!f->vmx_ept_4level || !f->vmx_ept_wb || !f->vmx_ept_2m)
			*why = "vmx: EPT without 4-level walks, write-back or 2 MiB pages; not supported";
		else if (!f->vmx_unrestricted)
			*why = "vmx: no unrestricted guest; not supported";
		else
			return VIRT_VMX;
		return VIRT_NONE;
	}
	if (!f->svm)
		*why = "this CPU has no AMD SVM; running VMs is not supported here yet";
	else if (!f->npt)
		*why = "this CPU has SVM without nested paging (NPT); not supported yet";
	else
		return VIRT_SVM;
	return VIRT_NONE;
}
