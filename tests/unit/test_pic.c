/* hv/dev/pic.c: Linux's 8259A probe and initialisation, OCW3 reads, the
 * ELCR; nothing is ever raised. */
#include "unit.h"
#include <bulkhead/dev.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/pic.h>
#include <string.h>
#include "fake_vm.h"

static int setup(void **state)
{
	const char *err = NULL;

	(void)state;
	memset(&vm, 0, sizeof(vm));
	vm_init_dev_host(&vm);
	assert_non_null(pic_attach(&vm.dev, &err));
	return 0;
}

static void test_linux_probe_and_init(void **state)
{
	(void)state;
	assert_int_equal(pio_in(0x21, 1), 0xff); /* masked from reset */
	/* arch/x86/kernel/i8259.c probe_8259A */
	pio_out(0xa1, 1, 0xff);
	pio_out(0x21, 1, 0xfb);
	assert_int_equal(pio_in(0x21, 1), 0xfb);
	/* init_8259A: ICW1-4 on both, then masks */
	pio_out(0x21, 1, 0xff);
	pio_out(0xa1, 1, 0xff);
	pio_out(0x20, 1, 0x11);
	pio_out(0x21, 1, 0x30);
	pio_out(0x21, 1, 0x04);
	pio_out(0x21, 1, 0x01);
	pio_out(0xa0, 1, 0x11);
	pio_out(0xa1, 1, 0x38);
	pio_out(0xa1, 1, 0x02);
	pio_out(0xa1, 1, 0x01);
	assert_int_equal(pio_in(0x21, 1), 0x00); /* ICW1 cleared the mask */
	pio_out(0x21, 1, 0xfb);
	pio_out(0xa1, 1, 0xff);
	assert_int_equal(pio_in(0x21, 1), 0xfb);
	assert_int_equal(pio_in(0xa1, 1), 0xff);
	/* single mode without ICW4: ICW2 only, then OCW1 */
	pio_out(0x20, 1, 0x12);
	pio_out(0x21, 1, 0x08);
	pio_out(0x21, 1, 0x5a);
	assert_int_equal(pio_in(0x21, 1), 0x5a);
}

static void test_ocw(void **state)
{
	u64 v;

	(void)state;
	pio_out(0x20, 1, 0x0b); /* OCW3: read ISR */
	assert_int_equal(pio_in(0x20, 1), 0);
	pio_out(0x20, 1, 0x0a); /* read IRR */
	assert_int_equal(pio_in(0x20, 1), 0);
	pio_out(0x20, 1, 0x0c); /* poll: no interrupt */
	assert_int_equal(pio_in(0x20, 1) & 0x80, 0);
	pio_out(0x20, 1, 0x20); /* OCW2: EOI, nothing in service */
	pio_out(0xa0, 1, 0x60);
	assert_int_equal(bus_read(&vm.bus.pio, 0x20, 2, &v), BUS_BAD_ACCESS);
	assert_int_equal(vm.irq_chip_ops, NULL);
}

static void test_elcr(void **state)
{
	(void)state;
	assert_int_equal(pio_in(PC_PIC_ELCR, 2), 0);
	pio_out(PC_PIC_ELCR, 2, 0xffff);
	assert_int_equal(pio_in(PC_PIC_ELCR, 2), 0xdef8); /* IRQ0-2, 8, 13: edge only */
	pio_out(PC_PIC_ELCR + 1, 1, 0x02);
	assert_int_equal(pio_in(PC_PIC_ELCR + 1, 1), 0x02);
	assert_int_equal(pio_in(PC_PIC_ELCR, 1), 0xf8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_linux_probe_and_init, setup),
		cmocka_unit_test_setup(test_ocw, setup),
		cmocka_unit_test_setup(test_elcr, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
