/* hv/dev/pit.c: the 8254 against a fake TSC, through the VM's port bus:
 * Linux's TSC calibration sequences on channel 2 (pit_calibrate_tsc and
 * quick_pit_calibrate in arch/x86/kernel/tsc.c), latch and read-back,
 * channel 0 periodic and one-shot interrupts, port B. */
#include "unit.h"
#include <bulkhead/dev.h>
#include <bulkhead/vm.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/pit.h>
#include <string.h>

#define TSC_HZ 2000000000ULL

u64 tsc_hz = TSC_HZ;
static struct vm vm;
static struct pit *pit;
static u64 clock_now;
static unsigned pulses, timers_added;

static u64 fake_now(void) { return clock_now; }

void vm_irq_pulse(struct vm *m, u32 gsi)
{
	assert_ptr_equal(m, &vm);
	assert_int_equal(gsi, PC_PIT_GSI);
	pulses++;
}

bool vm_add_timer(struct vm *m, const struct vtimer_ops *ops, void *dev)
{
	assert_ptr_equal(m, &vm);
	assert_ptr_equal(ops, &pit_vtimer_ops);
	assert_non_null(dev);
	timers_added++;
	return true;
}

static u8 in(u16 port)
{
	u64 v;

	assert_int_equal(bus_read(&vm.bus.pio, port, 1, &v), BUS_OK);
	return (u8)v;
}

static void out(u16 port, u8 v)
{
	assert_int_equal(bus_write(&vm.bus.pio, port, 1, v), BUS_OK);
}

/* Count of channel ch read LSB then MSB, as Linux does without latching. */
static u16 read_count(u16 port)
{
	u8 lo = in(port);

	return (u16)(lo | in(port) << 8);
}

static int setup(void **state)
{
	const char *err = NULL;

	(void)state;
	memset(&vm, 0, sizeof(vm));
	vm_init_dev_host(&vm);
	pulses = timers_added = 0;
	clock_now = 5000000;
	pit = pit_attach(&vm.dev, (struct vclock){ fake_now, TSC_HZ }, &err);
	assert_non_null(pit);
	assert_int_equal(timers_added, 1);
	return 0;
}

/* Ticks of the PIT in the TSC interval [from, to). */
static u64 ticks(u64 from, u64 to)
{
	return (to - from) * PIT_HZ / TSC_HZ;
}

static void test_linux_pit_calibrate_tsc(void **state)
{
	const u32 latch = PIT_HZ / (1000 / 10); /* CAL_LATCH, 10 ms */
	u64 t0, t1, tsc_khz;
	unsigned loops = 0;

	(void)state;
	out(PC_PORT_B, (u8)((in(PC_PORT_B) & ~0x02) | 0x01)); /* gate high, speaker off */
	out(0x43, 0xb0);                                     /* ch2, lohi, mode 0 */
	out(0x42, latch & 0xff);
	out(0x42, (u8)(latch >> 8));
	t0 = clock_now;
	while (!(in(PC_PORT_B) & 0x20)) {
		clock_now += 997; /* a read every ~0.5 us */
		loops++;
		assert_true(loops < 100000);
	}
	t1 = clock_now;
	/* OUT2 rose on the first read at or after latch ticks */
	assert_true(ticks(t0, t1) >= latch);
	assert_true(ticks(t0, t1 - 997) < latch);
	/* Linux: tsc_khz = delta_tsc / ms */
	tsc_khz = (t1 - t0) / 10;
	assert_true(tsc_khz >= TSC_HZ / 1000 - 200 && tsc_khz <= TSC_HZ / 1000 + 200);
}

