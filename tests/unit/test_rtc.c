/* hv/dev/rtc.c: the CMOS clock through ports 0x70/0x71 on a fake TSC: BCD
 * and binary, 12/24-hour, rollover, UIP, setting the time with SET. */
#include "unit.h"
#include <bulkhead/dev.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/rtc.h>
#include <string.h>
#include "fake_vm.h"

#define TSC_HZ 1000000000ULL

u64 tsc_hz = TSC_HZ;
static u64 clock_now;

static u64 fake_now(void) { return clock_now; }

static u8 cmos(u8 reg)
{
	u64 v;

	assert_int_equal(bus_write(&vm.bus.pio, PC_RTC_BASE, 1, reg | 0x80), BUS_OK); /* NMI off */
	assert_int_equal(bus_read(&vm.bus.pio, PC_RTC_BASE + 1, 1, &v), BUS_OK);
	return (u8)v;
}

static void cmos_set(u8 reg, u8 val)
{
	assert_int_equal(bus_write(&vm.bus.pio, PC_RTC_BASE, 1, reg), BUS_OK);
	assert_int_equal(bus_write(&vm.bus.pio, PC_RTC_BASE + 1, 1, val), BUS_OK);
}

/* Host clock: 2023-12-31 23:59:58 UTC (a Sunday) at TSC 1e9. */
static int setup(void **state)
{
	const char *err = NULL;

	(void)state;
	memset(&vm, 0, sizeof(vm));
	vm_init_dev_host(&vm);
	clock_now = 5 * TSC_HZ;
	rtc_set_host_clock(1704067198, TSC_HZ);
	assert_non_null(rtc_attach(&vm.dev, (struct vclock){ fake_now, TSC_HZ }, &err));
	return 0;
}

static void test_bcd_and_rollover(void **state)
{
	(void)state;
	/* 4 s after the host time was taken: 2024-01-01 00:00:02, Monday */
	assert_int_equal(cmos(0x0b), 0x02); /* BCD, 24 h */
	assert_int_equal(cmos(0x00), 0x02);
	assert_int_equal(cmos(0x02), 0x00);
	assert_int_equal(cmos(0x04), 0x00);
	assert_int_equal(cmos(0x06), 0x02);
	assert_int_equal(cmos(0x07), 0x01);
	assert_int_equal(cmos(0x08), 0x01);
	assert_int_equal(cmos(0x09), 0x24);
	assert_int_equal(cmos(0x32), 0x20);
	clock_now = 3 * TSC_HZ - 1; /* one ns before midnight */
	assert_int_equal(cmos(0x00), 0x59);
	assert_int_equal(cmos(0x04), 0x23);
	assert_int_equal(cmos(0x07), 0x31);
	assert_int_equal(cmos(0x08), 0x12);
	assert_int_equal(cmos(0x09), 0x23);
	assert_int_equal(cmos(0x0d), 0x80); /* valid, bit 6 clear */
	assert_int_equal(cmos(0x0c), 0x00);
}

static void test_binary_and_12h(void **state)
{
	(void)state;
	clock_now += 13 * 3600ULL * TSC_HZ; /* 2024-01-01 13:00:02 */
	cmos_set(0x0b, 0x06);              /* binary, 24 h */
	assert_int_equal(cmos(0x04), 13);
	assert_int_equal(cmos(0x09), 24);
	assert_int_equal(cmos(0x32), 20);
	cmos_set(0x0b, 0x04);              /* binary, 12 h */
	assert_int_equal(cmos(0x04), 0x80 | 1);
	cmos_set(0x0b, 0x00);              /* BCD, 12 h */
	assert_int_equal(cmos(0x04), 0x81);
	clock_now -= 13 * 3600ULL * TSC_HZ; /* 00:00:02 is 12 AM */
	assert_int_equal(cmos(0x04), 0x12);
	/* setting 12 PM (noon) in 12 h BCD */
	cmos_set(0x04, 0x92);
	cmos_set(0x0b, 0x02);
	assert_int_equal(cmos(0x04), 0x12);
}

