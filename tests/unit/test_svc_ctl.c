/* hv/dev/svc/svc_ctl.c: the service VM's control command word (hostile:
 * every word but a known command with a known reason and zero reserved
 * bits is refused) and the status area's layout. */
#include "unit.h"
#include <string.h>
#include <bulkhead/svc_ctl.h>

static void test_lock_accepted(void **state)
{
	u32 cmd = 0, reason = 0;

	(void)state;
	assert_int_equal(svc_ctl_decode(SVC_CTL_CMD(SVC_CTL_LOCK, SVC_CTL_REVOKED), &cmd, &reason),
			 SVC_CTL_OK);
	assert_int_equal(cmd, SVC_CTL_LOCK);
	assert_int_equal(reason, SVC_CTL_REVOKED);
	assert_string_equal(svc_ctl_reason_name(reason), "device revoked");
	assert_int_equal(svc_ctl_decode(SVC_CTL_CMD(SVC_CTL_LOCK, SVC_CTL_LEASE_EXPIRED), &cmd, &reason),
			 SVC_CTL_OK);
	assert_string_equal(svc_ctl_reason_name(reason), "lease expired");
}

static void test_refusals(void **state)
{
	u32 cmd = 77, reason = 77;

	(void)state;
	assert_int_equal(svc_ctl_decode(0, &cmd, &reason), SVC_CTL_BAD_CMD);
	assert_int_equal(svc_ctl_decode(SVC_CTL_CMD(2, SVC_CTL_REVOKED), &cmd, &reason), SVC_CTL_BAD_CMD);
	assert_int_equal(svc_ctl_decode(SVC_CTL_CMD(0xff, 0xff), &cmd, &reason), SVC_CTL_BAD_CMD);
	assert_int_equal(svc_ctl_decode(SVC_CTL_CMD(SVC_CTL_LOCK, 0), &cmd, &reason), SVC_CTL_BAD_REASON);
	assert_int_equal(svc_ctl_decode(SVC_CTL_CMD(SVC_CTL_LOCK, SVC_CTL_REASON_MAX + 1), &cmd, &reason),
			 SVC_CTL_BAD_REASON);
	assert_int_equal(svc_ctl_decode(SVC_CTL_CMD(SVC_CTL_LOCK, 0xff), &cmd, &reason), SVC_CTL_BAD_REASON);
	assert_int_equal(svc_ctl_decode(SVC_CTL_CMD(SVC_CTL_LOCK, SVC_CTL_REVOKED) | 1U << 16, &cmd, &reason),
			 SVC_CTL_BAD_WORD);
	assert_int_equal(svc_ctl_decode(0xffffffffU, &cmd, &reason), SVC_CTL_BAD_WORD);
	/* a refusal leaves the outputs alone */
	assert_int_equal(cmd, 77);
	assert_int_equal(reason, 77);
}

/* Every one of the 2^16 words with no reserved bit: exactly the known
 * command with a known reason is accepted. */
static void test_all_low_words(void **state)
{
	u32 ok = 0;

	(void)state;
	for (u32 w = 0; w < 0x10000; w++) {
		u32 cmd, reason;

		if (svc_ctl_decode(w, &cmd, &reason) == SVC_CTL_OK) {
			ok++;
			assert_int_equal(cmd, SVC_CTL_LOCK);
			assert_true(reason >= 1 && reason <= SVC_CTL_REASON_MAX);
		}
	}
	assert_int_equal(ok, SVC_CTL_REASON_MAX);
}

static void test_fill(void **state)
{
	struct svc_hv_status st;
	const struct svc_ctl_vm v[] = {
		{ "svc", SVC_ROLE_SERVICE, SVC_VM_RUNNING, false, 42 },
		{ "work", SVC_ROLE_WORK, SVC_VM_RUNNING, true, 41 },
		{ "a-name-longer-than-fifteen", SVC_ROLE_PERSONAL, SVC_VM_STOPPED, false, 99 },
	};

	(void)state;
	memset(&st, 0xa5, sizeof(st));
	svc_ctl_fill(&st, 7, "bulkhead 0.1-dev", v, 3, 2);
	assert_int_equal(st.seq, 7);
	assert_int_equal(st.nr_vms, 3);
	assert_int_equal(st.vm_bytes, sizeof(struct svc_vm_status));
	assert_int_equal(st.refused, 2);
	assert_string_equal(st.hypervisor, "bulkhead 0.1-dev");
	assert_string_equal(st.vms[0].name, "svc");
	assert_int_equal(st.vms[0].role, SVC_ROLE_SERVICE);
	assert_int_equal(st.vms[0].uptime_s, 42);
	assert_int_equal(st.vms[0].locked, 0);
	assert_int_equal(st.vms[1].locked, 1);
	/* cut to 15 characters and NUL-terminated; a VM not running has no uptime */
	assert_string_equal(st.vms[2].name, "a-name-longer-t");
	assert_int_equal(st.vms[2].state, SVC_VM_STOPPED);
	assert_int_equal(st.vms[2].uptime_s, 0);
	/* the rest is zero, nothing of the old contents left */
	for (u32 i = 3; i < SVC_STATUS_VMS; i++)
		assert_int_equal(st.vms[i].name[0], 0);
	assert_int_equal(st.vms[0].name[15], 0);
}

static void test_fill_caps_vms(void **state)
{
	struct svc_hv_status st;
	struct svc_ctl_vm v[SVC_STATUS_VMS + 3];

	(void)state;
	for (u32 i = 0; i < SVC_STATUS_VMS + 3; i++)
		v[i] = (struct svc_ctl_vm){ "vm", SVC_ROLE_WORK, SVC_VM_RUNNING, false, i };
	svc_ctl_fill(&st, 1, "", v, SVC_STATUS_VMS + 3, 0);
	assert_int_equal(st.nr_vms, SVC_STATUS_VMS);
	assert_int_equal(st.vms[SVC_STATUS_VMS - 1].uptime_s, SVC_STATUS_VMS - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_accepted),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_all_low_words),
		cmocka_unit_test(test_fill),
		cmocka_unit_test(test_fill_caps_vms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
