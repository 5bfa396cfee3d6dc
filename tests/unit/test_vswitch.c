/* hv/net/vswitch*.c: the virtual switch's forwarding and per-pair policy
 * (vswitch.h, docs/networking.md). Four endpoints: work, personal, disp
 * (a disposable VM) and the uplink; work-personal is never allowed. */
#include <string.h>
#include "unit.h"
#include <bulkhead/vswitch.h>

enum { WORK, PERSONAL, DISP, UPLINK, NR };

struct fake_nic {
	struct net_port port;
	unsigned got;       /* frames delivered */
	u8 last[NET_FRAME_MAX];
	u32 last_len;
	bool full;          /* deliver refuses (no rx buffer) */
};

static const u8 macs[NR][6] = {
	{ 0x02, 0, 0, 0, 0, 1 }, { 0x02, 0, 0, 0, 0, 2 }, { 0x02, 0, 0, 0, 0, 3 }, { 0 },
};
static const char *const names[NR] = { "work", "personal", "disp", VS_UPLINK_NAME };
static struct vswitch sw;
static struct fake_nic nic[NR];

static bool fake_deliver(void *dev, const u8 *frame, u32 len)
{
	struct fake_nic *n = dev;

	if (n->full)
		return false;
	n->got++;
	memcpy(n->last, frame, len);
	n->last_len = len;
	return true;
}

/* The three endpoints and the uplink, each attached, with the pairs asked for. */
static void setup(bool work_uplink, bool disp_uplink, bool work_disp)
{
	struct vs_policy pol;

	memset(&pol, 0, sizeof(pol));
	memset(nic, 0, sizeof(nic));
	for (unsigned i = 0; i < NR; i++)
		assert_int_equal(vs_policy_add(&pol, names[i], i == UPLINK ? NULL : macs[i],
					       i == UPLINK), i);
	if (work_uplink)
		vs_policy_allow(&pol, WORK, UPLINK);
	if (disp_uplink)
		vs_policy_allow(&pol, UPLINK, DISP);
	if (work_disp)
		vs_policy_allow(&pol, WORK, DISP);
	vswitch_init(&sw, &pol);
	for (unsigned i = 0; i < NR; i++) {
		nic[i].port.deliver = fake_deliver;
		nic[i].port.dev = &nic[i];
		memcpy(nic[i].port.mac, macs[i], 6);
		if (i != UPLINK)
			assert_true(vswitch_attach(&sw, names[i], &nic[i].port));
		else
			assert_true(vswitch_attach_uplink(&sw, &nic[i].port)); /* the service VM's */
	}
	assert_int_equal(nic[UPLINK].port.index, UPLINK);
}

static u32 frame(u8 *f, const u8 *dst, const u8 *src, u32 len)
{
	memset(f, 0xab, len);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	return len;
}

static const u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const u8 mcast[6] = { 0x33, 0x33, 0, 0, 0, 1 };
static const u8 stranger[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };

static void test_policy_symmetric_and_default_deny(void **st)
{
	struct vs_policy pol;
	(void)st;
	memset(&pol, 0, sizeof(pol));
	assert_int_equal(vs_policy_add(&pol, "a", macs[0], false), 0);
	assert_int_equal(vs_policy_add(&pol, "b", macs[1], false), 1);
	assert_int_equal(vs_policy_add(&pol, "a", macs[2], false), VS_NONE);
	assert_false(vs_policy_allowed(&pol, 0, 1));
	assert_false(vs_policy_allowed(&pol, 1, 0));
	vs_policy_allow(&pol, 1, 0);
	assert_true(vs_policy_allowed(&pol, 0, 1));
	assert_true(vs_policy_allowed(&pol, 1, 0));
	assert_false(vs_policy_allowed(&pol, 0, 0));
	assert_false(vs_policy_allowed(&pol, 0, 7));
	vs_policy_allow(&pol, 0, 7); /* out of range: ignored */
	assert_int_equal(pol.allow[0], 2);
	for (unsigned i = 2; i < VS_MAX_ENDPOINTS; i++) {
		char n[4] = { 'v', (char)('0' + i), 0, 0 };
		assert_int_equal(vs_policy_add(&pol, n, macs[0], false), i);
	}
	assert_int_equal(vs_policy_add(&pol, "full", macs[0], false), VS_NONE);
}

static void test_attach_checks(void **st)
{
	struct net_port p = { .deliver = fake_deliver };
	(void)st;
	setup(false, false, false);
	memcpy(p.mac, macs[WORK], 6);
	assert_false(vswitch_attach(&sw, "work", &p));      /* taken */
	assert_false(vswitch_attach(&sw, "nobody", &p));
	assert_false(vswitch_attach(&sw, VS_UPLINK_NAME, &p)); /* not a VM's */
	vswitch_detach(&sw, &nic[WORK].port);
	p.mac[5] = 9;
	assert_false(vswitch_attach(&sw, "work", &p));      /* not its MAC */
	memcpy(p.mac, macs[WORK], 6);
	assert_true(vswitch_attach(&sw, "work", &p));
	assert_int_equal(p.index, WORK);
}

