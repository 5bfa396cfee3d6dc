/* hv/dev/svc/svc_net_ring.c: the hypervisor's side of the service VM's
 * frame rings (public/svc_ring.h, "The frame rings"). A fake daemon takes
 * frames from the out ring and posts frames into the in ring the way the
 * real one would, or the way a hostile one might: a bad length drops that
 * frame only and is counted, a bad index stops that ring only. */
#include "unit.h"
#include <stdlib.h>
#include <string.h>
#include <bulkhead/svc_net.h>

static u8 *mem;
static struct svc_net_ring ring;

struct got {
	int calls;
	u32 len[SVC_NET_ENTRIES * 2];
	u8 first[SVC_NET_ENTRIES * 2];
};

static struct svc_net_hdr *H(void)
{
	return (struct svc_net_hdr *)(mem + SVC_NET_HDR_OFF);
}

static struct svc_frame *out_e(u32 i)
{
	return (struct svc_frame *)(mem + SVC_NET_OUT_OFF) + (i % SVC_NET_ENTRIES);
}

static u8 *out_slot(u32 i)
{
	return mem + SVC_NET_OUT_SLOTS + (u64)(i % SVC_NET_ENTRIES) * SVC_NET_SLOT_BYTES;
}

/* The daemon posts one frame from the wire of len bytes, first byte b. */
static void wire(u32 len, u8 b)
{
	u32 i = H()->in_prod % SVC_NET_ENTRIES;
	u32 fill = len < SVC_NET_SLOT_BYTES ? len : SVC_NET_SLOT_BYTES;

	memset(mem + SVC_NET_IN_SLOTS + (u64)i * SVC_NET_SLOT_BYTES, b, fill);
	((struct svc_frame *)(mem + SVC_NET_IN_OFF))[i].len = len;
	H()->in_prod++;
}

static void on_rx(void *ctx, const u8 *frame, u32 len)
{
	struct got *g = ctx;

	assert_true(len >= NET_FRAME_MIN && len <= NET_FRAME_MAX);
	/* a copy, not the shared slot: the daemon cannot change it under us */
	assert_true(frame < mem || frame >= mem + SVC_RING_BYTES);
	g->len[g->calls] = len;
	g->first[g->calls] = frame[0];
	g->calls++;
}

static int setup(void **state)
{
	(void)state;
	mem = malloc(SVC_RING_BYTES);
	if (!mem)
		return -1;
	memset(mem, 0x5a, SVC_RING_BYTES); /* what an old ring left */
	svc_net_init(&ring, mem);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(mem);
	return 0;
}

static void test_header(void **state)
{
	(void)state;
	assert_int_equal(H()->entries, SVC_NET_ENTRIES);
	assert_int_equal(H()->slot_bytes, SVC_NET_SLOT_BYTES);
	assert_int_equal(H()->out_prod, 0);
	assert_int_equal(H()->out_cons, 0);
	assert_int_equal(H()->in_prod, 0);
	assert_int_equal(H()->in_cons, 0);
	assert_int_equal(out_e(0)->len, 0);
	/* the block ring's header and the data slots are not the frame rings' */
	assert_int_equal(mem[0], 0x5a);
	assert_int_equal(mem[SVC_DATA_OFF], 0x5a);
}

static void test_send_copies_into_slot(void **state)
{
	u8 f[NET_FRAME_MAX];

	(void)state;
	memset(f, 0xa1, sizeof(f));
	assert_true(svc_net_send(&ring, f, 60));
	memset(f, 0xa2, sizeof(f));
	assert_true(svc_net_send(&ring, f, NET_FRAME_MAX));
	assert_int_equal(H()->out_prod, 2);
	assert_int_equal(out_e(0)->len, 60);
	assert_int_equal(out_e(0)->flags, 0);
	assert_int_equal(out_e(1)->len, NET_FRAME_MAX);
	assert_int_equal(out_slot(0)[59], 0xa1);
	assert_int_equal(out_slot(0)[60], 0x5a); /* nothing past the frame */
	assert_int_equal(out_slot(1)[NET_FRAME_MAX - 1], 0xa2);
	assert_int_equal(ring.out_frames, 2);
}

static void test_send_refuses_bad_lengths(void **state)
{
	u8 f[NET_FRAME_MAX + 1] = { 0 };

	(void)state;
	assert_false(svc_net_send(&ring, f, NET_FRAME_MIN - 1));
	assert_false(svc_net_send(&ring, f, NET_FRAME_MAX + 1));
	assert_int_equal(H()->out_prod, 0);
	assert_int_equal(ring.out_full, 0);
}

