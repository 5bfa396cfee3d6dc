/* hv/dev/virtio/console.c: hvc0 without MULTIPORT (virtio 1.1 5.3):
 * transmitq bytes reach the VM's console output, the physical console's
 * keys go to hvc0 (the device takes the VM's console input) and wait until
 * the driver posts receive buffers. */
#include "fake_vm.h"
#include "test_virtio_fake.h"
#include <bulkhead/console_mux.h>

static char out[256];
static unsigned nout;

void console_mux_output(struct vm *m, u8 c)
{
	(void)m;
	if (nout < sizeof(out))
		out[nout++] = (char)c;
}

static const struct vm_device *con;

static int setup(void **state)
{
	struct vm_config cfg = { .vconsole = true };
	const char *err = NULL;
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(ram, 0, sizeof(ram));
	memset(&fn, 0, sizeof(fn));
	nout = 0;
	vm_init_dev_host(&vm);
	con = find_vm_device("virtio_console");
	assert_true(con->create(&vm.dev, &cfg, &err));
	return 0;
}

static void test_identity(void **state)
{
	(void)state;
	assert_int_equal(fn.id.device, 0x1043);
	assert_int_equal(rd(0x12, 2), 2);
	wr(0x00, 4, 0);
	assert_int_equal(rd(0x04, 4) & 0xffff, 0); /* no SIZE, MULTIPORT, EMERG_WRITE */
	assert_non_null(vm.console_input);
}

static void test_output(void **state)
{
	(void)state;
	bring_up_queues(V1, 2);
	memcpy(&ram[BUF], "hello ", 6);
	memcpy(&ram[BUF + 0x100], "hvc0\n", 5);
	descq(1, 0, BUF, 6, 1, 1);
	descq(1, 1, BUF + 0x100, 5, 0, 0);
	postq(1, 0, 64);
	kick(1);
	assert_int_equal(nout, 11);
	assert_memory_equal(out, "hello hvc0\n", 11);
	assert_int_equal(get16(USEDQ(1) + 2), 1);
}

static void test_input_waits_for_buffers(void **state)
{
	(void)state;
	/* keys before the driver is there wait in the FIFO */
	assert_int_equal(vm.console_room(vm.console_dev), 64);
	vm.console_input(vm.console_dev, 'l');
	vm.console_input(vm.console_dev, 's');
	assert_int_equal(vm.console_room(vm.console_dev), 62);
	bring_up_queues(V1, 2);
	descq(0, 0, BUF, 1, 2, 0);
	descq(0, 1, BUF + 0x100, 16, 2, 0);
	postq(0, 0, 64);
	kick(0);
	/* one byte fits the first buffer, the rest waits for another */
	assert_int_equal(get16(USEDQ(0) + 2), 1);
	assert_int_equal(ram[BUF], 'l');
	assert_int_equal(get32u(USEDQ(0) + 8), 1);
	postq(0, 1, 64);
	kick(0);
	vm.console_input(vm.console_dev, '\r');
	assert_int_equal(get16(USEDQ(0) + 2), 2);
	assert_int_equal(get32u(USEDQ(0) + 16), 1);
	assert_int_equal(ram[BUF + 0x100], 's');
	/* no buffer left: '\r' waits */
	assert_int_equal(vm.console_room(vm.console_dev), 63);
}

static void test_fifo_full(void **state)
{
	(void)state;
	for (int i = 0; i < 70; i++)
		vm.console_input(vm.console_dev, 'x');
	assert_int_equal(vm.console_room(vm.console_dev), 0);
	wr(0x14, 1, 0); /* reset drops what waited */
	assert_int_equal(vm.console_room(vm.console_dev), 64);
}

static void test_absent_without_key(void **state)
{
	struct vm_config cfg = { 0 };
	const char *err = NULL;
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(&fn, 0, sizeof(fn));
	vm_init_dev_host(&vm);
	assert_true(con->create(&vm.dev, &cfg, &err));
	assert_null(vm.console_input);
	assert_null(fn.bar_ops[1]);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_identity),
		T(test_output),
		T(test_input_waits_for_buffers),
		T(test_fifo_full),
		T(test_absent_without_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
