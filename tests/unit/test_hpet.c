/* hv/dev/hpet.c against a fake TSC, through the VM's MMIO bus: capabilities,
 * the main counter's rate, one-shot and periodic comparators, 32-bit mode
 * across the counter's 32-bit wrap, edge and level interrupts, routing and
 * legacy replacement, reset, and the accesses the spec does not define. */
#include "unit.h"
#include <bulkhead/dev.h>
#include <bulkhead/hpet.h>
#include <bulkhead/pc_platform.h>
#include <string.h>
#include "fake_vm.h"

#define TSC_HZ 2400000000ULL
#define MS     (TSC_HZ / 1000)  /* TSC cycles per ms */
#define TICKS_PER_MS (PC_HPET_HZ / 1000)

#define CAP      0x000
#define CFG      0x010
#define ISR      0x020
#define COUNTER  0x0f0
#define TN_CFG(n) (0x100 + 0x20 * (n))
#define TN_CMP(n) (0x108 + 0x20 * (n))
#define TN_FSB(n) (0x110 + 0x20 * (n))

#define ENABLE     1U
#define LEG_RT     2U
#define INT_LEVEL  (1U << 1)
#define INT_ENB    (1U << 2)
#define PERIODIC   (1U << 3)
#define PER_CAP    (1U << 4)
#define SIZE_CAP   (1U << 5)
#define VAL_SET    (1U << 6)
#define MODE32     (1U << 8)
#define ROUTE(g)   ((u32)(g) << 9)

u64 tsc_hz = TSC_HZ;
static struct hpet *hpet;
static u64 clock_now, start;
static unsigned pulses[32], timers_added;
static bool level[32];

static u64 fake_now(void) { return clock_now; }

void vm_irq_set(struct vm *m, u32 gsi, bool asserted)
{
	assert_ptr_equal(m, &vm);
	assert_true(gsi < 32);
	assert_true(level[gsi] != asserted); /* only changes are driven */
	level[gsi] = asserted;
}

void vm_irq_pulse(struct vm *m, u32 gsi)
{
	assert_ptr_equal(m, &vm);
	assert_true(gsi < 32);
	pulses[gsi]++;
}

bool vm_add_timer(struct vm *m, const struct vtimer_ops *ops, void *dev)
{
	assert_ptr_equal(m, &vm);
	assert_ptr_equal(ops, &hpet_vtimer_ops);
	assert_non_null(dev);
	timers_added++;
	return true;
}

static u64 rd(u64 off, u32 size)
{
	u64 v;

	assert_int_equal(bus_read(&vm.bus.mmio, PC_HPET_BASE + off, size, &v), BUS_OK);
	return v;
}

static void wr(u64 off, u32 size, u64 v)
{
	assert_int_equal(bus_write(&vm.bus.mmio, PC_HPET_BASE + off, size, v), BUS_OK);
}

static unsigned total_pulses(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < 32; i++)
		n += pulses[i];
	return n;
}

/* Advances the fake TSC and runs the timer as the scheduler would. */
static void run_to(u64 tsc)
{
	clock_now = tsc;
	hpet_poll(hpet, clock_now);
}

static int setup(void **state)
{
	const char *err = NULL;

	(void)state;
	memset(&vm, 0, sizeof(vm));
	vm_init_dev_host(&vm);
	memset(pulses, 0, sizeof(pulses));
	memset(level, 0, sizeof(level));
	timers_added = 0;
	clock_now = start = 3 * TSC_HZ;
	hpet = hpet_attach(&vm.dev, (struct vclock){ fake_now, TSC_HZ }, &err);
	assert_non_null(hpet);
	assert_int_equal(timers_added, 1);
	return 0;
}

/* Starts the counter at 0 at TSC start. */
static void enable(u32 extra)
{
	clock_now = start;
	wr(CFG, 4, ENABLE | extra);
}

