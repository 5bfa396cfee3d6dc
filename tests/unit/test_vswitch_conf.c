/* hv/core/vm_conf_net.c: the configuration's nic and mac keys and its
 * [network] section (docs/networking.md): the switch policy a good file
 * gives, and every refusal with its exact message. */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include <bulkhead/vm_conf.h>

static struct vm_conf_env env = { .file = "vms.conf" };

#include "conf_test.h"

#define VM(n, extra) "[vm " n "]\nrole = work\nkernel = k\n" extra

static const char good[] =
	VM("work", "nic = yes\nmac = 02:00:00:00:00:0A\n")
	VM("personal", "nic=yes\n")
	"[network]   # who reaches whom\n"
	"allow = work uplink\n"
	"  allow =  uplink   disp  # the disposable VM reaches the way out only\n"
	"\n"
	VM("disp", "nic = yes\nmac = 0e:11:22:33:44:55\n")
	VM("nonet", "nic = no\n")
	VM("plain", "");

static void test_good(void **st)
{
	const struct vs_policy *pol = &conf.net;
	static const u8 work_mac[6] = { 2, 0, 0, 0, 0, 0x0a };
	static const u8 disp_mac[6] = { 0x0e, 0x11, 0x22, 0x33, 0x44, 0x55 };
	unsigned w, p, d, u;
	(void)st;

	if (!parse(good))
		fail_msg("%s", conf.err);
	assert_int_equal(conf.nr_vms, 5);
	assert_true(conf.vms[0].cfg.nic);
	assert_memory_equal(conf.vms[0].cfg.mac, work_mac, 6);
	assert_true(conf.vms[1].cfg.nic);
	assert_false(conf.vms[3].cfg.nic);
	assert_false(conf.vms[4].cfg.nic);
	/* endpoints: the VMs with a NIC in file order, then the uplink */
	assert_int_equal(pol->nr, 4);
	w = vs_policy_find(pol, "work");
	p = vs_policy_find(pol, "personal");
	d = vs_policy_find(pol, "disp");
	u = vs_policy_find(pol, VS_UPLINK_NAME);
	assert_int_equal(w, 0);
	assert_int_equal(p, 1);
	assert_int_equal(d, 2);
	assert_int_equal(u, 3);
	assert_true(pol->ep[u].uplink);
	assert_false(pol->ep[w].uplink);
	assert_memory_equal(pol->ep[w].mac, work_mac, 6);
	assert_memory_equal(pol->ep[d].mac, disp_mac, 6);
	assert_memory_equal(pol->ep[p].mac, conf.vms[1].cfg.mac, 6);
	assert_int_equal(vs_policy_find(pol, "nonet"), VS_NONE);
	assert_true(vs_policy_allowed(pol, w, u));
	assert_true(vs_policy_allowed(pol, d, u));
	assert_true(vs_policy_allowed(pol, u, d));
	assert_false(vs_policy_allowed(pol, w, p)); /* not listed: denied */
	assert_false(vs_policy_allowed(pol, w, d));
	assert_false(vs_policy_allowed(pol, p, u));
}

static void test_default_mac(void **st)
{
	u8 first[6];
	(void)st;
	assert_true(parse(VM("a", "nic = yes\n") VM("b", "nic = yes\n")));
	memcpy(first, conf.vms[0].cfg.mac, 6);
	/* locally administered (bit 1), unicast (bit 0 clear) */
	assert_int_equal(first[0], 0x02);
	assert_memory_not_equal(first, conf.vms[1].cfg.mac, 6);
	/* derived from the name: the same in another file */
	assert_true(parse(VM("x", "") VM("a", "nic = yes\n")));
	assert_memory_equal(first, conf.vms[1].cfg.mac, 6);
	/* no [network] section: the endpoints, nothing allowed */
	assert_int_equal(conf.net.nr, 2);
	assert_int_equal(conf.net.allow[0] | conf.net.allow[1], 0);
}

