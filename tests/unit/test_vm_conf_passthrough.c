/* The configuration's passthrough key (hv/core/vm_conf_passthrough.c):
 * host PCI functions by address or by vendor:device, several per VM, each
 * and every refusal with its exact message. */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include <bulkhead/vm_conf.h>

static const char *const mods[] = { "build/guests/ok.elf" };
static struct vm_conf_env env = {
	.file = "vms.conf",
	.free_bytes = 1000ULL << 20,
	.mods = mods,
	.nr_mods = 1,
	.check_mods = true,
};

#include "conf_test.h"

#define VM_A "[vm a]\nrole = work\nkernel = ok.elf\n"
#define VM_B "[vm b]\nrole = personal\nkernel = ok.elf\n"

static void test_good(void **state)
{
	const struct vm_config *a = &conf.vms[0].cfg, *b = &conf.vms[1].cfg;
	char name[16];

	(void)state;
	assert_true(parse(VM_A "passthrough = 00:03.0, 1b36:0010 ,0a:1F.7\n" VM_B));
	assert_int_equal(conf.nr_vms, 2);
	assert_int_equal(a->nr_passthrough, 3);
	assert_false(a->passthrough[0].by_id);
	assert_int_equal(a->passthrough[0].bus, 0);
	assert_int_equal(a->passthrough[0].dev, 3);
	assert_int_equal(a->passthrough[0].fn, 0);
	assert_int_equal(a->passthrough[0].line, 4);
	assert_int_equal(a->passthrough[0].col, 15);
	assert_string_equal(a->passthrough[0].file, "vms.conf");
	assert_true(a->passthrough[1].by_id);
	assert_int_equal(a->passthrough[1].vendor, 0x1b36);
	assert_int_equal(a->passthrough[1].device, 0x0010);
	assert_int_equal(a->passthrough[1].col, 24);
	assert_int_equal(a->passthrough[2].bus, 0x0a);
	assert_int_equal(a->passthrough[2].dev, 0x1f);
	assert_int_equal(a->passthrough[2].fn, 7);
	assert_int_equal(a->passthrough[2].col, 35);
	assert_int_equal(b->nr_passthrough, 0);
	passthrough_spec_name(&a->passthrough[1], name, sizeof(name));
	assert_string_equal(name, "1b36:0010");
	passthrough_spec_name(&a->passthrough[2], name, sizeof(name));
	assert_string_equal(name, "0a:1f.7");
}

static void test_bad_items(void **state)
{
	(void)state;
	refused(VM_A "passthrough = 00:20.0\n",
		"vms.conf:4:15: expected a PCI function (BB:DD.F or VVVV:DDDD in hex), found '00:20.0'");
	refused(VM_A "passthrough = 00:03.8\n",
		"vms.conf:4:15: expected a PCI function (BB:DD.F or VVVV:DDDD in hex), found '00:03.8'");
	refused(VM_A "passthrough = 1b36:10\n",
		"vms.conf:4:15: expected a PCI function (BB:DD.F or VVVV:DDDD in hex), found '1b36:10'");
	refused(VM_A "passthrough = 00:03.0,\n",
		"vms.conf:4:23: expected a PCI function (BB:DD.F or VVVV:DDDD in hex), found ''");
	refused(VM_A "passthrough = 00:03.0 1b36:0010\n",
		"vms.conf:4:15: expected a PCI function (BB:DD.F or VVVV:DDDD in hex), "
		"found '00:03.0 1b36:0010'");
	refused(VM_A "passthrough = \"0g:03.0\"\n",
		"vms.conf:4:16: expected a PCI function (BB:DD.F or VVVV:DDDD in hex), found '0g:03.0'");
	refused(VM_A "passthrough = 00:01.0, 00:02.0, 00:03.0, 00:04.0, 00:05.0\n",
		"vms.conf:4:51: expected at most 4 passed-through PCI functions");
	refused(VM_A "passthrough = 00:01.0\npassthrough = 00:02.0\n",
		"vms.conf:5:1: 'passthrough' given twice for VM 'a' (first on line 4)");
}

/* One function named twice, in one VM or in two, is for the boot to
 * refuse (hv/dev/pci/passthrough.c: only the VM asking second is kept
 * from starting), so the file is accepted with both items. */
static void test_given_twice(void **state)
{
	(void)state;
	assert_true(parse(VM_A "passthrough = 1b36:0010\n" VM_B "passthrough = 00:04.0, 1B36:0010\n"));
	assert_int_equal(conf.vms[0].cfg.nr_passthrough, 1);
	assert_int_equal(conf.vms[1].cfg.nr_passthrough, 2);
	assert_int_equal(conf.vms[1].cfg.passthrough[1].vendor, 0x1b36);
	assert_int_equal(conf.vms[1].cfg.passthrough[1].line, 8);
	assert_int_equal(conf.vms[1].cfg.passthrough[1].col, 24);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad_items),
		cmocka_unit_test(test_given_twice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
