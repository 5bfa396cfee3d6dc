/* hv/dev/virtio/blk.c over the ramdisk back end (hv/dev/backend/ramdisk.c):
 * every request type of virtio 1.1 5.2.6, range and size checks, read-only
 * disks (VIRTIO_BLK_F_RO, writes fail with IOERR), malformed requests. */
#include "fake_vm.h"
#include "test_virtio_fake.h"

#define SECTORS 64U
static u8 image[SECTORS * 512];
static const struct vm_device *blk;

static void create(bool ro, u64 len)
{
	struct vm_config cfg = { .nr_disks = 1 };
	const char *err = NULL;

	memset(&vm, 0, sizeof(vm));
	memset(ram, 0, sizeof(ram));
	memset(&fn, 0, sizeof(fn));
	vm_init_dev_host(&vm);
	cfg.disks[0].image.hpa = (u64)(uintptr_t)image;
	cfg.disks[0].image.len = len;
	cfg.disks[0].read_only = ro;
	blk = find_vm_device("virtio_blk");
	assert_true(blk->create(&vm.dev, &cfg, &err));
}

static int setup_rw(void **state)
{
	(void)state;
	for (unsigned i = 0; i < sizeof(image); i++)
		image[i] = (u8)(i / 512);
	create(false, sizeof(image));
	bring_up(V1);
	return 0;
}

#define HDR  0x20000U
#define DATA 0x21000U
#define STAT 0x30000U

static u16 next_head;

/* Posts header (type, sector), data segments and the status byte; returns
 * the status, 0xff if the request was not completed. */
static u8 request(u32 type, u64 sector, u32 len, bool device_writes, u32 nsegs)
{
	u16 h = next_head, i = h;
	u16 used = get16(USED + 2);

	memcpy(&ram[HDR], &type, 4);
	memset(&ram[HDR + 4], 0, 4);
	memcpy(&ram[HDR + 8], &sector, 8);
	ram[STAT] = 0xff;
	desc(i, HDR, 16, 1, (u16)(i + 1));
	i++;
	for (u32 s = 0; s < nsegs; s++, i++)
		desc(i, DATA + s * (len / nsegs), len / nsegs, (u16)(1 | (device_writes ? 2 : 0)),
		     (u16)(i + 1));
	desc(i, STAT, 1, 2, 0);
	post(h);
	kick(0);
	next_head = (u16)((i + 1) % 16 > 10 ? 0 : i + 1);
	if (get16(USED + 2) == used)
		return 0xff;
	return ram[STAT];
}

static void test_config(void **state)
{
	u64 cap;
	(void)state;
	cap = rd(0x2000, 4) | rd(0x2004, 4) << 32;
	assert_int_equal(cap, SECTORS);
	assert_int_equal(rd(0x2000 + 20, 4), 512);
	wr(0x00, 4, 0);
	assert_int_equal(rd(0x04, 4) & (1U << 5), 0); /* not RO */
	assert_true(rd(0x04, 4) & (1U << 13));       /* DISCARD */
	assert_int_equal(fn.id.device, 0x1042);
}

static void test_read(void **state)
{
	(void)state;
	next_head = 0;
	assert_int_equal(request(0, 3, 1024, true, 2), 0);
	assert_int_equal(ram[DATA], 3);
	assert_int_equal(ram[DATA + 1023], 4);
	assert_int_equal(get32u(USED + 8), 1025); /* data and status */
}

static void test_write_then_read(void **state)
{
	(void)state;
	next_head = 0;
	memset(&ram[DATA], 0xab, 2048);
	assert_int_equal(request(1, 10, 2048, false, 4), 0);
	assert_int_equal(image[10 * 512], 0xab);
	assert_int_equal(image[14 * 512 - 1], 0xab);
	assert_int_equal(image[14 * 512], 14);
	memset(&ram[DATA], 0, 2048);
	assert_int_equal(request(0, 10, 2048, true, 1), 0);
	assert_int_equal(ram[DATA + 2047], 0xab);
}