static void test_refused(void **st)
{
	(void)st;
	refused(VM("a", "nic = maybe\n"), "vms.conf:4:7: expected 'yes' or 'no', found 'maybe'");
	refused(VM("a", "nic = yes\nmac = 02:00:00:00:00\n"),
		"vms.conf:5:7: expected a MAC address (six hex pairs as 02:00:00:00:00:01), "
		"found '02:00:00:00:00'");
	refused(VM("a", "nic = yes\nmac = 02:00:00:00:00:0g\n"),
		"vms.conf:5:7: expected a MAC address (six hex pairs as 02:00:00:00:00:01), "
		"found '02:00:00:00:00:0g'");
	refused(VM("a", "nic = yes\nmac = 02-00-00-00-00-01\n"),
		"vms.conf:5:7: expected a MAC address (six hex pairs as 02:00:00:00:00:01), "
		"found '02-00-00-00-00-01'");
	refused(VM("a", "nic = yes\nmac = 02:00:00:00:00:01:\n"),
		"vms.conf:5:7: expected a MAC address (six hex pairs as 02:00:00:00:00:01), "
		"found '02:00:00:00:00:01:'");
	refused(VM("a", "nic = yes\nmac = 03:00:00:00:00:01\n"),
		"vms.conf:5:7: expected a unicast MAC address, found the group address "
		"03:00:00:00:00:01");
	refused(VM("a", "nic = yes\nmac = 00:00:00:00:00:00\n"),
		"vms.conf:5:7: expected a MAC address, found all zeros");
	refused(VM("a", "mac = 02:00:00:00:00:01\n"),
		"vms.conf:4:7: VM 'a' has a mac but no NIC (expected 'nic = yes')");
	refused(VM("a", "nic = yes\nmac = 02:00:00:00:00:01\nmac = 02:00:00:00:00:02\n"),
		"vms.conf:6:1: 'mac' given twice for VM 'a' (first on line 5)");
	refused(VM("a", "nic = yes\nmac = 02:00:00:00:00:01\n")
		VM("b", "mac = 02:00:00:00:00:01\nnic = yes\n"),
		"vms.conf:9:7: VM 'b' has the MAC 02:00:00:00:00:01 of VM 'a' (line 1)");
	refused(VM("uplink", "nic = yes\n"),
		"vms.conf:1:5: a VM with a NIC cannot be named 'uplink': that is the switch's "
		"uplink port");
}

static void test_network_refused(void **st)
{
	(void)st;
	refused(VM("a", "nic = yes\n") "[network]\nallow = a\n",
		"vms.conf:6:10: expected two names after 'allow =' (allow = NAME NAME), found 1");
	refused(VM("a", "nic = yes\n") "[network]\nallow = a uplink b\n",
		"vms.conf:6:18: expected two names after 'allow =', found a third: 'b'");
	refused(VM("a", "nic = yes\n") "[network]\nallow = a a\n",
		"vms.conf:6:11: expected two different names, found 'a' twice");
	refused(VM("a", "nic = yes\n") "[network]\nallow = a uplink\nallow = uplink a\n",
		"vms.conf:7:9: 'uplink' and 'a' are already allowed on line 6");
	refused(VM("a", "nic = yes\n") "[network]\nallow = a abcdefghijklmnop\n",
		"vms.conf:6:11: expected a VM name or 'uplink', found 'abcdefghijklmnop'");
	refused(VM("a", "nic = yes\n") "[network]\nallow = a b\n" VM("c", ""),
		"vms.conf:6:11: expected a VM or 'uplink', found 'b' (no VM has that name)");
	refused(VM("a", "nic = yes\n") "[network]\nallow = c a\n" VM("c", ""),
		"vms.conf:6:9: VM 'c' has no NIC (expected 'nic = yes' in its section, line 7)");
	refused(VM("a", "") "[network]\nrole = work\n",
		"vms.conf:5:1: expected 'allow = NAME NAME' in the [network] section, found 'role'");
	refused(VM("a", "allow = a uplink\n"),
		"vms.conf:4:1: expected 'allow' in the [network] section, found it in a VM's");
	refused("allow = a uplink\n" VM("a", ""),
		"vms.conf:1:1: expected 'allow' in the [network] section, found it in a VM's");
	refused(VM("a", "") "[network]\n[ network ]\n",
		"vms.conf:5:3: a [network] section is already on line 4");
	refused(VM("a", "") "[network x]\n",
		"vms.conf:4:10: expected ']' after 'network', found 'x]'");
	refused(VM("a", "") "[network] role\n",
		"vms.conf:4:11: expected the end of the line after ']', found 'role'");
	refused(VM("a", "") "[network]\nallow a\n",
		"vms.conf:5:7: expected '=' after 'allow', found 'a'");
	refused("[network]\n",
		"vms.conf:2:1: expected a '[vm NAME]' section, found none");
	/* a VM's checks run when [network] closes its section */
	refused(VM("a", "mac = 02:00:00:00:00:01\n") "[network]\n",
		"vms.conf:4:7: VM 'a' has a mac but no NIC (expected 'nic = yes')");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_default_mac),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_network_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