static void test_linux_quick_pit_calibrate(void **state)
{
	u64 t0;

	(void)state;
	out(PC_PORT_B, (u8)((in(PC_PORT_B) & ~0x02) | 0x01));
	out(0x43, 0xb0);
	out(0x42, 0xff);
	out(0x42, 0xff);
	t0 = clock_now;
	/* the counter is 0xffff minus whole ticks since loading, exactly */
	for (u64 d = 0; d < 60 * TSC_HZ / 1000; d += 12345) {
		clock_now = t0 + d;
		assert_int_equal(read_count(0x42), (u16)(0xffff - ticks(t0, clock_now)));
	}
	/* the MSB steps from 0xff to 0xfe after exactly 256 ticks */
	clock_now = t0 + 256 * TSC_HZ / PIT_HZ; /* just before */
	in(0x42);
	assert_int_equal(in(0x42), 0xff);
	clock_now = t0 + (256 * TSC_HZ + PIT_HZ - 1) / PIT_HZ;
	in(0x42);
	assert_int_equal(in(0x42), 0xfe);
	/* after terminal count the counter wraps on and OUT2 stays high */
	clock_now = t0 + 0x10005ULL * TSC_HZ / PIT_HZ + 1;
	assert_true(in(PC_PORT_B) & 0x20);
	assert_int_equal(read_count(0x42), (u16)(0xffff - 0x10005));
}

static void test_latch_and_read_back(void **state)
{
	u64 t0;

	(void)state;
	out(PC_PORT_B, 0x01);
	out(0x43, 0xb0);
	out(0x42, 0x00);
	out(0x42, 0x10); /* 0x1000 */
	t0 = clock_now;
	clock_now += 100 * TSC_HZ / PIT_HZ + 1; /* 100 ticks */
	out(0x43, 0x80);                        /* latch ch2 */
	clock_now += 500 * TSC_HZ / PIT_HZ;
	assert_int_equal(read_count(0x42), 0x1000 - 100);
	assert_int_equal(read_count(0x42), (u16)(0x1000 - ticks(t0, clock_now)));
	/* read-back: status and count of ch2 (0xc0 | ch2) */
	out(0x43, 0xc8);
	assert_int_equal(in(0x42), 0x30); /* OUT low, loaded, lohi, mode 0, binary */
	assert_int_equal(read_count(0x42), (u16)(0x1000 - ticks(t0, clock_now)));
	/* status only, after a new control word: null count */
	out(0x43, 0xb4); /* mode 2 */
	out(0x43, 0xe8);
	assert_int_equal(in(0x42), 0x80 | 0x40 | 0x34);
	/* LSB-only access mode */
	out(0x43, 0x90);
	out(0x42, 0x40);
	assert_int_equal(in(0x42), 0x40);
	assert_int_equal(in(0x42), 0x40);
}

static void test_channel0_periodic(void **state)
{
	const u32 n = 1193; /* ~1 kHz, PIT_LATCH for HZ=1000 */
	u64 t0, d1, d2;

	(void)state;
	assert_int_equal(pit_next_deadline(pit), ~0ULL); /* unprogrammed: quiet */
	out(0x43, 0x34); /* ch0, lohi, mode 2 */
	out(0x40, n & 0xff);
	out(0x40, n >> 8);
	t0 = clock_now;
	d1 = pit_next_deadline(pit);
	assert_int_equal(d1, t0 + (n * TSC_HZ + PIT_HZ - 1) / PIT_HZ);
	pit_poll(pit, d1 - 1);
	assert_int_equal(pulses, 0);
	pit_poll(pit, d1);
	assert_int_equal(pulses, 1);
	d2 = pit_next_deadline(pit);
	assert_int_equal(d2, t0 + (2 * n * TSC_HZ + PIT_HZ - 1) / PIT_HZ); /* no drift */
	/* Late by 3 periods: each missed tick comes, one per poll, no drift. */
	pit_poll(pit, d2 + 3 * (d2 - d1));
	assert_int_equal(pulses, 2);
	assert_int_equal(pit_next_deadline(pit), t0 + (3 * n * TSC_HZ + PIT_HZ - 1) / PIT_HZ);
	pit_poll(pit, d2 + 3 * (d2 - d1));
	pit_poll(pit, d2 + 3 * (d2 - d1));
	pit_poll(pit, d2 + 3 * (d2 - d1));
	assert_int_equal(pulses, 5);
	pit_poll(pit, d2 + 3 * (d2 - d1));
	assert_int_equal(pulses, 5); /* caught up: the next tick is in the future */
	/* Ten seconds late: at most one second of ticks is replayed, no storm. */
	pulses = 0;
	for (int i = 0; i < 5000 && pit_next_deadline(pit) <= d2 + 10 * TSC_HZ; i++)
		pit_poll(pit, d2 + 10 * TSC_HZ);
	assert_int_equal(pulses, PIT_HZ / n); /* one second of ticks */
	assert_true(pit_next_deadline(pit) > d2 + 10 * TSC_HZ);
	assert_true(pit_next_deadline(pit) <= d2 + 10 * TSC_HZ + TSC_HZ / 1000 + 1);
	/* mode 3: OUT0 square wave, count steps by two */
	out(0x43, 0x36);
	out(0x40, 100);
	out(0x40, 0);
	t0 = clock_now;
	clock_now = t0 + 10 * TSC_HZ / PIT_HZ + 1;
	assert_int_equal(read_count(0x40), 100 - 2 * 10);
	clock_now = t0 + 60 * TSC_HZ / PIT_HZ + 1;
	assert_int_equal(read_count(0x40), 100 - 2 * 10);
}

