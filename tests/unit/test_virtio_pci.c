/* hv/dev/virtio/virtio_pci.c over a fake PCI function (pci_func.h) and a
 * fake guest RAM: capabilities (virtio 1.1 4.1.4), feature negotiation and
 * the status byte (3.1.1), queue set-up and enable, notification through
 * the I/O BAR, MSI-X and INTx + ISR interrupts, DEVICE_NEEDS_RESET on a
 * broken queue and recovery by reset, bus mastering, the PCI configuration
 * access capability (4.1.4.8). */
#include "fake_vm.h"

#include "test_virtio_fake.h"

/* ---- a fake device: echoes each request's out bytes into its in part ---- */
struct echo {
	struct virtio_dev *vd;
	unsigned resets, notifies, served;
	u8 cfg[8];
};
static struct echo echo;

static void e_cfg_read(void *dev, u32 off, void *buf, u32 len)
{
	memcpy(buf, &((struct echo *)dev)->cfg[off], len);
}

static void e_notify(void *dev, u16 q)
{
	struct echo *e = dev;
	struct vq_chain c;
	u8 b[64];

	e->notifies++;
	while (virtio_pop(e->vd, q, &c)) {
		u32 n = MIN(c.out_len, MIN(c.in_len, (u32)sizeof(b)));
		assert_true(vq_chain_read(virtio_mem(e->vd), &c, 0, b, n));
		assert_true(vq_chain_write(virtio_mem(e->vd), &c, 0, b, n));
		virtio_push(e->vd, q, c.head, n);
		e->served++;
	}
}

static void e_reset(void *dev) { ((struct echo *)dev)->resets++; }

#define FEAT_X 5 /* a device feature bit */
static const struct virtio_dev_ops echo_ops = {
	.name = "virtio-echo", .device_id = VIRTIO_ID_RNG, .class_code = 0xff0000,
	.features = 1ULL << FEAT_X, .nr_queues = 2, .queue_size = 16, .config_len = 8,
	.config_read = e_cfg_read, .queue_notify = e_notify, .reset = e_reset,
};

static int setup(void **state)
{
	const char *err = NULL;
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(ram, 0, sizeof(ram));
	memset(&echo, 0, sizeof(echo));
	vm_init_dev_host(&vm);
	echo.vd = virtio_pci_create(&vm.dev, PCI_BDF(0, 2, 0), &echo_ops, &echo, &err);
	assert_non_null(echo.vd);
	return 0;
}


static const u8 *find_vcap(u8 type)
{
	for (u32 at = 0x40; at < fn.cap_at; at += 4)
		if (fn.cfg[at] == 0x09 && fn.cfg[at + 3] == type)
			return &fn.cfg[at];
	return NULL;
}

static void test_identity_and_caps(void **state)
{
	const u8 *c;
	u32 mult;
	(void)state;
	assert_int_equal(fn.id.vendor, 0x1af4);
	assert_int_equal(fn.id.device, 0x1044);
	assert_true(fn.id.revision >= 1);
	assert_int_equal(fn.bar_kind[0], PCI_BAR_IO);
	assert_int_equal(fn.nvec, 3);
	c = find_vcap(1); /* common */
	assert_non_null(c);
	assert_int_equal(c[4], 1); /* BAR */
	c = find_vcap(2); /* notify: cap_len 20, multiplier 0, in the I/O BAR */
	assert_non_null(c);
	assert_int_equal(c[2], 20);
	assert_int_equal(c[4], 0);
	memcpy(&mult, c + 16, 4);
	assert_int_equal(mult, 0);
	assert_non_null(find_vcap(3));
	c = find_vcap(4);
	assert_non_null(c);
	assert_int_equal(c[12], 8); /* length of the device configuration */
	assert_non_null(find_vcap(5));
	/* MSI-X table above every virtio structure in BAR 1 */
	assert_int_equal(fn.msix_bar, 1);
	assert_true(fn.table_off >= 0x2000 + 8);
}

