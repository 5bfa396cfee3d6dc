/* hv/dev/pic.c: Linux's 8259A probe and initialisation, OCW3 reads, the
 * ELCR; nothing is ever raised. */
#include "unit.h"
#include <bulkhead/dev.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/pic.h>
#include <string.h>

static struct vm vm;

void *vm_dev_alloc(struct vm *m, u64 size)
{
	void *p = &m->dev_arena[m->dev_arena_used];

	m->dev_arena_used += (size + 15) & ~15ULL;
	memset(p, 0, size);
	return p;
}

static u32 in(u16 port, u32 size)
{
	u64 v;

	assert_int_equal(bus_read(&vm.bus.pio, port, size, &v), BUS_OK);
	return (u32)v;
}

static void out(u16 port, u32 size, u32 v)
{
	assert_int_equal(bus_write(&vm.bus.pio, port, size, v), BUS_OK);
}

static int setup(void **state)
{
	const char *err = NULL;

	(void)state;
	memset(&vm, 0, sizeof(vm));
	assert_non_null(pic_attach(&vm, &err));
	return 0;
}

static void test_linux_probe_and_init(void **state)
{
	(void)state;
	assert_int_equal(in(0x21, 1), 0xff); /* masked from reset */
	/* arch/x86/kernel/i8259.c probe_8259A */
	out(0xa1, 1, 0xff);
	out(0x21, 1, 0xfb);
	assert_int_equal(in(0x21, 1), 0xfb);
	/* init_8259A: ICW1-4 on both, then masks */
	out(0x21, 1, 0xff);
	out(0xa1, 1, 0xff);
	out(0x20, 1, 0x11);
	out(0x21, 1, 0x30);
	out(0x21, 1, 0x04);
	out(0x21, 1, 0x01);
	out(0xa0, 1, 0x11);
	out(0xa1, 1, 0x38);
	out(0xa1, 1, 0x02);
	out(0xa1, 1, 0x01);
	assert_int_equal(in(0x21, 1), 0x00); /* ICW1 cleared the mask */
	out(0x21, 1, 0xfb);
	out(0xa1, 1, 0xff);
	assert_int_equal(in(0x21, 1), 0xfb);
	assert_int_equal(in(0xa1, 1), 0xff);
	/* single mode without ICW4: ICW2 only, then OCW1 */
	out(0x20, 1, 0x12);
	out(0x21, 1, 0x08);
	out(0x21, 1, 0x5a);
	assert_int_equal(in(0x21, 1), 0x5a);
}

static void test_ocw(void **state)
{
	u64 v;

	(void)state;
	out(0x20, 1, 0x0b); /* OCW3: read ISR */
	assert_int_equal(in(0x20, 1), 0);
	out(0x20, 1, 0x0a); /* read IRR */
	assert_int_equal(in(0x20, 1), 0);
	out(0x20, 1, 0x0c); /* poll: no interrupt */
	assert_int_equal(in(0x20, 1) & 0x80, 0);
	out(0x20, 1, 0x20); /* OCW2: EOI, nothing in service */
	out(0xa0, 1, 0x60);
	assert_int_equal(bus_read(&vm.bus.pio, 0x20, 2, &v), BUS_BAD_ACCESS);
	assert_int_equal(vm.irq_chip_ops, NULL);
}

static void test_elcr(void **state)
{
	(void)state;
	assert_int_equal(in(PC_PIC_ELCR, 2), 0);
	out(PC_PIC_ELCR, 2, 0xffff);
	assert_int_equal(in(PC_PIC_ELCR, 2), 0xdef8); /* IRQ0-2, 8, 13: edge only */
	out(PC_PIC_ELCR + 1, 1, 0x02);
	assert_int_equal(in(PC_PIC_ELCR + 1, 1), 0x02);
	assert_int_equal(in(PC_PIC_ELCR, 1), 0xf8);
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