static void test_capabilities(void **state)
{
	u64 cap;

	(void)state;
	cap = rd(CAP, 8);
	assert_int_equal(cap & 0xff, 1);                  /* REV_ID, never 0 */
	assert_int_equal((cap >> 8) & 0x1f, PC_HPET_TIMERS - 1);
	assert_true(cap & (1U << 13));                   /* 64-bit counter */
	assert_true(cap & (1U << 15));                   /* legacy route capable */
	assert_int_equal((cap >> 16) & 0xffff, PC_HPET_VENDOR);
	assert_int_equal(cap >> 32, PC_HPET_PERIOD_FS);
	assert_true(PC_HPET_PERIOD_FS <= 0x05f5e100ULL); /* at least 10 MHz */
	assert_int_equal(PC_HPET_PERIOD_FS * PC_HPET_HZ, 1000000000000000ULL);
	/* the two halves as 32-bit reads */
	assert_int_equal(rd(CAP, 4), (u32)cap);
	assert_int_equal(rd(CAP + 4, 4), cap >> 32);
	assert_int_equal(rd(CAP, 4), PC_HPET_ID);
	for (u32 n = 0; n < PC_HPET_TIMERS; n++) {
		u64 c = rd(TN_CFG(n), 8);

		assert_int_equal(c & 0xffffffffULL, PER_CAP | SIZE_CAP); /* reset: all off */
		assert_int_equal(c >> 32, HPET_ROUTE_CAP);
		assert_int_equal(rd(TN_CMP(n), 8), ~0ULL);
		assert_int_equal(rd(TN_FSB(n), 8), 0); /* no FSB delivery */
	}
	/* the timers past the third are reserved */
	assert_int_equal(rd(TN_CFG(PC_HPET_TIMERS), 8), 0);
}

static void test_counter(void **state)
{
	(void)state;
	/* halted after reset */
	clock_now += TSC_HZ;
	assert_int_equal(rd(COUNTER, 8), 0);
	assert_int_equal(hpet_next_deadline(hpet), ~0ULL);
	enable(0);
	clock_now = start + TSC_HZ;
	assert_int_equal(rd(COUNTER, 8), PC_HPET_HZ);
	clock_now += 10 * MS;
	assert_int_equal(rd(COUNTER, 4), PC_HPET_HZ + 10 * TICKS_PER_MS);
	assert_int_equal(rd(COUNTER + 4, 4), 0);
	/* halting keeps the value */
	wr(CFG, 4, 0);
	clock_now += TSC_HZ;
	assert_int_equal(rd(COUNTER, 8), PC_HPET_HZ + 10 * TICKS_PER_MS);
	/* written while halted, in halves and whole */
	wr(COUNTER + 4, 4, 0x12);
	wr(COUNTER, 4, 0x345678);
	assert_int_equal(rd(COUNTER, 8), 0x1200345678ULL);
	wr(COUNTER, 8, 1000);
	assert_int_equal(rd(COUNTER, 8), 1000);
	/* restarting counts on from there */
	wr(CFG, 4, ENABLE);
	clock_now += MS;
	assert_int_equal(rd(COUNTER, 8), 1000 + TICKS_PER_MS);
}

static void test_oneshot_edge(void **state)
{
	u64 due;

	(void)state;
	wr(TN_CFG(2), 4, INT_ENB | ROUTE(20));
	assert_int_equal(rd(TN_CFG(2), 4), PER_CAP | SIZE_CAP | INT_ENB | ROUTE(20));
	wr(TN_CMP(2), 8, 5 * TICKS_PER_MS);
	enable(0);
	due = hpet_next_deadline(hpet);
	assert_int_equal(due, start + 5 * MS);
	run_to(due - 1);
	assert_int_equal(total_pulses(), 0);
	run_to(due);
	assert_int_equal(pulses[20], 1);
	assert_int_equal(total_pulses(), 1);
	/* 64-bit one-shot: no further match */
	assert_int_equal(hpet_next_deadline(hpet), ~0ULL);
	run_to(start + 100 * TSC_HZ);
	assert_int_equal(total_pulses(), 1);
	assert_int_equal(rd(TN_CMP(2), 8), 5 * TICKS_PER_MS); /* not changed by hardware */
	assert_int_equal(rd(ISR, 4), 0); /* edge mode sets no status */
	/* a comparator behind the counter waits (for the 64-bit wrap) */
	wr(TN_CMP(2), 8, 1);
	run_to(clock_now + TSC_HZ);
	assert_int_equal(total_pulses(), 1);
}

