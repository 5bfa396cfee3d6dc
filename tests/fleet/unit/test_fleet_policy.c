/* Unit tests: policy documents and the client state file. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "policy.h"
#include "state.h"

static int parse(const char *s, struct policy *p, struct fl_err *err)
{
	return policy_parse((const uint8_t *)s, strlen(s), p, err);
}

#define GOOD_NET "\"network\":{\"default\":\"deny\",\"rules\":[{\"action\":\"allow\",\"host\":\"10.0.0.0/8\",\"ports\":[443]}]}"
#define GOOD_USB "\"usb\":{\"default\":\"deny\",\"rules\":[{\"action\":\"allow\",\"vendor\":\"046d\",\"product\":\"c52b\"}]}"

static void test_policy(void **state)
{
	struct policy p;
	struct fl_err err;

	(void)state;
	assert_int_equal(parse("{\"vm_role\":\"work\"," GOOD_NET "," GOOD_USB ",\"clipboard\":\"none\",\"offline_lease_days\":14}",
			       &p, &err), 0);
	assert_string_equal(p.vm_role, "work");
	assert_int_equal(p.offline_lease_days, 14);
	assert_int_equal(parse("{\"vm_role\":\"../x\"," GOOD_NET "," GOOD_USB ",\"clipboard\":\"none\",\"offline_lease_days\":1}",
			       &p, &err), -1);
	assert_int_equal(parse("{\"vm_role\":\"w\"," GOOD_NET "," GOOD_USB ",\"clipboard\":\"all\",\"offline_lease_days\":1}",
			       &p, &err), -1);
	assert_int_equal(parse("{\"vm_role\":\"w\"," GOOD_NET "," GOOD_USB ",\"clipboard\":\"none\",\"offline_lease_days\":-1}",
			       &p, &err), -1);
	assert_int_equal(parse("{\"vm_role\":\"w\",\"network\":{\"default\":\"deny\",\"rules\":[{\"action\":\"allow\",\"host\":\"h\",\"ports\":[70000]}]},"
			       GOOD_USB ",\"clipboard\":\"none\",\"offline_lease_days\":1}", &p, &err), -1);
	assert_int_equal(parse("{\"vm_role\":\"w\"," GOOD_NET ",\"usb\":{\"default\":\"deny\",\"rules\":[{\"action\":\"allow\",\"vendor\":\"zz\"}]},"
			       "\"clipboard\":\"none\",\"offline_lease_days\":1}", &p, &err), -1);
	assert_int_equal(parse("{\"vm_role\":\"w\",\"vm_role\":\"x\"}", &p, &err), -1); /* duplicate key */
	assert_int_equal(parse("not json", &p, &err), -1);
}

static void test_state_roundtrip(void **state)
{
	char path[] = "/tmp/fleet-state-XXXXXX";
	struct sync_state a = { 0 }, b;
	struct fl_err err;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(path));
	fd = open(path, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(state_load(fd, &b, &err), 1); /* none yet */
	snprintf(a.image, sizeof(a.image), "corp");
	a.installed = 7;
	a.previous = 6;
	memset(a.installed_sha256, 0xab, 32);
	a.last_checkin = 1900000000;
	a.policies = json_pack("{s:{s:i}}", "work", "offline_lease_days", 14);
	assert_int_equal(state_save(fd, &a, &err), 0);
	assert_int_equal(state_load(fd, &b, &err), 0);
	assert_string_equal(b.image, "corp");
	assert_int_equal(b.installed, 7);
	assert_int_equal(b.previous, 6);
	assert_int_equal(b.last_checkin, 1900000000);
	assert_memory_equal(b.installed_sha256, a.installed_sha256, 32);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(b.policies, "work"),
							    "offline_lease_days")), 14);
	state_free(&a);
	state_free(&b);
	unlinkat(fd, STATE_FILE, 0);
	close(fd);
	rmdir(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_state_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