static void test_uip(void **state)
{
	unsigned uip = 0;

	(void)state;
	/* UIP is up for the last 244 us of each second, and only then */
	for (u64 t = 0; t < TSC_HZ; t += 1000) {
		clock_now = 10 * TSC_HZ + t;
		if (cmos(0x0a) & 0x80)
			uip++;
	}
	assert_int_equal(uip, 244);
	assert_int_equal(cmos(0x0a) & 0x7f, 0x26);
	clock_now = 11 * TSC_HZ - 1000;
	assert_true(cmos(0x0a) & 0x80);
	cmos_set(0x0b, 0x82); /* SET: the clock halts, no updates */
	assert_false(cmos(0x0a) & 0x80);
}

static void test_guest_sets_time(void **state)
{
	(void)state;
	/* Linux's mc146818_set_time: SET, divider reset, fields, restore */
	clock_now = 100 * TSC_HZ + 123;
	cmos_set(0x0b, 0x82);
	cmos_set(0x0a, 0x70);
	assert_int_equal(cmos(0x00), 0x37); /* 2024-01-01 00:01:37, held */
	clock_now += 5 * TSC_HZ;
	assert_int_equal(cmos(0x00), 0x37);
	cmos_set(0x09, 0x99);
	cmos_set(0x32, 0x19);
	cmos_set(0x08, 0x02);
	cmos_set(0x07, 0x31); /* 31 Feb while passing through */
	cmos_set(0x07, 0x28);
	cmos_set(0x04, 0x23);
	cmos_set(0x02, 0x59);
	cmos_set(0x00, 0x59);
	cmos_set(0x0b, 0x02);
	cmos_set(0x0a, 0x26);
	assert_int_equal(cmos(0x09), 0x99);
	clock_now += TSC_HZ; /* a second later: 1999-03-01 */
	assert_int_equal(cmos(0x00), 0x00);
	assert_int_equal(cmos(0x04), 0x00);
	assert_int_equal(cmos(0x08), 0x03);
	assert_int_equal(cmos(0x07), 0x01);
	assert_int_equal(cmos(0x32), 0x19);
	/* a single field while running; invalid BCD is dropped */
	cmos_set(0x02, 0x30);
	assert_int_equal(cmos(0x02), 0x30);
	cmos_set(0x02, 0x7a);
	assert_int_equal(cmos(0x02), 0x30);
	/* a new VM still starts from the host's clock */
	memset(&vm, 0, sizeof(vm));
	vm_init_dev_host(&vm);
	{
		const char *err;
		assert_non_null(rtc_attach(&vm.dev, (struct vclock){ fake_now, TSC_HZ }, &err));
	}
	assert_int_equal(cmos(0x09), 0x24);
}

static void test_ram_and_ports(void **state)
{
	u64 v;

	(void)state;
	cmos_set(0x40, 0xab);
	cmos_set(0x7f, 0xcd);
	assert_int_equal(cmos(0x40), 0xab);
	assert_int_equal(cmos(0xff), 0xcd); /* NMI bit ignored */
	assert_int_equal(bus_read(&vm.bus.pio, PC_RTC_BASE, 1, &v), BUS_OK);
	assert_int_equal(v, 0xff);
	assert_int_equal(bus_read(&vm.bus.pio, PC_RTC_BASE, 2, &v), BUS_BAD_ACCESS);
	cmos_set(0x0d, 0);
	assert_int_equal(cmos(0x0d), 0x80);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_bcd_and_rollover, setup),
		cmocka_unit_test_setup(test_binary_and_12h, setup),
		cmocka_unit_test_setup(test_uip, setup),
		cmocka_unit_test_setup(test_guest_sets_time, setup),
		cmocka_unit_test_setup(test_ram_and_ports, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