static void test_periodic(void **state)
{
	u64 period = 4 * TICKS_PER_MS; /* 250 Hz */

	(void)state;
	/* Linux's hpet_clkevt_set_state_periodic: counter stopped, comparator
	 * with VAL_SET, then the period again without it */
	wr(TN_CFG(0), 4, INT_ENB | PERIODIC | VAL_SET | MODE32 | ROUTE(16));
	wr(TN_CMP(0), 4, period);
	assert_int_equal(rd(TN_CFG(0), 4) & VAL_SET, 0); /* clears itself */
	wr(TN_CMP(0), 4, period);
	enable(0);
	for (u32 i = 1; i <= 5; i++) {
		assert_int_equal(hpet_next_deadline(hpet), start + i * 4 * MS);
		run_to(start + i * 4 * MS);
		assert_int_equal(pulses[16], i);
		assert_int_equal(rd(TN_CMP(0), 4), (i + 1) * period); /* the next match */
	}
	/* a late poll: the missed matches merge into one interrupt and the
	 * comparator moves past the counter by whole periods */
	run_to(start + 41 * MS);
	assert_int_equal(pulses[16], 6);
	assert_int_equal(rd(TN_CMP(0), 4), 11 * period);
	assert_int_equal(hpet_next_deadline(hpet), start + 44 * MS);
	/* without VAL_SET a write changes the period only */
	wr(TN_CMP(0), 4, 2 * period);
	assert_int_equal(rd(TN_CMP(0), 4), 11 * period);
	run_to(start + 44 * MS);
	assert_int_equal(rd(TN_CMP(0), 4), 13 * period);
	/* disabled, the comparator still runs (read back) but nothing wakes */
	wr(TN_CFG(0), 4, PERIODIC | MODE32 | ROUTE(16));
	assert_int_equal(hpet_next_deadline(hpet), ~0ULL);
	clock_now = start + 100 * MS;
	assert_int_equal(rd(TN_CMP(0), 4), 27 * period);
	assert_int_equal(pulses[16], 7);
}

static void test_level(void **state)
{
	(void)state;
	wr(TN_CFG(1), 4, INT_LEVEL | INT_ENB | ROUTE(21));
	wr(TN_CMP(1), 8, TICKS_PER_MS);
	enable(0);
	run_to(start + MS);
	assert_true(level[21]);
	assert_int_equal(rd(ISR, 8), 2);
	assert_int_equal(total_pulses(), 0);
	/* writing 0 changes nothing; 1 clears the status and the line */
	wr(ISR, 4, 0);
	assert_true(level[21]);
	wr(ISR, 4, 2);
	assert_false(level[21]);
	assert_int_equal(rd(ISR, 8), 0);
	/* disabled: the status still sets, the line stays low until enabled */
	wr(TN_CFG(1), 4, INT_LEVEL | ROUTE(21));
	wr(TN_CMP(1), 8, 3 * TICKS_PER_MS);
	run_to(start + 3 * MS);
	assert_int_equal(rd(ISR, 4), 2);
	assert_false(level[21]);
	wr(TN_CFG(1), 4, INT_LEVEL | INT_ENB | ROUTE(21));
	assert_true(level[21]);
	/* a new route moves the asserted line */
	wr(TN_CFG(1), 4, INT_LEVEL | INT_ENB | ROUTE(22));
	assert_false(level[21]);
	assert_true(level[22]);
	/* halting the counter disables all timer interrupts */
	wr(CFG, 4, 0);
	assert_false(level[22]);
	wr(CFG, 4, ENABLE);
	assert_true(level[22]);
}

