/* hv/dev/virtio/rng.c: each request's writable part is filled from the
 * entropy source and completed with its length (virtio 1.1 5.4); a VM
 * without `rng` gets no device. */
#include "fake_vm.h"
#include "test_virtio_fake.h"
#include <bulkhead/entropy.h>

static unsigned filled;

void entropy_fill(void *buf, u32 len)
{
	u8 *p = buf;
	for (u32 i = 0; i < len; i++)
		p[i] = (u8)(0x80 + ((filled + i) & 0x3f));
	filled += len;
}

const char *entropy_source(void) { return "test"; }

static const struct vm_device *rng_dev;

static int setup(void **state)
{
	struct vm_config cfg = { .rng = true };
	const char *err = NULL;
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(ram, 0, sizeof(ram));
	memset(&fn, 0, sizeof(fn));
	filled = 0;
	vm_init_dev_host(&vm);
	rng_dev = find_vm_device("virtio_rng");
	assert_true(rng_dev->create(&vm.dev, &cfg, &err));
	return 0;
}

static void test_absent_without_key(void **state)
{
	struct vm_config cfg = { .rng = false };
	const char *err = NULL;
	(void)state;
	memset(&fn, 0, sizeof(fn));
	assert_true(rng_dev->create(&vm.dev, &cfg, &err));
	assert_null(fn.bar_ops[1]);
}

static void test_identity(void **state)
{
	(void)state;
	assert_int_equal(fn.id.device, 0x1044);
	assert_int_equal(rd(0x12, 2), 1);
}

static void test_fills_requests(void **state)
{
	(void)state;
	bring_up(V1);
	desc(0, BUF, 16, 2, 0);
	desc(1, BUF + 0x1000, 300, 2 | 1, 2); /* 700 bytes in two buffers */
	desc(2, BUF + 0x2000, 400, 2, 0);
	post(0);
	post(1);
	kick(0);
	assert_int_equal(get16(USED + 2), 2);
	assert_int_equal(get32u(USED + 8), 16);
	assert_int_equal(get32u(USED + 12), 1);
	assert_int_equal(get32u(USED + 16), 700);
	assert_int_equal(filled, 716);
	assert_int_equal(ram[BUF], 0x80);
	assert_int_equal(ram[BUF + 0x2000 + 399], (u8)(0x80 + ((16 + 699) & 0x3f)));
	assert_int_equal(ram[BUF + 0x2000 + 400], 0);
}

static void test_readable_only_request(void **state)
{
	(void)state;
	bring_up(V1);
	desc(0, BUF, 16, 0, 0); /* nothing for the device to write */
	post(0);
	kick(0);
	assert_int_equal(get16(USED + 2), 1);
	assert_int_equal(get32u(USED + 8), 0);
	assert_int_equal(filled, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_absent_without_key),
		T(test_identity),
		T(test_fills_requests),
		T(test_readable_only_request),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
