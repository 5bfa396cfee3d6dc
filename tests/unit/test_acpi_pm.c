/* hv/dev/acpi_pm.c: PM1 event/control, PM timer rate and wrap, GPE0, S5
 * power-off, SCI level, on a fake TSC. */
#include "unit.h"
#include <bulkhead/acpi_pm.h>
#include <bulkhead/dev.h>
#include <bulkhead/pc_platform.h>
#include <string.h>
#include "fake_vm.h"

#define TSC_HZ 2400000000ULL

u64 tsc_hz = TSC_HZ;
static u64 clock_now;
static unsigned poweroffs;
static bool sci;

static u64 fake_now(void) { return clock_now; }

void vm_poweroff(struct vm *m)
{
	assert_ptr_equal(m, &vm);
	poweroffs++;
}

void vm_irq_set(struct vm *m, u32 gsi, bool level)
{
	assert_ptr_equal(m, &vm);
	assert_int_equal(gsi, PC_SCI_IRQ);
	sci = level;
}

static struct acpi_pm *pm;

static int setup(void **state)
{
	const char *err = NULL;

	(void)state;
	memset(&vm, 0, sizeof(vm));
	vm_init_dev_host(&vm);
	poweroffs = 0;
	sci = false;
	clock_now = 7 * TSC_HZ;
	pm = acpi_pm_attach(&vm.dev, (struct vclock){ fake_now, TSC_HZ }, &err);
	assert_non_null(pm);
	return 0;
}

static void test_pm_timer_rate(void **state)
{
	u32 a, b;

	(void)state;
	assert_int_equal(pio_in(PC_PM_TMR, 4), 0);
	clock_now += TSC_HZ; /* one second: 3579545 ticks */
	assert_int_equal(pio_in(PC_PM_TMR, 4), PC_PM_TMR_HZ);
	/* Linux's acpi_pm clocksource over 10 ms, to the tick */
	a = pio_in(PC_PM_TMR, 4);
	clock_now += TSC_HZ / 100;
	b = pio_in(PC_PM_TMR, 4);
	assert_int_equal(b - a, PC_PM_TMR_HZ / 100);
	/* 24 bits: wraps after 2^24 ticks (4.69 s) */
	clock_now = 7 * TSC_HZ + (u64)(1U << 24) * TSC_HZ / PC_PM_TMR_HZ + TSC_HZ / 1000;
	assert_true(pio_in(PC_PM_TMR, 4) < PC_PM_TMR_HZ / 1000 + 1);
	assert_int_equal(pio_in(PC_PM_TMR, 4) >> 24, 0);
	/* byte read of the low byte; writes are ignored */
	pio_out(PC_PM_TMR, 4, 0);
	assert_int_equal(pio_in(PC_PM_TMR, 1), pio_in(PC_PM_TMR, 4) & 0xff);
}

static void test_pm1_event_and_tmr_sts(void **state)
{
	(void)state;
	assert_int_equal(pio_in(PC_PM1A_EVT, 2), 0);
	pio_out(PC_PM1A_EVT + 2, 2, 0x0120); /* GBL_EN, PWRBTN_EN */
	assert_int_equal(pio_in(PC_PM1A_EVT + 2, 2), 0x0120);
	assert_int_equal(pio_in(PC_PM1A_EVT, 4), 0x01200000U);
	pio_out(PC_PM1A_EVT + 2, 2, 0xffff); /* reserved enable bits stay 0 */
	assert_int_equal(pio_in(PC_PM1A_EVT + 2, 2), 0x4721);
	/* TMR_STS once bit 23 toggles (2^23 ticks = 2.34 s) */
	assert_false(sci);
	pio_out(PC_PM1A_EVT + 2, 2, 0);
	clock_now += 3 * TSC_HZ;
	assert_int_equal(pio_in(PC_PM1A_EVT, 2) & 1, 1);
	pio_out(PC_PM1A_EVT, 2, 1); /* write 1 to clear */
	assert_int_equal(pio_in(PC_PM1A_EVT, 2) & 1, 0);
	/* with TMR_EN, a set TMR_STS drives the SCI (seen at the next write) */
	clock_now += 3 * TSC_HZ;
	pio_out(PC_PM1A_EVT + 2, 2, 1);
	assert_true(sci);
	pio_out(PC_PM1A_EVT, 2, 1);
	assert_false(sci);
}

