/* The configuration keys of the virtio devices (hv/core/vm_conf_values.c,
 * docs/configuration.md): disks with read-only/writable modes, vconsole,
 * rng, and every refusal with its line and column. */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include <bulkhead/vm_conf.h>

static const char *const mods[] = {
	"build/guests/ok.elf",
	"/img/data.img",
	"/img/master.img",
	"/img/other.img name=third",
	"a/dup.img",
	"b/dup.img",
};
static struct vm_conf_env env = {
	.file = "vms.conf",
	.free_bytes = 1000ULL << 20,
	.mods = mods,
	.nr_mods = sizeof(mods) / sizeof(mods[0]),
	.check_mods = true,
};

#include "conf_test.h"

#define VM_A "[vm a]\nrole = work\nkernel = ok.elf\n"
#define VM_B "[vm b]\nrole = personal\nkernel = ok.elf\n"

static void test_disks(void **state)
{
	(void)state;
	assert_true(parse(VM_A "disks = data.img, master.img ro , third rw\nvconsole = yes\nrng = yes\n"
			  VM_B "disks = master.img ro\n"));
	assert_int_equal(conf.nr_vms, 2);
	assert_int_equal(conf.vms[0].cfg.nr_disks, 3);
	assert_int_equal(conf.vms[0].disk_mod[0], 1);
	assert_false(conf.vms[0].cfg.disks[0].read_only);
	assert_int_equal(conf.vms[0].disk_mod[1], 2);
	assert_true(conf.vms[0].cfg.disks[1].read_only);
	assert_int_equal(conf.vms[0].disk_mod[2], 3);
	assert_false(conf.vms[0].cfg.disks[2].read_only);
	assert_string_equal(conf.vms[0].disk[2], "third");
	assert_true(conf.vms[0].cfg.vconsole);
	assert_true(conf.vms[0].cfg.rng);
	assert_int_equal(conf.vms[1].cfg.nr_disks, 1);
	assert_false(conf.vms[1].cfg.vconsole);
	assert_false(conf.vms[1].cfg.rng);
}

static void test_refusals(void **state)
{
	(void)state;
	refused(VM_A "disks = nosuch.img\n",
		"vms.conf:4:9: expected the name of a boot module, found 'nosuch.img' (no module has "
		"that name)");
	refused(VM_A "disks = data.img, dup.img\n",
		"vms.conf:4:19: expected the name of one boot module, found 'dup.img' (2 modules have "
		"that name)");
	refused(VM_A "disks = data.img rx\n",
		"vms.conf:4:18: expected 'ro' or 'rw' after the disk's module, found 'rx'");
	refused(VM_A "disks = data.img,,master.img\n",
		"vms.conf:4:18: expected a disk (a boot module name, then 'ro' or 'rw'), found ''");
	refused(VM_A "disks = data.img, master.img ro, third, data.img ro, master.img\n",
		"vms.conf:4:41: expected a disk no other disk uses, found 'data.img' (also a disk of "
		"VM 'a' on line 1; a writable disk is one VM's alone)");
	/* a writable disk of one VM in another: refused both ways */
	refused(VM_A "disks = data.img\n" VM_B "disks = data.img ro\n",
		"vms.conf:8:9: expected a disk no other disk uses, found 'data.img' (also a disk of "
		"VM 'a' on line 1; a writable disk is one VM's alone)");
	refused(VM_A "disks = master.img ro\n" VM_B "disks = master.img\n",
		"vms.conf:8:9: expected a disk no other disk uses, found 'master.img' (also a disk of "
		"VM 'a' on line 1; a writable disk is one VM's alone)");
	refused(VM_A "disks = data.img, master.img ro, third, master.img ro, dup.img\n",
		"vms.conf:4:56: expected at most 4 disks");
	refused(VM_A "vconsole = on\n", "vms.conf:4:12: expected 'yes' or 'no', found 'on'");
	refused(VM_A "rng = 1\n", "vms.conf:4:7: expected 'yes' or 'no', found '1'");
	refused(VM_A "rng = yes\nrng = no\n",
		"vms.conf:5:1: 'rng' given twice for VM 'a' (first on line 4)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disks),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