static void test_unicast_allowed(void **st)
{
	u8 f[NET_FRAME_MAX];
	u32 n = frame(f, macs[DISP], macs[WORK], 98);
	(void)st;
	setup(false, false, true);
	vswitch_send(&sw, &nic[WORK].port, f, n);
	assert_int_equal(nic[DISP].got, 1);
	assert_int_equal(nic[DISP].last_len, 98);
	assert_memory_equal(nic[DISP].last, f, 98);
	assert_int_equal(nic[PERSONAL].got + nic[UPLINK].got + nic[WORK].got, 0);
	assert_int_equal(nic[WORK].port.tx_frames, 1);
	assert_int_equal(nic[DISP].port.rx_frames, 1);
	assert_int_equal(sw.delivered[WORK][DISP], 1);
	assert_int_equal(sw.delivered[DISP][WORK], 0);
	assert_int_equal(sw.sent[WORK], 1);
	/* and back */
	n = frame(f, macs[WORK], macs[DISP], NET_FRAME_MAX);
	vswitch_send(&sw, &nic[DISP].port, f, n);
	assert_int_equal(nic[WORK].got, 1);
	assert_int_equal(nic[WORK].last_len, NET_FRAME_MAX);
}

static void test_unicast_denied_counted_per_pair(void **st)
{
	u8 f[64];
	(void)st;
	setup(true, true, false);
	frame(f, macs[PERSONAL], macs[WORK], 60);
	vswitch_send(&sw, &nic[WORK].port, f, 60);
	vswitch_send(&sw, &nic[WORK].port, f, 60);
	frame(f, macs[WORK], macs[PERSONAL], 60);
	vswitch_send(&sw, &nic[PERSONAL].port, f, 60);
	for (unsigned i = 0; i < NR; i++)
		assert_int_equal(nic[i].got, 0);
	assert_int_equal(sw.denied[WORK][PERSONAL], 2);
	assert_int_equal(sw.denied[PERSONAL][WORK], 1);
	assert_int_equal(sw.denied[WORK][DISP], 0);
}

static void test_unknown_mac_goes_to_uplink_if_allowed(void **st)
{
	u8 f[64];
	(void)st;
	setup(false, true, false);
	frame(f, stranger, macs[DISP], 60);
	vswitch_send(&sw, &nic[DISP].port, f, 60);
	assert_int_equal(nic[UPLINK].got, 1);
	frame(f, stranger, macs[WORK], 60);
	vswitch_send(&sw, &nic[WORK].port, f, 60);
	assert_int_equal(nic[UPLINK].got, 1);
	assert_int_equal(sw.denied[WORK][UPLINK], 1);
	/* the uplink answers with any source MAC */
	frame(f, macs[DISP], stranger, 60);
	vswitch_send(&sw, &nic[UPLINK].port, f, 60);
	assert_int_equal(nic[DISP].got, 1);
	frame(f, macs[WORK], stranger, 60);
	vswitch_send(&sw, &nic[UPLINK].port, f, 60);
	assert_int_equal(nic[WORK].got, 0);
	assert_int_equal(sw.denied[UPLINK][WORK], 1);
}

static void test_broadcast_flooded_within_policy(void **st)
{
	u8 f[64];
	(void)st;
	setup(true, false, true); /* work-uplink, work-disp; personal alone */
	frame(f, bcast, macs[WORK], 42);
	vswitch_send(&sw, &nic[WORK].port, f, 42);
	assert_int_equal(nic[DISP].got, 1);
	assert_int_equal(nic[UPLINK].got, 1);
	assert_int_equal(nic[PERSONAL].got, 0);
	assert_int_equal(nic[WORK].got, 0); /* never reflected */
	assert_int_equal(sw.denied[WORK][PERSONAL], 1);
	assert_int_equal(sw.delivered[WORK][PERSONAL], 0);
	assert_int_equal(sw.delivered[WORK][DISP], 1);
	assert_int_equal(sw.delivered[WORK][UPLINK], 1);
	frame(f, mcast, macs[PERSONAL], 42);
	vswitch_send(&sw, &nic[PERSONAL].port, f, 42);
	assert_int_equal(nic[WORK].got + nic[DISP].got + nic[UPLINK].got, 2);
	assert_int_equal(sw.denied[PERSONAL][WORK], 1);
	assert_int_equal(sw.denied[PERSONAL][DISP], 1);
	assert_int_equal(sw.denied[PERSONAL][UPLINK], 1);
}