static void test_features(void **state)
{
	(void)state;
	wr(0x00, 4, 0);
	assert_int_equal(rd(0x04, 4), (1U << FEAT_X) | (1U << 28) | (1U << 29));
	wr(0x00, 4, 1);
	assert_int_equal(rd(0x04, 4), 1); /* VERSION_1 */
	wr(0x00, 4, 7);
	assert_int_equal(rd(0x04, 4), 0);
	/* no VERSION_1: FEATURES_OK does not stick */
	wr(0x14, 1, 3);
	wr(0x08, 4, 0);
	wr(0x0c, 4, 1U << FEAT_X);
	wr(0x14, 1, 3 | 8);
	assert_int_equal(rd(0x14, 1), 3);
	/* a feature never offered: refused too */
	wr(0x08, 4, 1);
	wr(0x0c, 4, 1 | 2);
	wr(0x14, 1, 3 | 8);
	assert_int_equal(rd(0x14, 1) & 8, 0);
	/* DRIVER_OK without FEATURES_OK does not make the device live */
	wr(0x14, 1, 3 | 4);
	assert_false(virtio_live(echo.vd));
	wr(0x0c, 4, 1);
	wr(0x14, 1, 3 | 8);
	assert_int_equal(rd(0x14, 1) & 8, 8);
	/* features are fixed from now on */
	wr(0x0c, 4, 0);
	assert_int_equal(virtio_features(echo.vd), V1 | 1ULL << FEAT_X);
}

static void test_queue_registers(void **state)
{
	(void)state;
	assert_int_equal(rd(0x12, 2), 2);
	wr(0x16, 2, 1);
	assert_int_equal(rd(0x18, 2), 16);
	wr(0x1a, 2, 2);
	assert_int_equal(rd(0x1a, 2), 2);
	wr(0x1a, 2, 3); /* beyond the table: NO_VECTOR */
	assert_int_equal(rd(0x1a, 2), 0xffff);
	wr(0x28, 4, 0x12345678);
	wr(0x2c, 4, 0x9);
	assert_int_equal(rd(0x28, 8), 0x912345678ULL);
	wr(0x16, 2, 2); /* no such queue */
	assert_int_equal(rd(0x18, 2), 0);
	wr(0x18, 2, 8);
	assert_int_equal(rd(0x18, 2), 0);
	/* a field at the wrong size is refused, not guessed */
	uint64_t v;
	assert_int_equal(fn.bar_ops[1]->read(fn.bar_dev[1], 0x12, 4, &v), BUS_BAD_ACCESS);
	assert_int_equal(fn.bar_ops[1]->write(fn.bar_dev[1], 0x14, 2, 0), BUS_BAD_ACCESS);
}

static void test_request_msix(void **state)
{
	(void)state;
	fn.msix_on = true;
	wr(0x16, 2, 0);
	wr(0x1a, 2, 1);
	bring_up(V1);
	assert_true(virtio_live(echo.vd));
	desc(0, BUF, 4, 1, 1);
	desc(1, BUF + 0x100, 4, 2, 0);
	memcpy(&ram[BUF], "ping", 4);
	post(0);
	kick(0);
	assert_int_equal(echo.served, 1);
	assert_memory_equal(&ram[BUF + 0x100], "ping", 4);
	assert_int_equal(get16(USED + 2), 1);
	assert_int_equal(fn.msix_count, 1);
	assert_int_equal(fn.last_vec, 1);
	/* the queue's registers are frozen while it is enabled */
	wr(0x18, 2, 4);
	assert_int_equal(rd(0x18, 2), 16);
	/* a notification for a queue that is not enabled, or beyond the last */
	unsigned before = echo.notifies;
	kick(1);
	kick(9);
	assert_int_equal(echo.notifies, before);
}

static void test_request_intx(void **state)
{
	(void)state;
	bring_up(V1);
	desc(0, BUF, 4, 1, 1);
	desc(1, BUF + 0x100, 4, 2, 0);
	post(0);
	kick(0);
	assert_int_equal(echo.served, 1);
	assert_int_equal(fn.msix_count, 0);
	assert_true(fn.intx);
	assert_int_equal(rd(0x1000, 1), 1);
	assert_false(fn.intx);
	assert_int_equal(rd(0x1000, 1), 0);
}

static void test_buffers_posted_before_driver_ok(void **state)
{
	(void)state;
	desc(0, BUF, 4, 1, 1);
	desc(1, BUF + 0x100, 4, 2, 0);
	post(0);
	bring_up(V1); /* DRIVER_OK serves what is already there */
	assert_int_equal(echo.served, 1);
}

static void test_no_bus_master(void **state)
{
	(void)state;
	bring_up(V1);
	fn.bus_master = false;
	desc(0, BUF, 4, 1, 1);
	desc(1, BUF + 0x100, 4, 2, 0);
	post(0);
	kick(0);
	assert_int_equal(echo.served, 0);
	assert_int_equal(get16(USED + 2), 0);
	fn.bus_master = true;
	kick(0);
	assert_int_equal(echo.served, 1);
}