static void test_full_out_ring_drops_until_taken(void **state)
{
	u8 f[64] = { 0 };

	(void)state;
	for (u32 i = 0; i < SVC_NET_ENTRIES; i++)
		assert_true(svc_net_send(&ring, f, sizeof(f)));
	assert_false(svc_net_send(&ring, f, sizeof(f)));
	assert_int_equal(ring.out_full, 1);
	H()->out_cons = 1; /* the daemon took one */
	assert_true(svc_net_send(&ring, f, sizeof(f)));
	assert_int_equal(H()->out_prod, SVC_NET_ENTRIES + 1);
	assert_false(ring.out_broken);
}

static void test_out_consumer_past_producer_breaks_out_only(void **state)
{
	u8 f[64] = { 0 };
	struct got g = { 0 };

	(void)state;
	assert_true(svc_net_send(&ring, f, sizeof(f)));
	H()->out_cons = 5; /* took frames never posted */
	assert_false(svc_net_send(&ring, f, sizeof(f)));
	assert_true(ring.out_broken);
	assert_int_equal(ring.bad_index, 1);
	H()->out_cons = 1; /* too late: broken until laid out again */
	assert_false(svc_net_send(&ring, f, sizeof(f)));
	assert_int_equal(H()->out_prod, 1);
	/* the in ring still works */
	wire(60, 0x11);
	assert_int_equal(svc_net_poll(&ring, on_rx, &g), 1);
	assert_int_equal(g.calls, 1);
	svc_net_init(&ring, mem);
	assert_true(svc_net_send(&ring, f, sizeof(f)));
}

static void test_poll_hands_on_copies(void **state)
{
	struct got g = { 0 };

	(void)state;
	assert_int_equal(svc_net_poll(&ring, on_rx, &g), 0);
	wire(60, 0x01);
	wire(NET_FRAME_MAX, 0x02);
	wire(NET_FRAME_MIN, 0x03);
	assert_int_equal(svc_net_poll(&ring, on_rx, &g), 3);
	assert_int_equal(g.calls, 3);
	assert_int_equal(g.len[0], 60);
	assert_int_equal(g.first[0], 0x01);
	assert_int_equal(g.len[1], NET_FRAME_MAX);
	assert_int_equal(g.first[1], 0x02);
	assert_int_equal(g.len[2], NET_FRAME_MIN);
	assert_int_equal(H()->in_cons, 3);
	assert_int_equal(ring.in_frames, 3);
	assert_int_equal(svc_net_poll(&ring, on_rx, &g), 0);
}

static void test_bad_lengths_drop_their_frame_only(void **state)
{
	struct got g = { 0 };

	(void)state;
	wire(0, 0x01);
	wire(NET_FRAME_MIN - 1, 0x02);
	wire(80, 0x03);
	wire(NET_FRAME_MAX + 1, 0x04);
	wire(SVC_NET_SLOT_BYTES + 1, 0x05);
	wire(0xffffffffU, 0x06);
	wire(90, 0x07);
	assert_int_equal(svc_net_poll(&ring, on_rx, &g), 7);
	assert_int_equal(g.calls, 2);
	assert_int_equal(g.first[0], 0x03);
	assert_int_equal(g.first[1], 0x07);
	assert_int_equal(ring.in_bad_len, 5);
	assert_int_equal(H()->in_cons, 7);
	assert_false(ring.in_broken);
}

static void test_in_producer_past_ring_breaks_in_only(void **state)
{
	struct got g = { 0 };
	u8 f[64] = { 0 };

	(void)state;
	wire(60, 0x01);
	H()->in_prod = SVC_NET_ENTRIES + 1; /* more than a ring ahead */
	assert_int_equal(svc_net_poll(&ring, on_rx, &g), 0);
	assert_int_equal(g.calls, 0);
	assert_true(ring.in_broken);
	assert_int_equal(ring.bad_index, 1);
	assert_int_equal(H()->in_cons, 0);
	H()->in_prod = 1;
	assert_int_equal(svc_net_poll(&ring, on_rx, &g), 0);
	assert_true(svc_net_send(&ring, f, sizeof(f))); /* the out ring works */
}

static void test_in_ring_wraps(void **state)
{
	struct got g = { 0 };

	(void)state;
	for (u32 round = 0; round < 3; round++) {
		g.calls = 0;
		for (u32 i = 0; i < SVC_NET_ENTRIES; i++)
			wire(60 + i, (u8)i);
		assert_int_equal(svc_net_poll(&ring, on_rx, &g), SVC_NET_ENTRIES);
		assert_int_equal(g.calls, SVC_NET_ENTRIES);
		assert_int_equal(g.len[SVC_NET_ENTRIES - 1], 60 + SVC_NET_ENTRIES - 1);
	}
	assert_int_equal(ring.in_frames, 3 * SVC_NET_ENTRIES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_copies_into_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_refuses_bad_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_out_ring_drops_until_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_consumer_past_producer_breaks_out_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_hands_on_copies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_lengths_drop_their_frame_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_producer_past_ring_breaks_in_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_ring_wraps, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
