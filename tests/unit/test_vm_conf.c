/* hv/core/vm_conf_*.c: the VM configuration file (docs/configuration.md),
 * a good file in full and every refusal with its exact message. */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include <bulkhead/vm_conf.h>

static const char *const mods[] = {
	"build/guests/ok.elf",
	"/boot/vmlinuz-6.1 name=linux quiet",
	"/boot/initrd.img",
	"build/guests/exits.elf hello-module",
	"a/dup.bin",
	"b/dup.bin",
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

static const char good[] =
	"# the demo machine\n"
	"[vm work]\n"
	"role = work\n"
	"label = #1E64C8\n"
	"memory = 512 MiB\n"
	"vcpus = 2\n"
	"kernel = linux\n"
	"initrd = initrd.img\n"
	"cmdline = \"console=ttyS0 quiet \\\"x\\\" # not a comment\"   # a comment\n"
	"devices = serial, testexit testdev\n"
	"on_crash = restart\n"
	"autostart = yes\n"
	"weight = 300\n"
	"\r\n"
	"  [ vm   personal ]  # spaces are fine\r\n"
	"\trole=personal\r\n"
	"memory=1 GiB\n"
	"kernel = ok.elf\n"
	"cmdline = a  b # comment\n"
	"[vm tmp-1]\n"
	"role = disposable\n"
	"memory = 3\n"
	"kernel = exits.elf\n"
	"autostart = no\n"
	"on_crash = stop\n"
	"label = purple";

static void test_good(void **state)
{
	const struct vm_conf_vm *w = &conf.vms[0], *p = &conf.vms[1], *t = &conf.vms[2];

	(void)state;
	env.free_bytes = 2048ULL << 20;
	assert_true(parse(good));
	assert_int_equal(conf.nr_vms, 3);

	assert_string_equal(w->cfg.name, "work");
	assert_int_equal(w->line, 2);
	assert_int_equal(w->cfg.role, VM_ROLE_WORK);
	assert_int_equal(w->cfg.label_rgb, 0x1e64c8);
	assert_int_equal(w->cfg.mem_bytes, 512ULL << 20);
	assert_int_equal(w->cfg.nr_vcpus, 2);
	assert_string_equal(w->kernel, "linux");
	assert_int_equal(w->kernel_mod, 1);
	assert_string_equal(w->initrd, "initrd.img");
	assert_int_equal(w->initrd_mod, 2);
	assert_string_equal(w->cfg.cmdline, "console=ttyS0 quiet \"x\" # not a comment");
	assert_true(w->cfg.testexit);
	assert_true(w->cfg.testdev);
	assert_int_equal(w->cfg.on_crash, VM_ON_CRASH_RESTART);
	assert_true(w->cfg.autostart);
	assert_int_equal(w->cfg.weight, 300);

	/* defaults: 1 vCPU, the role's colour, no test devices, weight 100 */
	assert_string_equal(p->cfg.name, "personal");
	assert_int_equal(p->cfg.role, VM_ROLE_PERSONAL);
	assert_int_equal(p->cfg.label_rgb, vm_role_label(VM_ROLE_PERSONAL));
	assert_int_equal(p->cfg.mem_bytes, 1024ULL << 20);
	assert_int_equal(p->cfg.nr_vcpus, 1);
	assert_int_equal(p->kernel_mod, 0);
	assert_int_equal(p->initrd_mod, VM_CONF_NO_MODULE);
	assert_string_equal(p->cfg.cmdline, "a  b");
	assert_false(p->cfg.testexit);
	assert_false(p->cfg.testdev);
	assert_int_equal(p->cfg.on_crash, VM_ON_CRASH_STOP);
	assert_true(p->cfg.autostart);
	assert_int_equal(p->cfg.weight, VM_WEIGHT_DEFAULT);

	assert_int_equal(t->cfg.role, VM_ROLE_DISPOSABLE);
	assert_int_equal(t->cfg.mem_bytes, 4ULL << 20); /* rounded up to 2 MiB */
	assert_int_equal(t->kernel_mod, 3);
	assert_false(t->cfg.autostart);
	assert_int_equal(t->cfg.label_rgb, 0x8040b0);
	assert_string_equal(t->cfg.cmdline, "");
	env.free_bytes = 1000ULL << 20;
}

static void test_module_names(void **state)
{
	char n[VM_CONF_MODNAME_MAX];

	(void)state;
	assert_true(vm_conf_module_name("build/guests/ok.elf", n, sizeof(n)));
	assert_string_equal(n, "ok.elf");
	assert_true(vm_conf_module_name("  /boot/vmlinuz name=linux quiet", n, sizeof(n)));
	assert_string_equal(n, "linux");
	assert_true(vm_conf_module_name("plain", n, sizeof(n)));
	assert_string_equal(n, "plain");
	assert_false(vm_conf_module_name("dir/", n, sizeof(n)));
	assert_false(vm_conf_module_name("", n, sizeof(n)));
	assert_false(vm_conf_module_name("x name=", n, sizeof(n)));
	assert_false(vm_conf_module_name("0123456789", n, 10));
	assert_true(vm_conf_module_name("012345678", n, 10));
	assert_string_equal(vm_conf_module_args("/boot/vmlinuz  name=linux quiet"), "name=linux quiet");
	assert_string_equal(vm_conf_module_args("file"), "");
}

/* The brief's own example, and each bad value of each key. */
static void test_bad_values(void **state)
{
	(void)state;
	refused("\n\n\n\n[vm a]\nrole = work\nmemory = lots\n",
		"vms.conf:7:10: expected a number of MiB, found 'lots'");
	refused(VM_A "memory = 12 TiB\n", "vms.conf:4:10: expected a number of MiB, found '12 TiB'");
	refused(VM_A "memory = 1\n", "vms.conf:4:10: expected 2 to 1024 MiB of memory, found 1");
	refused(VM_A "memory = 2 GiB\n", "vms.conf:4:10: expected 2 to 1024 MiB of memory, found 2 GiB");
	refused(VM_A "memory = 99999999999999999999\n",
		"vms.conf:4:10: expected a number of MiB, found '99999999999999999999'");
	refused(VM_A "memory =\n", "vms.conf:4:9: expected a number of MiB, found ''");
	refused(VM_A "role = boss\n",
		"vms.conf:4:1: 'role' given twice for VM 'a' (first on line 2)");
	refused("[vm a]\nrole = boss\n",
		"vms.conf:2:8: expected a role (work, personal, disposable or service), found 'boss'");
	refused(VM_A "label = pink\n",
		"vms.conf:4:9: expected a colour (red, orange, yellow, green, blue, purple, grey, "
		"white or #RRGGBB), found 'pink'");
	refused(VM_A "label = #12345g\n",
		"vms.conf:4:9: expected a colour (red, orange, yellow, green, blue, purple, grey, "
		"white or #RRGGBB), found '#12345g'");
	refused(VM_A "vcpus = two\n", "vms.conf:4:9: expected a number of vCPUs, found 'two'");
	refused(VM_A "vcpus = 0\n", "vms.conf:4:9: expected 1 to 8 vCPUs, found 0");
	refused(VM_A "devices = serial,floppy\n",
		"vms.conf:4:18: expected a device (serial, testexit or testdev), found 'floppy'");
	refused(VM_A "devices = \"testdev testdev\"\n",
		"vms.conf:4:20: expected each device once, found 'testdev' twice");
	refused(VM_A "on_crash = reboot\n", "vms.conf:4:12: expected 'stop' or 'restart', found 'reboot'");
	refused(VM_A "autostart = true\n", "vms.conf:4:13: expected 'yes' or 'no', found 'true'");
	refused(VM_A "weight = 0\n", "vms.conf:4:10: expected a weight from 1 to 10000, found '0'");
	refused(VM_A "weight = 10001\n", "vms.conf:4:10: expected a weight from 1 to 10000, found '10001'");
	refused(VM_A "kernel = ok.elf\n",
		"vms.conf:4:1: 'kernel' given twice for VM 'a' (first on line 3)");
	refused("[vm a]\nkernel = two words\n",
		"vms.conf:2:10: expected a boot module name (one word, at most 63 characters), "
		"found 'two words'");
}

/* The refusals the issue lists by name. */
/* display = yes | no | WIDTHxHEIGHT */
static void test_display(void **state)
{
	(void)state;
	assert_true(parse(VM_A "display = yes\n"));
	assert_true(conf.vms[0].cfg.display);
	assert_int_equal(conf.vms[0].cfg.fb_width, 1024);
	assert_int_equal(conf.vms[0].cfg.fb_height, 736);
	assert_true(parse(VM_A "display = 800x600\n"));
	assert_true(conf.vms[0].cfg.display);
	assert_int_equal(conf.vms[0].cfg.fb_width, 800);
	assert_int_equal(conf.vms[0].cfg.fb_height, 600);
	assert_true(parse(VM_A "display = no\n"));
	assert_false(conf.vms[0].cfg.display);
	assert_true(parse(VM_A));
	assert_false(conf.vms[0].cfg.display);
	refused(VM_A "display = 8000x600\n", "vms.conf:4:11: expected 'yes', 'no' or WIDTHxHEIGHT "
		"from 64x64 to 4096x4096, found '8000x600'");
	refused(VM_A "display = 800x\n", "vms.conf:4:11: expected 'yes', 'no' or WIDTHxHEIGHT "
		"from 64x64 to 4096x4096, found '800x'");
	refused(VM_A "display = 99999999999999999999x600\n", "vms.conf:4:11: expected 'yes', 'no' "
		"or WIDTHxHEIGHT from 64x64 to 4096x4096, found '99999999999999999999x600'");
}

static void test_unknown_key(void **state)
{
	(void)state;
	refused(VM_A "mem = 16\n",
		"vms.conf:4:1: unknown key 'mem' (expected role, label, memory, vcpus, kernel, "
		"initrd, cmdline, devices, on_crash, autostart, weight, disks, vconsole, rng, "
		"display, nic, mac or passthrough)");
	refused(VM_A "  Memory = 16\n",
		"vms.conf:4:3: unknown key 'Memory' (expected role, label, memory, vcpus, kernel, "
		"initrd, cmdline, devices, on_crash, autostart, weight, disks, vconsole, rng, "
		"display, nic, mac or passthrough)");
}

static void test_duplicate_name(void **state)
{
	(void)state;
	refused(VM_A "[vm b]\nrole = work\nkernel = ok.elf\n[vm a]\n",
		"vms.conf:7:5: a VM named 'a' is already defined on line 1");
}

static void test_memory_over_machine(void **state)
{
	(void)state;
	/* 1000 MiB free: 600 + 400 fit, 2 more do not */
	assert_true(parse(VM_A "memory = 600\n[vm b]\nrole = work\nkernel = ok.elf\nmemory = 400\n"));
	refused(VM_A "memory = 600\n[vm b]\nrole = work\nkernel = ok.elf\nmemory = 402\n",
		"vms.conf:8:10: VM 'b' needs 402 MiB: the VMs need 1002 MiB together, the machine "
		"has 1000 MiB free");
	/* memory not given: the default 16 MiB, reported at the VM's name */
	refused(VM_A "memory = 1000\n[vm b]\nrole = work\nkernel = ok.elf\n",
		"vms.conf:5:5: VM 'b' needs 16 MiB: the VMs need 1016 MiB together, the machine "
		"has 1000 MiB free");
	/* free_bytes 0: not checked */
	env.free_bytes = 0;
	assert_true(parse(VM_A "memory = 1000\n[vm b]\nrole = work\nkernel = ok.elf\nmemory=1000\n"));
	env.free_bytes = 1000ULL << 20;
}

static void test_too_many_vcpus(void **state)
{
	(void)state;
	assert_true(parse(VM_A "vcpus = 8\n"));
	assert_int_equal(conf.vms[0].cfg.nr_vcpus, VM_MAX_VCPUS);
	refused(VM_A "vcpus = 9\n", "vms.conf:4:9: expected 1 to 8 vCPUs, found 9");
}

static void test_missing_module(void **state)
{
	(void)state;
	refused("[vm a]\nrole = work\nkernel = vmlinuz\n",
		"vms.conf:3:10: expected the name of a boot module, found 'vmlinuz' (no module has "
		"that name)");
	refused(VM_A "initrd = dup.bin\n",
		"vms.conf:4:10: expected the name of one boot module, found 'dup.bin' (2 modules "
		"have that name)");
	/* names are the name= word, never the path */
	refused("[vm a]\nrole = work\nkernel = vmlinuz-6.1\n",
		"vms.conf:3:10: expected the name of a boot module, found 'vmlinuz-6.1' (no module "
		"has that name)");
	/* without a module list names are only checked for form */
	env.check_mods = false;
	assert_true(parse("[vm a]\nrole = work\nkernel = vmlinuz\n"));
	assert_string_equal(conf.vms[0].kernel, "vmlinuz");
	assert_int_equal(conf.vms[0].kernel_mod, VM_CONF_NO_MODULE);
	env.check_mods = true;
}

static void test_too_many_vms(void **state)
{
	static char text[4096];
	size_t n = 0;

	(void)state;
	for (unsigned i = 0; i < VM_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "[vm v%u]\nrole = work\nkernel = ok.elf\nmemory = 2\n", i);
	assert_true(parse(text));
	assert_int_equal(conf.nr_vms, VM_MAX);
	snprintf(text + n, sizeof(text) - n, "[vm v8]\n");
	refused(text, "vms.conf:33:5: too many VMs: at most 8");
}

static void test_structure(void **state)
{
	(void)state;
	refused("", "vms.conf:1:1: expected a '[vm NAME]' section, found none");
	refused("# only a comment\n\n", "vms.conf:3:1: expected a '[vm NAME]' section, found none");
	refused("role = work\n", "vms.conf:1:1: expected '[vm NAME]' before 'role'");
	refused("[machine]\n", "vms.conf:1:2: expected '[vm NAME]' or '[network]', found 'machine]'");
	refused("[vm]\n", "vms.conf:1:2: expected '[vm NAME]' or '[network]', found 'vm]'");
	refused("[vm a/b]\n",
		"vms.conf:1:5: expected a VM name of 1-15 letters, digits, '-' or '_', found 'a/b'");
	refused("[vm sixteen-chars-xy]\n",
		"vms.conf:1:5: expected a VM name of 1-15 letters, digits, '-' or '_', found "
		"'sixteen-chars-xy'");
	refused("[vm a\n", "vms.conf:1:6: expected ']' after the VM name, found ''");
	refused("[vm a b]\n", "vms.conf:1:7: expected ']' after the VM name, found 'b]'");
	refused("[vm a] x\n", "vms.conf:1:8: expected the end of the line after ']', found 'x'");
	refused(VM_A "= 3\n", "vms.conf:4:1: expected '[vm NAME]' or 'key = value', found '='");
	refused(VM_A "memory 3\n", "vms.conf:4:8: expected '=' after 'memory', found '3'");
	refused(VM_A "cmdline = \"abc\n",
		"vms.conf:4:11: expected '\"' at the end of the string, found the end of the line");
	refused(VM_A "cmdline = \"a\\nb\"\n",
		"vms.conf:4:13: expected '\\\"' or '\\\\' in a string, found '\\n'");
	refused(VM_A "cmdline = \"abc\" d\n",
		"vms.conf:4:17: expected the end of the line after the string, found 'd'");
	refused(VM_A "cmdline = a\x01" "b\n", "vms.conf:4:12: expected text, found byte 0x01");
	refused(VM_A "cmdline = a\rb\n", "vms.conf:4:12: expected text, found byte 0x0d");
	refused("[vm a]\nkernel = ok.elf\n",
		"vms.conf:1:5: VM 'a' has no role (expected 'role = work', 'personal', 'disposable' "
		"or 'service')");
	refused("[vm a]\nrole = work\n[vm b]\n",
		"vms.conf:1:5: VM 'a' has no kernel (expected 'kernel = MODULE')");
}

static void test_nul_and_length(void **state)
{
	static char text[2048];
	const char nul[] = "[vm a]\nrole = work\nkernel = ok.elf\0\n";
	size_t n;

	(void)state;
	assert_false(vm_conf_parse(nul, sizeof(nul) - 1, &env, &conf));
	assert_string_equal(conf.err, "vms.conf:3:16: expected text, found byte 0x00");
	/* a command line of 1023 characters fits, 1024 do not */
	n = (size_t)snprintf(text, sizeof(text), VM_A "cmdline = ");
	memset(text + n, 'x', 1023);
	text[n + 1023] = '\0';
	assert_true(parse(text));
	assert_int_equal(strlen(conf.vms[0].cfg.cmdline), 1023);
	text[n + 1023] = 'x';
	text[n + 1024] = '\0';
	refused(text, "vms.conf:4:11: expected a value of at most 1023 characters");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_module_names),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_display),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_duplicate_name),
		cmocka_unit_test(test_memory_over_machine),
		cmocka_unit_test(test_too_many_vcpus),
		cmocka_unit_test(test_missing_module),
		cmocka_unit_test(test_too_many_vms),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_nul_and_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
