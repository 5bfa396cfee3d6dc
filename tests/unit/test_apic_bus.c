/* hv/dev/apic_bus.c: interrupt messages routed by APIC ID over several
 * local APICs (SDM vol. 3 10.6.1-10.6.2.4, 10.12.10): physical IDs and
 * broadcast, flat and cluster logical addresses, x2APIC logical IDs, the
 * shorthands, lowest priority to one APIC, NMI/INIT/SIPI to the vCPU. */
#include "unit.h"
#include <bulkhead/apic_bus.h>
#include <bulkhead/vlapic.h>
#include <string.h>

#define N 4

static struct vlapic apics[N];
static struct vlapic *set[N];
static unsigned signals[N][8];
static u8 last_sipi[N];

static u64 now(void)
{
	return 0;
}

static void on_signal(void *ctx, u8 mode, u8 vector)
{
	unsigned i = (unsigned)((struct vlapic *)ctx - apics);

	signals[i][mode]++;
	if (mode == APIC_SIPI)
		last_sipi[i] = vector;
}

static int setup(void **state)
{
	(void)state;
	memset(signals, 0, sizeof(signals));
	for (unsigned i = 0; i < N; i++) {
		vlapic_init(&apics[i], i, 1000000000ULL, now);
		apics[i].signal = on_signal;
		apics[i].signal_ctx = &apics[i];
		apics[i].svr = 0x1ff;
		set[i] = &apics[i];
	}
	return 0;
}

/* Which APICs have vector pending, as a bit mask. */
static unsigned pending_mask(u8 vector)
{
	unsigned m = 0;

	for (unsigned i = 0; i < N; i++)
		if (apics[i].irr[vector / 32] & (1U << (vector % 32)))
			m |= 1U << i;
	return m;
}

static void clear_irr(void)
{
	for (unsigned i = 0; i < N; i++)
		memset(apics[i].irr, 0, sizeof(apics[i].irr));
}

static void test_physical(void **state)
{
	struct apic_msg m = { .dest = 2, .mode = APIC_FIXED, .vector = 0x40 };

	(void)state;
	assert_int_equal(apic_msg_send(set, N, NULL, &m), 1);
	assert_int_equal(pending_mask(0x40), 1U << 2);
	clear_irr();
	m.dest = 7; /* no such APIC: nobody, nothing breaks */
	assert_int_equal(apic_msg_send(set, N, NULL, &m), 0);
	assert_int_equal(pending_mask(0x40), 0);
	m.dest = 0xff; /* xAPIC broadcast */
	assert_int_equal(apic_msg_send(set, N, NULL, &m), N);
	assert_int_equal(pending_mask(0x40), 0xf);
}

static void test_logical_flat_and_cluster(void **state)
{
	struct apic_msg m = { .logical = true, .mode = APIC_FIXED, .vector = 0x41 };

	(void)state;
	for (unsigned i = 0; i < N; i++)
		apics[i].ldr = (1U << i) << 24; /* flat: one bit each, as Linux sets */
	m.dest = 0x5;                           /* APICs 0 and 2 */
	assert_int_equal(apic_msg_send(set, N, NULL, &m), 2);
	assert_int_equal(pending_mask(0x41), 0x5);
	clear_irr();
	for (unsigned i = 0; i < N; i++) {
		apics[i].dfr = 0x0fffffffU;     /* cluster model */
		apics[i].ldr = ((i / 2) << 28 | (1U << (24 + i % 2)));
	}
	m.dest = 0x12;                          /* cluster 1, bit 1: APIC 3 */
	assert_int_equal(apic_msg_send(set, N, NULL, &m), 1);
	assert_int_equal(pending_mask(0x41), 1U << 3);
}

static void test_x2apic_logical(void **state)
{
	struct apic_msg m = { .logical = true, .x2apic = true, .mode = APIC_FIXED,
			      .vector = 0x42 };

	(void)state;
	for (unsigned i = 0; i < N; i++)
		apics[i].x2apic = true;
	m.dest = (0U << 16) | 0x6; /* cluster 0, IDs 1 and 2 */
	assert_int_equal(apic_msg_send(set, N, NULL, &m), 2);
	assert_int_equal(pending_mask(0x42), 0x6);
	clear_irr();
	m.logical = false;
	m.dest = 0xffffffffU; /* x2APIC broadcast */
	assert_int_equal(apic_msg_send(set, N, NULL, &m), N);
}

