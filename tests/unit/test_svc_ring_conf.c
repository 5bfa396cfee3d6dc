/* The configuration of the service VM and the disks it serves
 * (hv/core/vm_conf_*.c, docs/disks.md): `role = service` at most once,
 * `disks = svc:NAME:SIZE [ro|rw]`, and every refusal with its line and
 * column. */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include <bulkhead/vm_conf.h>

static const char *const mods[] = { "build/guests/ok.elf", "/img/data.img" };
static struct vm_conf_env env = {
	.file = "vms.conf",
	.free_bytes = 1000ULL << 20,
	.mods = mods,
	.nr_mods = sizeof(mods) / sizeof(mods[0]),
	.check_mods = true,
};

#include "conf_test.h"

#define SVC   "[vm svc]\nrole = service\nkernel = ok.elf\n"
#define WORK  "[vm w]\nrole = work\nkernel = ok.elf\n"
#define OTHER "[vm p]\nrole = personal\nkernel = ok.elf\n"

static void test_served_disks(void **state)
{
	const struct vm_config *w;

	(void)state;
	assert_true(parse(WORK "disks = svc:work-root:64MiB, data.img, svc:scratch_1.x:2GiB ro\n" SVC
			  OTHER "disks = svc:scratch_1.x:2GiB ro\n"));
	w = &conf.vms[0].cfg;
	assert_int_equal(w->nr_disks, 3);
	assert_string_equal(w->disks[0].svc_name, "work-root");
	assert_int_equal(w->disks[0].svc_bytes, 64ULL << 20);
	assert_false(w->disks[0].read_only);
	assert_int_equal(conf.vms[0].disk_mod[0], VM_CONF_NO_MODULE);
	assert_string_equal(conf.vms[0].disk[0], "svc:work-root");
	assert_string_equal(w->disks[1].svc_name, "");
	assert_int_equal(conf.vms[0].disk_mod[1], 1);
	assert_string_equal(w->disks[2].svc_name, "scratch_1.x");
	assert_int_equal(w->disks[2].svc_bytes, 2ULL << 30);
	assert_true(w->disks[2].read_only);
	assert_int_equal(conf.vms[1].cfg.role, VM_ROLE_SERVICE);
	/* the service VM restarts after a crash unless told otherwise; the
	 * other roles keep the general default (stop) */
	assert_int_equal(conf.vms[1].cfg.on_crash, VM_ON_CRASH_RESTART);
	assert_int_equal(w->on_crash, VM_ON_CRASH_STOP);
	assert_true(parse(SVC "on_crash = stop\n"));
	assert_int_equal(conf.vms[0].cfg.on_crash, VM_ON_CRASH_STOP);
}

static void test_refusals(void **state)
{
	(void)state;
	refused(WORK "disks = svc:work-root:64MiB\n",
		"vms.conf:1:1: VM 'w' has disk 'svc:work-root', served by the service VM, but no VM "
		"has 'role = service'");
	refused(SVC "[vm s2]\nrole = service\nkernel = ok.elf\n",
		"vms.conf:5:8: expected at most one VM with 'role = service', found a second (VM 'svc' "
		"on line 1 is the first)");
	refused(SVC "disks = svc:x:1MiB\n",
		"vms.conf:4:9: expected a disk of the VM's own (a boot module), found 'svc:x:1MiB' "
		"(the service VM cannot serve itself)");
	refused(SVC WORK "disks = svc:work-root\n",
		"vms.conf:7:9: expected 'svc:NAME:SIZE' with a NAME of 1 to 23 characters, found "
		"'svc:work-root'");
	refused(SVC WORK "disks = svc::1MiB\n",
		"vms.conf:7:9: expected 'svc:NAME:SIZE' with a NAME of 1 to 23 characters, found "
		"'svc::1MiB'");
	refused(SVC WORK "disks = svc:a-name-of-twenty-four-ch:1MiB\n",
		"vms.conf:7:9: expected 'svc:NAME:SIZE' with a NAME of 1 to 23 characters, found "
		"'svc:a-name-of-twenty-four-ch:1Mi'");
	refused(SVC WORK "disks = svc:a/b:1MiB\n",
		"vms.conf:7:14: expected a disk name of letters, digits, '-', '_' and '.', found 'a/b'");
	refused(SVC WORK "disks = svc:a:64\n",
		"vms.conf:7:15: expected a disk size from 1MiB to 1048576MiB (as 64MiB or 2GiB), found "
		"'64'");
	refused(SVC WORK "disks = svc:a:0MiB\n",
		"vms.conf:7:15: expected a disk size from 1MiB to 1048576MiB (as 64MiB or 2GiB), found "
		"'0MiB'");
	refused(SVC WORK "disks = svc:a:2000GiB\n",
		"vms.conf:7:15: expected a disk size of at most 1024GiB, found '2000GiB'");
	/* a writable served disk is one VM's alone, as a module is */
	refused(SVC WORK "disks = svc:a:1MiB\n" OTHER "disks = svc:a:1MiB ro\n",
		"vms.conf:11:9: expected a disk no other disk uses, found 'svc:a' (also a disk of VM 'w' "
		"on line 4; a writable disk is one VM's alone)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_served_disks),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