static void test_pm1_control_and_s5(void **state)
{
	(void)state;
	assert_int_equal(pio_in(PC_PM1A_CNT, 2), 1); /* SCI_EN: no SMM */
	pio_out(PC_PM1A_CNT, 2, 0);
	assert_int_equal(pio_in(PC_PM1A_CNT, 2), 1);
	pio_out(PC_PM1A_CNT, 2, 1U << 10 | 1); /* SLP_TYP 1 without SLP_EN */
	assert_int_equal(pio_in(PC_PM1A_CNT, 2), 1U << 10 | 1);
	pio_out(PC_PM1A_CNT, 2, 3U << 10 | PC_SLP_EN); /* S3: not offered, ignored */
	assert_int_equal(poweroffs, 0);
	assert_int_equal(pio_in(PC_PM1A_CNT, 2) & PC_SLP_EN, 0); /* write-only */
	/* ACPICA writes SLP_TYP, then SLP_TYP | SLP_EN */
	pio_out(PC_PM1A_CNT, 2, PC_SLP_TYP_S5 << 10 | 1);
	assert_int_equal(poweroffs, 0);
	pio_out(PC_PM1A_CNT, 2, PC_SLP_TYP_S5 << 10 | PC_SLP_EN | 1);
	assert_int_equal(poweroffs, 1);
	/* the same as a byte write to the high byte */
	pio_out(PC_PM1A_CNT + 1, 1, (PC_SLP_TYP_S5 << 2) | 0x20);
	assert_int_equal(poweroffs, 2);
}

static void test_gpe0_and_access_rules(void **state)
{
	u64 v;

	(void)state;
	pio_out(PC_GPE0_BLK + 4, 1, 0xff);
	pio_out(PC_GPE0_BLK + 6, 1, 0x0f);
	assert_int_equal(pio_in(PC_GPE0_BLK + 4, 4), 0x000f00ffU);
	assert_int_equal(pio_in(PC_GPE0_BLK, 4), 0);
	pio_out(PC_GPE0_BLK, 1, 0xff);
	assert_int_equal(pio_in(PC_GPE0_BLK, 1), 0);
	assert_false(sci);
	/* accesses spanning two registers' dwords */
	assert_int_equal(bus_read(&vm.bus.pio, PC_GPE0_BLK + 2, 4, &v), BUS_BAD_ACCESS);
	assert_int_equal(bus_read(&vm.bus.pio, PC_PM1A_EVT + 2, 4, &v), BUS_BAD_ACCESS);
	/* a reset clears enables and control; the timer runs on */
	clock_now += TSC_HZ;
	vm.bus.pio.r[0].ops->reset(vm.bus.pio.r[0].dev);
	assert_int_equal(pio_in(PC_GPE0_BLK + 4, 4), 0);
	assert_int_equal(pio_in(PC_PM_TMR, 4), PC_PM_TMR_HZ);
}

/* ACPI 6.5 4.8.2.2.1.1: a press sets PWRBTN_STS (bit 8) whether enabled or
 * not; the SCI follows PWRBTN_EN; the OS clears the status by writing 1. */
static void test_power_button(void **state)
{
	(void)state;
	/* not enabled: status set, no SCI, the caller is told */
	assert_false(acpi_pm_power_button(pm));
	assert_int_equal(pio_in(PC_PM1A_EVT, 2) & 0x0100, 0x0100);
	assert_false(sci);
	pio_out(PC_PM1A_EVT, 2, 0x0100);
	assert_int_equal(pio_in(PC_PM1A_EVT, 2) & 0x0100, 0);
	/* enabled (as Linux's button driver does): the press raises the SCI */
	pio_out(PC_PM1A_EVT + 2, 2, 0x0100);
	assert_false(sci);
	assert_true(acpi_pm_power_button(pm));
	assert_true(sci);
	assert_int_equal(pio_in(PC_PM1A_EVT, 2) & 0x0100, 0x0100);
	/* other status bits written as 1 leave it set */
	pio_out(PC_PM1A_EVT, 2, 0x0020);
	assert_true(sci);
	pio_out(PC_PM1A_EVT, 2, 0x0100);
	assert_false(sci);
	assert_int_equal(pio_in(PC_PM1A_EVT, 2) & 0x0100, 0);
	/* a reset clears status and enable */
	assert_true(acpi_pm_power_button(pm));
	assert_true(sci);
	bus_reset(&vm.bus);
	assert_false(sci);
	assert_int_equal(pio_in(PC_PM1A_EVT, 4), 0);
	assert_int_equal(poweroffs, 0); /* the button asks; only S5 powers off */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_pm_timer_rate, setup),
		cmocka_unit_test_setup(test_pm1_event_and_tmr_sts, setup),
		cmocka_unit_test_setup(test_pm1_control_and_s5, setup),
		cmocka_unit_test_setup(test_gpe0_and_access_rules, setup),
		cmocka_unit_test_setup(test_power_button, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
