/* hv/core/vm_config.c: VM descriptions in boot-module command lines. */
#include <string.h>
#include "unit.h"
#include <bulkhead/vm_config.h>

static struct vm_config cfg;
static char name[VM_NAME_MAX];
static const char *rest, *err;

static enum vm_module_kind parse(const char *cl)
{
	return vm_config_parse(cl, &cfg, name, &rest, &err);
}

static void test_kernel(void **state)
{
	(void)state;
	assert_int_equal(parse("build/guests/ok.elf vm=work-1 mem=33 testexit -- a b --c"),
			 VM_MODULE_KERNEL);
	assert_string_equal(cfg.name, "work-1");
	assert_int_equal(cfg.mem_bytes, 34ULL << 20); /* rounded up to 2 MiB */
	assert_true(cfg.testexit);
	assert_false(cfg.testdev);
	assert_string_equal(cfg.cmdline, "a b --c");
	assert_int_equal(parse("k vm=p"), VM_MODULE_KERNEL);
	assert_int_equal(cfg.mem_bytes, (u64)VM_MEM_DEFAULT_MIB << 20);
	assert_string_equal(cfg.cmdline, "");
	assert_int_equal(parse("k vm=p --"), VM_MODULE_KERNEL);
	assert_string_equal(cfg.cmdline, "");
}

static void test_guest_words_are_not_ours(void **state)
{
	(void)state;
	/* words after -- belong to the guest, even if they look like ours */
	assert_int_equal(parse("k vm=a -- testdev mem=999999 vm=b"), VM_MODULE_KERNEL);
	assert_string_equal(cfg.name, "a");
	assert_false(cfg.testdev);
	assert_int_equal(cfg.mem_bytes, 16ULL << 20);
	assert_int_equal(parse("k -- vm=x"), VM_MODULE_NONE);
	assert_null(err);
}

static void test_bad(void **state)
{
	(void)state;
	assert_int_equal(parse("k vm="), VM_MODULE_NONE);
	assert_non_null(err);
	assert_int_equal(parse("k vm=fifteen-chars-x"), VM_MODULE_KERNEL);
	assert_int_equal(parse("k vm=sixteen-chars-xy"), VM_MODULE_NONE);
	assert_non_null(strstr(err, "name"));
	assert_int_equal(parse("k vm=a/b"), VM_MODULE_NONE);
	assert_non_null(err);
	assert_int_equal(parse("k vm=a mem=1"), VM_MODULE_NONE);
	assert_non_null(strstr(err, "mem="));
	assert_int_equal(parse("k vm=a mem=1025"), VM_MODULE_NONE);
	assert_int_equal(parse("k vm=a mem=12x"), VM_MODULE_NONE);
	assert_int_equal(parse("k vm=a mem=18446744073709551617"), VM_MODULE_NONE);
	assert_int_equal(parse("f vmmod=bad/name"), VM_MODULE_NONE);
	assert_non_null(err);
}

static void test_extra_module_and_others(void **state)
{
	(void)state;
	assert_int_equal(parse("initrd.img vmmod=work root=/dev/vda  quiet"), VM_MODULE_EXTRA);
	assert_string_equal(name, "work");
	assert_string_equal(rest, "root=/dev/vda  quiet");
	assert_int_equal(parse("data.bin vmmod=w"), VM_MODULE_EXTRA);
	assert_string_equal(rest, "");
	assert_int_equal(parse("something else entirely"), VM_MODULE_NONE);
	assert_null(err);
	assert_int_equal(parse(""), VM_MODULE_NONE);
	assert_null(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel),
		cmocka_unit_test(test_guest_words_are_not_ours),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_extra_module_and_others),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
