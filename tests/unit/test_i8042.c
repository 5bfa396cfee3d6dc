/* hv/dev/i8042.c: controller commands a probe uses, no devices behind it,
 * and the 0xfe reset pulse. */
#include "unit.h"
#include <bulkhead/dev.h>
#include <bulkhead/i8042.h>
#include <bulkhead/pc_platform.h>
#include <string.h>
#include "fake_vm.h"

static unsigned resets;

void vm_reset(struct vm *m)
{
	assert_ptr_equal(m, &vm);
	resets++;
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

/* Polled command with a reply, as Linux's i8042_command. */
static u8 command(u8 cmd)
{
	out(PC_I8042_CMD, cmd);
	assert_true(in(PC_I8042_CMD) & 0x01);
	return in(PC_I8042_DATA);
}

static int setup(void **state)
{
	const char *err = NULL;

	(void)state;
	memset(&vm, 0, sizeof(vm));
	vm_init_dev_host(&vm);
	resets = 0;
	assert_non_null(i8042_attach(&vm.dev, &err));
	return 0;
}

static void test_probe(void **state)
{
	u8 cb;
	u64 v;

	(void)state;
	/* i8042_flush: the output buffer is empty, the controller is there */
	assert_int_equal(in(PC_I8042_CMD) & 0x03, 0);
	assert_int_equal(command(0xaa), 0x55);       /* self-test */
	assert_false(in(PC_I8042_CMD) & 0x01);
	cb = command(0x20);                          /* read command byte */
	assert_int_equal(cb & 0x03, 0);              /* no IRQ1/IRQ12 enables */
	out(PC_I8042_CMD, 0x60);
	out(PC_I8042_DATA, 0x47);
	assert_int_equal(command(0x20), 0x47);
	out(PC_I8042_CMD, 0xad);                     /* disable keyboard */
	out(PC_I8042_CMD, 0xa7);                     /* disable aux */
	assert_int_equal(command(0x20), 0x47 | 0x30);
	assert_int_not_equal(command(0xa9), 0);      /* aux test: no mouse */
	assert_int_not_equal(command(0xab), 0);      /* keyboard test: none */
	/* a byte to the keyboard: nobody answers */
	out(PC_I8042_DATA, 0xf2);
	assert_false(in(PC_I8042_CMD) & 0x01);
	out(PC_I8042_CMD, 0xd4);
	out(PC_I8042_DATA, 0xf2);
	assert_false(in(PC_I8042_CMD) & 0x01);
	assert_int_equal(resets, 0);
	assert_int_equal(bus_read(&vm.bus.pio, PC_I8042_CMD, 2, &v), BUS_BAD_ACCESS);
}

static void test_reset_pulse(void **state)
{
	(void)state;
	out(PC_I8042_CMD, 0xff); /* pulse nothing */
	assert_int_equal(resets, 0);
	out(PC_I8042_CMD, 0xfe); /* pulse reset: Linux's BOOT_KBD */
	assert_int_equal(resets, 1);
	out(PC_I8042_CMD, 0xd1); /* output port with bit 0 low */
	out(PC_I8042_DATA, 0xfe);
	assert_int_equal(resets, 2);
	out(PC_I8042_CMD, 0xd1); /* A20 gate on, reset line high */
	out(PC_I8042_DATA, 0xdf);
	assert_int_equal(resets, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_probe, setup),
		cmocka_unit_test_setup(test_reset_pulse, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