static void test_routing(void **state)
{
	(void)state;
	/* a route outside Tn_INT_ROUTE_CAP is not taken */
	wr(TN_CFG(2), 4, INT_ENB | ROUTE(17));
	wr(TN_CFG(2), 4, INT_ENB | ROUTE(3));
	assert_int_equal(rd(TN_CFG(2), 4) & ROUTE(0x1f), ROUTE(17));
	/* the reset route (0) is not one the timer has: no interrupt */
	wr(TN_CFG(0), 4, INT_ENB);
	wr(TN_CMP(0), 8, TICKS_PER_MS);
	wr(TN_CMP(2), 8, TICKS_PER_MS);
	enable(0);
	run_to(start + MS);
	assert_int_equal(pulses[17], 1);
	assert_int_equal(total_pulses(), 1);
}

static void test_legacy_replacement(void **state)
{
	(void)state;
	for (u32 n = 0; n < 3; n++) {
		wr(TN_CFG(n), 4, INT_ENB | ROUTE(18 + n));
		wr(TN_CMP(n), 8, (n + 1) * TICKS_PER_MS);
	}
	enable(LEG_RT);
	assert_int_equal(rd(CFG, 8), ENABLE | LEG_RT);
	/* timer 0 to IRQ0 (I/O APIC input 2), timer 1 to IRQ8; the routes of
	 * both are ignored; timer 2 keeps its own */
	run_to(start + MS);
	assert_int_equal(pulses[PC_PIT_GSI], 1);
	assert_int_equal(total_pulses(), 1);
	run_to(start + 2 * MS);
	assert_int_equal(pulses[PC_RTC_IRQ], 1);
	assert_int_equal(total_pulses(), 2);
	run_to(start + 3 * MS);
	assert_int_equal(pulses[20], 1);
	assert_int_equal(total_pulses(), 3);
	/* off again: the timers' own routes */
	wr(CFG, 4, ENABLE);
	wr(TN_CMP(0), 8, 4 * TICKS_PER_MS);
	run_to(start + 4 * MS);
	assert_int_equal(pulses[18], 1);
}

static void test_32bit_wrap(void **state)
{
	(void)state;
	/* 32-bit mode clears the comparator's upper half and compares the
	 * counter's low 32 bits */
	wr(TN_CMP(2), 8, 0x100000005ULL);
	wr(TN_CFG(2), 4, INT_ENB | MODE32 | ROUTE(19));
	assert_int_equal(rd(TN_CMP(2), 8), 5);
	wr(TN_CMP(2) + 4, 4, 7); /* the upper half is read-only 0 */
	assert_int_equal(rd(TN_CMP(2), 8), 5);
	wr(COUNTER, 8, 0xfffffff0ULL);
	enable(0);
	wr(COUNTER, 8, 0xfffffff0ULL); /* from TSC start */
	/* 0xfffffff0 -> 0x1_00000005: 21 ticks, across the wrap */
	assert_int_equal(hpet_next_deadline(hpet), start + (21 * TSC_HZ + PC_HPET_HZ - 1) / PC_HPET_HZ);
	run_to(start + 20 * TSC_HZ / PC_HPET_HZ);
	assert_int_equal(pulses[19], 0);
	run_to(start + MS);
	assert_int_equal(pulses[19], 1);
	assert_true(rd(COUNTER, 8) > 0xffffffffULL); /* the main counter is 64 bits */
	/* one-shot: the low 32 bits match again a wrap later (2^32 ticks) */
	run_to(start + 100 * TSC_HZ);
	assert_int_equal(pulses[19], 1);
	run_to(start + (0x100000015ULL * TSC_HZ + PC_HPET_HZ - 1) / PC_HPET_HZ);
	assert_int_equal(pulses[19], 2);
	/* periodic in 32-bit mode: the comparator wraps with the counter */
	wr(CFG, 4, 0);
	wr(COUNTER, 8, 0xffffff00ULL);
	wr(TN_CFG(2), 4, INT_ENB | PERIODIC | VAL_SET | MODE32 | ROUTE(19));
	wr(TN_CMP(2), 4, 0xffffff80U);
	wr(TN_CMP(2), 4, 0x100);
	clock_now = start;
	wr(CFG, 4, ENABLE);
	run_to(start + 0x80 * TSC_HZ / PC_HPET_HZ);
	assert_int_equal(pulses[19], 3);
	assert_int_equal(rd(TN_CMP(2), 8), 0x80); /* 0xffffff80 + 0x100, 32 bits */
	run_to(start + 0x180 * TSC_HZ / PC_HPET_HZ);
	assert_int_equal(pulses[19], 4);
	assert_int_equal(rd(TN_CMP(2), 8), 0x180);
}