static void test_channel0_one_shot(void **state)
{
	u64 d;

	(void)state;
	out(0x43, 0x38); /* ch0, lohi, mode 4: Linux's one-shot clockevent */
	out(0x40, 50);
	out(0x40, 0);
	d = pit_next_deadline(pit);
	assert_int_equal(d, clock_now + (50 * TSC_HZ + PIT_HZ - 1) / PIT_HZ);
	pit_poll(pit, d);
	assert_int_equal(pulses, 1);
	assert_int_equal(pit_next_deadline(pit), ~0ULL);
	pit_poll(pit, d + TSC_HZ);
	assert_int_equal(pulses, 1);
	/* Linux's shutdown: mode 0 with count 0 fires once after 65536 ticks */
	out(0x43, 0x30);
	assert_int_equal(pit_next_deadline(pit), ~0ULL); /* not loaded yet */
	out(0x40, 0);
	out(0x40, 0);
	assert_int_equal(pit_next_deadline(pit),
			 clock_now + (65536 * TSC_HZ + PIT_HZ - 1) / PIT_HZ);
}

static void test_port_b_and_gate(void **state)
{
	u8 a, b;
	u64 v;

	(void)state;
	a = in(PC_PORT_B);
	b = in(PC_PORT_B);
	assert_int_equal((a ^ b) & 0x10, 0x10); /* refresh toggles on every read */
	out(PC_PORT_B, 0x03);
	assert_int_equal(in(PC_PORT_B) & 0x0f, 0x03);
	/* gate low pauses mode 0 */
	out(0x43, 0xb0);
	out(0x42, 0x00);
	out(0x42, 0x01); /* 256 */
	clock_now += 100 * TSC_HZ / PIT_HZ + 1;
	out(PC_PORT_B, 0x00);
	clock_now += 1000 * TSC_HZ / PIT_HZ;
	assert_int_equal(read_count(0x42), 156);
	assert_false(in(PC_PORT_B) & 0x20);
	out(PC_PORT_B, 0x01);
	clock_now += 156 * TSC_HZ / PIT_HZ + 2;
	assert_true(in(PC_PORT_B) & 0x20);
	/* the PIT is an 8-bit device */
	assert_int_equal(bus_read(&vm.bus.pio, 0x40, 2, &v), BUS_BAD_ACCESS);
	assert_int_equal(bus_write(&vm.bus.pio, 0x43, 4, 0), BUS_BAD_ACCESS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_linux_pit_calibrate_tsc, setup),
		cmocka_unit_test_setup(test_linux_quick_pit_calibrate, setup),
		cmocka_unit_test_setup(test_latch_and_read_back, setup),
		cmocka_unit_test_setup(test_channel0_periodic, setup),
		cmocka_unit_test_setup(test_channel0_one_shot, setup),
		cmocka_unit_test_setup(test_port_b_and_gate, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