static void test_broken_queue_needs_reset(void **state)
{
	(void)state;
	fn.msix_on = true;
	wr(0x10, 2, 0); /* configuration vector 0 */
	bring_up(V1);
	desc(0, BUF, 4, 1, 0); /* a loop */
	post(0);
	kick(0);
	assert_int_equal(echo.served, 0);
	assert_int_equal(rd(0x14, 1) & 64, 64);
	assert_false(virtio_live(echo.vd));
	assert_int_equal(fn.msix_count, 1); /* the configuration interrupt */
	assert_int_equal(fn.last_vec, 0);
	/* nothing is served until the driver resets the device */
	desc(0, BUF, 4, 1, 1);
	desc(1, BUF + 0x100, 4, 2, 0);
	kick(0);
	assert_int_equal(echo.served, 0);
	unsigned resets = echo.resets;
	wr(0x14, 1, 0);
	assert_int_equal(echo.resets, resets + 1);
	assert_int_equal(rd(0x14, 1), 0);
	assert_int_equal(rd(0x1c, 2), 0);
	memset(&ram[AVAIL], 0, 0x1000);
	memset(&ram[USED], 0, 0x1000);
	bring_up(V1);
	post(0);
	kick(0);
	assert_int_equal(echo.served, 1);
}

static void test_bad_ring_at_enable(void **state)
{
	(void)state;
	wr(0x14, 1, 3);
	wr(0x08, 4, 1);
	wr(0x0c, 4, 1);
	wr(0x14, 1, 3 | 8);
	wr(0x16, 2, 0);
	wr(0x30, 8, RAM_BYTES - 8); /* used ring past the end of RAM */
	wr(0x1c, 2, 1);
	assert_int_equal(rd(0x1c, 2), 0);
	assert_int_equal(rd(0x14, 1) & 64, 64);
	wr(0x14, 1, 0);
	wr(0x14, 1, 3);
	wr(0x18, 2, 12); /* not a power of two */
	wr(0x1c, 2, 1);
	assert_int_equal(rd(0x14, 1) & 64, 64);
}

static void test_device_config(void **state)
{
	(void)state;
	memcpy(echo.cfg, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	assert_int_equal(rd(0x2000, 4), 0x44332211);
	assert_int_equal(rd(0x2004, 2), 0x6655);
	assert_int_equal(rd(0x2007, 1), 0x88);
	assert_int_equal(rd(0x2006, 4), 0); /* runs past the structure */
	virtio_config_changed(echo.vd);
	assert_int_equal(rd(0x15, 1), 1);
	assert_int_equal(rd(0x1000, 1), 2);
}

static void test_pci_cfg_access(void **state)
{
	const u8 *c = find_vcap(5);
	u32 at = (u32)(c - fn.cfg), v = 0;
	(void)state;
	assert_true(fn.hooks->cfg_write(fn.hdev, at + 4, 1, 1));      /* bar */
	assert_true(fn.hooks->cfg_write(fn.hdev, at + 8, 4, 0x12));   /* offset: num_queues */
	assert_true(fn.hooks->cfg_write(fn.hdev, at + 12, 4, 2));     /* length */
	assert_true(fn.hooks->cfg_read(fn.hdev, at + 16, 4, &v));
	assert_int_equal(v, 2);
	assert_true(fn.hooks->cfg_read(fn.hdev, at + 8, 4, &v));
	assert_int_equal(v, 0x12);
	/* the type byte is read-only, the header is the function's */
	assert_false(fn.hooks->cfg_write(fn.hdev, at + 3, 1, 9));
	assert_true(fn.hooks->cfg_read(fn.hdev, at + 4, 4, &v));
	assert_int_equal(v & 0xff, 1);
	assert_false(fn.hooks->cfg_read(fn.hdev, at, 4, &v));
	/* status through the window */
	assert_true(fn.hooks->cfg_write(fn.hdev, at + 8, 4, 0x14));
	assert_true(fn.hooks->cfg_write(fn.hdev, at + 12, 4, 1));
	assert_true(fn.hooks->cfg_write(fn.hdev, at + 16, 1, 1));
	assert_int_equal(rd(0x14, 1), 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_identity_and_caps),
		T(test_features),
		T(test_queue_registers),
		T(test_request_msix),
		T(test_request_intx),
		T(test_buffers_posted_before_driver_ok),
		T(test_no_bus_master),
		T(test_broken_queue_needs_reset),
		T(test_bad_ring_at_enable),
		T(test_device_config),
		T(test_pci_cfg_access),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
