/* hv/arch/x86/cpu_virt.c: the backend choice at boot from the vendor and
 * the feature bits, and the "not supported" line naming what is missing. */
#include <string.h>
#include "unit.h"
#include <bulkhead/x86/cpu_features.h>

static struct cpu_features intel_ok(void)
{
	struct cpu_features f = { .vmx = true, .vmx_ept = true, .vmx_vpid = true,
				  .vmx_unrestricted = true, .vmx_ept_4level = true,
				  .vmx_ept_wb = true, .vmx_ept_2m = true };
	memcpy(f.vendor, "GenuineIntel", 13);
	return f;
}

static struct cpu_features amd_ok(void)
{
	struct cpu_features f = { .svm = true, .npt = true };
	memcpy(f.vendor, "AuthenticAMD", 13);
	return f;
}

static void test_intel(void **state)
{
	struct cpu_features f = intel_ok();
	const char *why = NULL;

	(void)state;
	assert_int_equal(cpu_virt_kind(&f, &why), VIRT_VMX);
	f.vmx_vpid = false; /* VPIDs are optional */
	assert_int_equal(cpu_virt_kind(&f, &why), VIRT_VMX);
	f = intel_ok();
	f.vmx = false;
	assert_int_equal(cpu_virt_kind(&f, &why), VIRT_NONE);
	assert_string_equal(why, "this CPU has no Intel VMX; running VMs is not supported here yet");
	f = intel_ok();
	f.vmx_ept = false;
	assert_int_equal(cpu_virt_kind(&f, &why), VIRT_NONE);
	assert_string_equal(why, "vmx: no EPT; not supported");
	f = intel_ok();
	f.vmx_ept_2m = false;
	assert_int_equal(cpu_virt_kind(&f, &why), VIRT_NONE);
	assert_non_null(strstr(why, "2 MiB"));
	f = intel_ok();
	f.vmx_unrestricted = false;
	assert_int_equal(cpu_virt_kind(&f, &why), VIRT_NONE);
	assert_string_equal(why, "vmx: no unrestricted guest; not supported");
	/* SVM bits on an Intel CPU do not make it an SVM host */
	f = intel_ok();
	f.vmx = false;
	f.svm = f.npt = true;
	assert_int_equal(cpu_virt_kind(&f, &why), VIRT_NONE);
}

/* The AMD wording is test_no_svm's, word for word. */
static void test_amd(void **state)
{
	struct cpu_features f = amd_ok();
	const char *why = NULL;

	(void)state;
	assert_int_equal(cpu_virt_kind(&f, &why), VIRT_SVM);
	f.npt = false;
	assert_int_equal(cpu_virt_kind(&f, &why), VIRT_NONE);
	assert_string_equal(why, "this CPU has SVM without nested paging (NPT); not supported yet");
	f.svm = false;
	assert_int_equal(cpu_virt_kind(&f, &why), VIRT_NONE);
	assert_string_equal(why, "this CPU has no AMD SVM; running VMs is not supported here yet");
	/* VMX bits on an AMD CPU are ignored */
	f = amd_ok();
	f.svm = false;
	f.vmx = f.vmx_ept = f.vmx_unrestricted = true;
	assert_int_equal(cpu_virt_kind(&f, &why), VIRT_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intel),
		cmocka_unit_test(test_amd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