static void test_shorthands(void **state)
{
	struct apic_msg m = { .mode = APIC_FIXED, .vector = 0x43 };

	(void)state;
	m.shorthand = APIC_DEST_SELF;
	apic_msg_send(set, N, &apics[1], &m);
	assert_int_equal(pending_mask(0x43), 1U << 1);
	clear_irr();
	m.shorthand = APIC_DEST_OTHERS;
	apic_msg_send(set, N, &apics[1], &m);
	assert_int_equal(pending_mask(0x43), 0xd);
	clear_irr();
	m.shorthand = APIC_DEST_ALL;
	apic_msg_send(set, N, &apics[1], &m);
	assert_int_equal(pending_mask(0x43), 0xf);
}

static void test_lowest_priority_picks_one(void **state)
{
	struct apic_msg m = { .dest = 0xff, .mode = APIC_LOWEST, .vector = 0x44 };

	(void)state;
	apics[0].tpr = 0x50;
	apics[1].tpr = 0x20;
	apics[2].tpr = 0x30;
	apics[3].tpr = 0x40;
	assert_int_equal(apic_msg_send(set, N, NULL, &m), N);
	assert_int_equal(pending_mask(0x44), 1U << 1);
}

static void test_nmi_init_sipi_reach_the_vcpu(void **state)
{
	struct apic_msg m = { .dest = 3, .mode = APIC_INIT };

	(void)state;
	apic_msg_send(set, N, &apics[0], &m);
	m.mode = APIC_SIPI;
	m.vector = 0x9a;
	apic_msg_send(set, N, &apics[0], &m);
	m.mode = APIC_NMI;
	m.shorthand = APIC_DEST_OTHERS;
	apic_msg_send(set, N, &apics[0], &m);
	assert_int_equal(signals[3][APIC_INIT], 1);
	assert_int_equal(signals[3][APIC_SIPI], 1);
	assert_int_equal(last_sipi[3], 0x9a);
	assert_int_equal(signals[0][APIC_NMI], 0);
	for (unsigned i = 1; i < N; i++)
		assert_int_equal(signals[i][APIC_NMI], 1);
	assert_int_equal(pending_mask(0x9a), 0); /* a SIPI raises no vector */
	m = (struct apic_msg){ .dest = 2, .mode = APIC_INIT, .deassert = true };
	apic_msg_send(set, N, &apics[0], &m);
	assert_int_equal(signals[2][APIC_INIT], 0);
}

/* An ICR write goes out through the APIC's send hook with the fields the
 * register holds. */
static const struct apic_msg *sent;
static struct apic_msg sent_copy;
static void capture(void *ctx, const struct vlapic *from, const struct apic_msg *msg)
{
	assert_ptr_equal(ctx, &apics[0]);
	assert_ptr_equal(from, &apics[0]);
	sent_copy = *msg;
	sent = &sent_copy;
}

static void test_icr_to_message(void **state)
{
	(void)state;
	apics[0].send = capture;
	apics[0].send_ctx = &apics[0];
	assert_int_equal(vlapic_write(&apics[0], 0x310, 4, 3U << 24), BUS_OK);
	assert_int_equal(vlapic_write(&apics[0], 0x300, 4, (6U << 8) | (1U << 14) | 0x9f), BUS_OK);
	assert_non_null(sent);
	assert_int_equal(sent->dest, 3);
	assert_int_equal(sent->mode, APIC_SIPI);
	assert_int_equal(sent->vector, 0x9f);
	assert_false(sent->logical);
	assert_int_equal(sent->shorthand, APIC_DEST_FIELD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_physical, setup),
		cmocka_unit_test_setup(test_logical_flat_and_cluster, setup),
		cmocka_unit_test_setup(test_x2apic_logical, setup),
		cmocka_unit_test_setup(test_shorthands, setup),
		cmocka_unit_test_setup(test_lowest_priority_picks_one, setup),
		cmocka_unit_test_setup(test_nmi_init_sipi_reach_the_vcpu, setup),
		cmocka_unit_test_setup(test_icr_to_message, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