static void test_out_of_range(void **state)
{
	(void)state;
	next_head = 0;
	assert_int_equal(request(0, SECTORS - 1, 1024, true, 1), 1);
	assert_int_equal(request(0, ~0ULL, 512, true, 1), 1);
	assert_int_equal(request(1, SECTORS, 512, false, 1), 1);
	assert_int_equal(request(0, 0, 100, true, 1), 1); /* not whole sectors */
	assert_int_equal(request(0, SECTORS - 1, 512, true, 1), 0);
}

static void test_flush_getid_unsupported(void **state)
{
	(void)state;
	next_head = 0;
	assert_int_equal(request(4, 0, 0, false, 0), 0);
	assert_int_equal(request(8, 0, 20, true, 1), 0);
	assert_memory_equal(&ram[DATA], "bulkhead-disk0", 14);
	assert_int_equal(get32u(USED + 8 + 8), 21);
	assert_int_equal(request(99, 0, 0, false, 0), 2);
}

static void put_dwz(u64 sector, u32 n, u32 flags)
{
	memcpy(&ram[DATA], &sector, 8);
	memcpy(&ram[DATA + 8], &n, 4);
	memcpy(&ram[DATA + 12], &flags, 4);
}

static void test_discard_write_zeroes(void **state)
{
	(void)state;
	next_head = 0;
	put_dwz(5, 2, 0);
	assert_int_equal(request(13, 0, 16, false, 1), 0); /* write-zeroes */
	assert_int_equal(image[5 * 512], 0);
	assert_int_equal(image[7 * 512 - 1], 0);
	assert_int_equal(image[7 * 512], 7);
	put_dwz(5, 2, 1);
	assert_int_equal(request(11, 0, 16, false, 1), 2); /* discard with unmap */
	put_dwz(5, 2, 0);
	assert_int_equal(request(11, 0, 16, false, 1), 0);
	put_dwz(SECTORS - 1, 2, 0);
	assert_int_equal(request(11, 0, 16, false, 1), 1);
	put_dwz(0, 1, 4); /* a reserved flag */
	assert_int_equal(request(13, 0, 16, false, 1), 2);
	assert_int_equal(request(13, 0, 32, false, 1), 2); /* two segments: max is one */
}

static void test_read_only(void **state)
{
	(void)state;
	for (unsigned i = 0; i < sizeof(image); i++)
		image[i] = (u8)(i / 512);
	create(true, sizeof(image));
	wr(0x00, 4, 0);
	assert_true(rd(0x04, 4) & (1U << 5));
	bring_up(V1 | 1ULL << 5);
	next_head = 0;
	memset(&ram[DATA], 0xcd, 512);
	assert_int_equal(request(1, 2, 512, false, 1), 1);
	assert_int_equal(image[2 * 512], 2);
	put_dwz(2, 1, 0);
	assert_int_equal(request(13, 0, 16, false, 1), 1);
	assert_int_equal(image[2 * 512], 2);
	assert_int_equal(request(0, 2, 512, true, 1), 0);
	assert_int_equal(ram[DATA], 2);
}

static void test_no_header_fails_device(void **state)
{
	(void)state;
	desc(0, STAT, 1, 2, 0); /* only a status byte */
	post(0);
	kick(0);
	assert_int_equal(rd(0x14, 1) & 64, 64);
	assert_int_equal(get16(USED + 2), 0);
}

static void test_bad_image_size(void **state)
{
	struct vm_config cfg = { .nr_disks = 1 };
	const char *err = NULL;
	(void)state;
	memset(&vm, 0, sizeof(vm));
	vm_init_dev_host(&vm);
	cfg.disks[0].image.hpa = (u64)(uintptr_t)image;
	cfg.disks[0].image.len = 1000;
	assert_false(blk->create(&vm.dev, &cfg, &err));
	assert_string_equal(err, "disk image is not a whole number of 512-byte sectors");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup_rw)
	const struct CMUnitTest tests[] = {
		T(test_config),
		T(test_read),
		T(test_write_then_read),
		T(test_out_of_range),
		T(test_flush_getid_unsupported),
		T(test_discard_write_zeroes),
		cmocka_unit_test(test_read_only),
		T(test_no_header_fails_device),
		T(test_bad_image_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