static void test_spoofed_source_dropped(void **st)
{
	u8 f[64];
	(void)st;
	setup(true, true, true);
	frame(f, macs[DISP], macs[PERSONAL], 60); /* work claims personal's MAC */
	vswitch_send(&sw, &nic[WORK].port, f, 60);
	frame(f, bcast, stranger, 60);
	vswitch_send(&sw, &nic[WORK].port, f, 60);
	frame(f, bcast, bcast, 60);               /* a group source */
	vswitch_send(&sw, &nic[WORK].port, f, 60);
	for (unsigned i = 0; i < NR; i++)
		assert_int_equal(nic[i].got, 0);
	assert_int_equal(sw.spoofed[WORK], 3);
	assert_int_equal(nic[WORK].port.tx_dropped, 3);
	assert_int_equal(nic[WORK].port.tx_frames, 0);
	assert_int_equal(sw.sent[WORK], 0);
}

static void test_bad_lengths_and_full_rx(void **st)
{
	u8 f[NET_FRAME_MAX + 1];
	(void)st;
	setup(false, false, true);
	frame(f, macs[DISP], macs[WORK], NET_FRAME_MAX + 1);
	vswitch_send(&sw, &nic[WORK].port, f, NET_FRAME_MAX + 1);
	vswitch_send(&sw, &nic[WORK].port, f, NET_FRAME_MIN - 1);
	vswitch_send(&sw, &nic[WORK].port, f, 0);
	assert_int_equal(nic[DISP].got, 0);
	assert_int_equal(sw.malformed[WORK], 3);
	vswitch_send(&sw, &nic[WORK].port, f, NET_FRAME_MIN); /* a bare header is a frame */
	assert_int_equal(nic[DISP].got, 1);
	nic[DISP].full = true;
	vswitch_send(&sw, &nic[WORK].port, f, 60);
	assert_int_equal(nic[DISP].got, 1);
	assert_int_equal(nic[DISP].port.rx_dropped, 1);
	assert_int_equal(sw.delivered[WORK][DISP], 1); /* the one that fitted */
	assert_int_equal(sw.no_room[DISP], 1);
	/* to itself: not reflected */
	frame(f, macs[WORK], macs[WORK], 60);
	vswitch_send(&sw, &nic[WORK].port, f, 60);
	assert_int_equal(nic[WORK].got, 0);
	assert_int_equal(sw.unroutable[WORK], 1);
}

/* The uplink is attached only by vswitch_attach_uplink, once at a time,
 * and only when the policy has one. */
static void test_uplink_attach(void **st)
{
	struct vs_policy pol;
	struct fake_nic extra;
	u8 f[64];

	(void)st;
	setup(true, false, false);
	memset(&extra, 0, sizeof(extra));
	extra.port.deliver = fake_deliver;
	extra.port.dev = &extra;
	assert_false(vswitch_attach_uplink(&sw, &extra.port)); /* it has a port */
	assert_false(vswitch_attach(&sw, VS_UPLINK_NAME, &extra.port)); /* not as a VM */
	vswitch_detach(&sw, &nic[UPLINK].port);
	frame(f, stranger, macs[WORK], 60);
	vswitch_send(&sw, &nic[WORK].port, f, 60);
	assert_int_equal(nic[UPLINK].got, 0);
	assert_int_equal(sw.unroutable[WORK], 1);
	assert_true(vswitch_attach_uplink(&sw, &extra.port)); /* a restarted service VM */
	vswitch_send(&sw, &nic[WORK].port, f, 60);
	assert_int_equal(extra.got, 1);
	assert_int_equal(sw.delivered[WORK][UPLINK], 1);
	/* a policy without an uplink has nothing to attach */
	memset(&pol, 0, sizeof(pol));
	assert_int_equal(vs_policy_add(&pol, "work", macs[WORK], false), 0);
	vswitch_init(&sw, &pol);
	assert_false(vswitch_attach_uplink(&sw, &extra.port));
}

static void test_detached_port_gets_nothing(void **st)
{
	u8 f[64];
	(void)st;
	setup(false, false, true);
	vswitch_detach(&sw, &nic[DISP].port);
	frame(f, macs[DISP], macs[WORK], 60);
	vswitch_send(&sw, &nic[WORK].port, f, 60);
	assert_int_equal(nic[DISP].got, 0);
	assert_int_equal(sw.unroutable[WORK], 1);
	/* and a detached port's frames go nowhere */
	frame(f, macs[WORK], macs[DISP], 60);
	vswitch_send(&sw, &nic[DISP].port, f, 60);
	assert_int_equal(nic[WORK].got, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_symmetric_and_default_deny),
		cmocka_unit_test(test_attach_checks),
		cmocka_unit_test(test_unicast_allowed),
		cmocka_unit_test(test_unicast_denied_counted_per_pair),
		cmocka_unit_test(test_unknown_mac_goes_to_uplink_if_allowed),
		cmocka_unit_test(test_broadcast_flooded_within_policy),
		cmocka_unit_test(test_spoofed_source_dropped),
		cmocka_unit_test(test_bad_lengths_and_full_rx),
		cmocka_unit_test(test_detached_port_gets_nothing),
		cmocka_unit_test(test_uplink_attach),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
