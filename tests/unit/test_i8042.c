/* hv/dev/i8042.c: controller commands a probe uses, no devices behind it,
 * the 0xfe reset pulse, and with a display the PS/2 keyboard as Linux's
 * i8042 and atkbd drive it: commands acknowledged, keys in set 1, IRQ 1. */
#include "unit.h"
#include <bulkhead/dev.h>
#include <bulkhead/i8042.h>
#include <bulkhead/kbd.h>
#include <bulkhead/pc_platform.h>
#include <string.h>
#include "fake_vm.h"

static unsigned resets, irq_raises;
static bool irq1;
static void (*key_input)(void *dev, u8 code);
static void *key_dev;

/* The hypervisor's keyboard route (hv/display/kbd.c): the test types. */
void kbd_attach(struct dev_host *h, void (*input)(void *dev, u8 code), void *dev)
{
	assert_ptr_equal(h, &vm.dev);
	key_input = input;
	key_dev = dev;
}

void vm_irq_set(struct vm *m, u32 gsi, bool asserted)
{
	assert_ptr_equal(m, &vm);
	assert_int_equal(gsi, 1);
	irq_raises += asserted && !irq1;
	irq1 = asserted;
}

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

static int setup_with(bool keyboard)
{
	const char *err = NULL;

	memset(&vm, 0, sizeof(vm));
	vm_init_dev_host(&vm);
	resets = irq_raises = 0;
	irq1 = false;
	key_input = NULL;
	assert_non_null(i8042_attach(&vm.dev, keyboard, &err));
	assert_true(keyboard == (key_input != NULL));
	return 0;
}

static int setup(void **state)
{
	(void)state;
	return setup_with(false);
}

static int setup_kbd(void **state)
{
	(void)state;
	return setup_with(true);
}

/* A byte to the keyboard, then its answer bytes, each with an IRQ 1 edge. */
static void kbd_cmd(u8 v, const u8 *answer, unsigned n)
{
	out(PC_I8042_DATA, v);
	for (unsigned i = 0; i < n; i++) {
		unsigned raised = irq_raises;

		assert_true(in(PC_I8042_CMD) & 0x01);
		assert_true(irq1);
		assert_int_equal(in(PC_I8042_DATA), answer[i]);
		/* the next byte, if any, raises the line again */
		assert_true(i + 1 == n ? !irq1 : irq_raises == raised + 1);
	}
	assert_false(in(PC_I8042_CMD) & 0x01);
}

static void test_keyboard(void **state)
{
	u8 cb;

	(void)state;
	/* Linux's i8042 probe: self-test, command byte, keyboard port test */
	assert_int_equal(command(0xaa), 0x55);
	cb = command(0x20);
	assert_int_equal(cb & 0x41, 0x41);           /* translation, IRQ 1 on */
	assert_int_equal(command(0xab), 0x00);       /* keyboard interface fine */
	assert_int_not_equal(command(0xa9), 0);      /* still no mouse */
	/* atkbd: identify (translated MF2 id), LEDs, rate, enable */
	kbd_cmd(0xf2, (const u8[]){ 0xfa, 0xab, 0x41 }, 3);
	kbd_cmd(0xed, (const u8[]){ 0xfa }, 1);
	kbd_cmd(0x02, (const u8[]){ 0xfa }, 1);
	kbd_cmd(0xf3, (const u8[]){ 0xfa }, 1);
	kbd_cmd(0x00, (const u8[]){ 0xfa }, 1);
	kbd_cmd(0xf4, (const u8[]){ 0xfa }, 1);
	kbd_cmd(0xee, (const u8[]){ 0xee }, 1);
	kbd_cmd(0xff, (const u8[]){ 0xfa, 0xaa }, 2);
	kbd_cmd(0x42, (const u8[]){ 0xfe }, 1);      /* unknown: resend */
	/* keys, in order, one IRQ 1 edge each */
	key_input(key_dev, 0x1e);                    /* a pressed */
	key_input(key_dev, 0x9e);                    /* a released */
	{
		unsigned before = irq_raises;
		assert_int_equal(in(PC_I8042_DATA), 0x1e);
		assert_int_equal(irq_raises, before + 1);
		assert_int_equal(in(PC_I8042_DATA), 0x9e);
		assert_false(irq1);
	}
	/* disabled scanning (F5) or a disabled port (AD): keys are dropped */
	kbd_cmd(0xf5, (const u8[]){ 0xfa }, 1);
	key_input(key_dev, 0x1e);
	assert_false(in(PC_I8042_CMD) & 0x01);
	kbd_cmd(0xf4, (const u8[]){ 0xfa }, 1);
	out(PC_I8042_CMD, 0xad);
	key_input(key_dev, 0x1e);
	assert_false(in(PC_I8042_CMD) & 0x01);
	out(PC_I8042_CMD, 0xae);
	/* translation off: there is no set 2 to give, keys are dropped */
	out(PC_I8042_CMD, 0x60);
	out(PC_I8042_DATA, 0x05);
	key_input(key_dev, 0x1e);
	assert_false(in(PC_I8042_CMD) & 0x01);
	/* a flood: the queue keeps its first 16 bytes, the rest is lost */
	out(PC_I8042_CMD, 0x60);
	out(PC_I8042_DATA, 0x45);
	for (unsigned i = 0; i < 100; i++)
		key_input(key_dev, (u8)(0x10 + (i % 32)));
	for (unsigned i = 0; i < 17; i++) /* the output buffer plus 16 queued */
		assert_int_equal(in(PC_I8042_DATA), 0x10 + i);
	assert_false(in(PC_I8042_CMD) & 0x01);
	assert_int_equal(resets, 0);
}

/* Garbage from the guest never resets the VM (but 0xfe/0xd1 do) nor
 * leaves the controller stuck: every byte to both ports, then a key. */
static void test_keyboard_garbage(void **state)
{
	(void)state;
	for (unsigned v = 0; v < 256; v++) {
		if (v >= 0xf0 || v == 0xd1)
			continue; /* pulses and the output port: tested above */
		out(PC_I8042_CMD, (u8)v);
		out(PC_I8042_DATA, (u8)(v * 7));
		while (in(PC_I8042_CMD) & 0x01)
			(void)in(PC_I8042_DATA);
	}
	out(PC_I8042_CMD, 0x60);
	out(PC_I8042_DATA, 0x45);
	out(PC_I8042_CMD, 0xae);
	kbd_cmd(0xf4, (const u8[]){ 0xfa }, 1);
	key_input(key_dev, 0x2c);
	assert_int_equal(in(PC_I8042_DATA), 0x2c);
	assert_int_equal(resets, 0);
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
		cmocka_unit_test_setup(test_keyboard, setup_kbd),
		cmocka_unit_test_setup(test_keyboard_garbage, setup_kbd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