static void test_reset(void **state)
{
	(void)state;
	wr(TN_CFG(1), 4, INT_LEVEL | INT_ENB | PERIODIC | VAL_SET | ROUTE(23));
	wr(TN_CMP(1), 8, TICKS_PER_MS);
	enable(LEG_RT);
	run_to(start + MS);
	assert_true(level[PC_RTC_IRQ]);
	bus_reset(&vm.bus);
	assert_false(level[PC_RTC_IRQ]);
	assert_int_equal(rd(CFG, 8), 0);
	assert_int_equal(rd(ISR, 8), 0);
	assert_int_equal(rd(COUNTER, 8), 0);
	clock_now += TSC_HZ;
	assert_int_equal(rd(COUNTER, 8), 0); /* halted */
	for (u32 n = 0; n < PC_HPET_TIMERS; n++) {
		assert_int_equal(rd(TN_CFG(n), 4), PER_CAP | SIZE_CAP);
		assert_int_equal(rd(TN_CMP(n), 8), ~0ULL);
	}
	assert_int_equal(hpet_next_deadline(hpet), ~0ULL);
}

static void test_bad_accesses(void **state)
{
	static const struct { u64 off; u32 size; } bad[] = {
		{ CAP, 1 }, { CAP, 2 }, { COUNTER + 1, 1 }, { COUNTER, 2 }, { COUNTER + 2, 4 },
		{ COUNTER + 4, 8 }, { TN_CMP(0) + 3, 4 }, { CFG, 3 }, { 0x3fc, 8 },
	};
	u64 v;

	(void)state;
	for (u32 i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(bus_read(&vm.bus.mmio, PC_HPET_BASE + bad[i].off, bad[i].size, &v),
				 BUS_BAD_ACCESS);
		assert_int_equal(bus_write(&vm.bus.mmio, PC_HPET_BASE + bad[i].off, bad[i].size, 0),
				 BUS_BAD_ACCESS);
	}
	/* read-only and reserved registers: writes ignored, reserved reads 0 */
	wr(CAP, 8, 0);
	assert_int_equal(rd(CAP, 4), PC_HPET_ID);
	wr(TN_CFG(0) + 4, 4, 0);
	assert_int_equal(rd(TN_CFG(0) + 4, 4), HPET_ROUTE_CAP);
	wr(0x30, 8, ~0ULL);
	assert_int_equal(rd(0x30, 8), 0);
	wr(0x3f8, 8, ~0ULL);
	assert_int_equal(rd(0x3f8, 4), 0);
	/* reserved configuration bits stay 0 */
	wr(CFG, 8, ~0ULL & ~1ULL);
	assert_int_equal(rd(CFG, 8), LEG_RT);
	wr(TN_CFG(2), 8, ~0ULL & ~(u64)(INT_ENB | ROUTE(0x1f)));
	assert_int_equal(rd(TN_CFG(2), 4), PER_CAP | SIZE_CAP | INT_LEVEL | PERIODIC | VAL_SET | MODE32);
	/* the region ends at 1 KiB */
	assert_int_equal(bus_read(&vm.bus.mmio, PC_HPET_BASE + PC_HPET_LEN, 4, &v), BUS_UNCLAIMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_capabilities, setup),
		cmocka_unit_test_setup(test_counter, setup),
		cmocka_unit_test_setup(test_oneshot_edge, setup),
		cmocka_unit_test_setup(test_periodic, setup),
		cmocka_unit_test_setup(test_level, setup),
		cmocka_unit_test_setup(test_routing, setup),
		cmocka_unit_test_setup(test_legacy_replacement, setup),
		cmocka_unit_test_setup(test_32bit_wrap, setup),
		cmocka_unit_test_setup(test_reset, setup),
		cmocka_unit_test_setup(test_bad_accesses, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
