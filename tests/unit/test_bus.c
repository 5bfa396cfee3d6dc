/* hv/core/bus.c: registration, lookup by binary search, dispatch with a
 * region-relative offset, straddling and unclaimed accesses. */
#include "unit.h"
#include <bulkhead/bus.h>

struct fake {
	u64 last_off, last_val;
	u32 last_size;
	int resets;
};

static enum bus_result f_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct fake *f = dev;
	f->last_off = off;
	f->last_size = size;
	*val = 0x1122334455667788ULL;
	return BUS_OK;
}

static enum bus_result f_write(void *dev, u64 off, u32 size, u64 val)
{
	struct fake *f = dev;
	f->last_off = off;
	f->last_size = size;
	f->last_val = val;
	return BUS_OK;
}

static void f_reset(void *dev)
{
	((struct fake *)dev)->resets++;
}

static const struct bus_dev_ops ops = { f_read, f_write, f_reset };
static const struct bus_dev_ops write_only = { NULL, f_write, NULL };

static void test_register_sorted_and_overlaps(void **state)
{
	struct bus b;
	struct fake d[4] = { 0 };

	(void)state;
	bus_init(&b);
	assert_true(bus_register(&b.pio, 0x3f8, 8, &ops, &d[0], "uart"));
	assert_true(bus_register(&b.pio, 0x60, 1, &ops, &d[1], "kbd"));
	assert_true(bus_register(&b.pio, 0xcf8, 8, &ops, &d[2], "pci"));
	assert_int_equal(b.pio.n, 3);
	assert_int_equal(b.pio.r[0].base, 0x60);
	assert_int_equal(b.pio.r[2].base, 0xcf8);
	assert_false(bus_register(&b.pio, 0x3f0, 9, &ops, &d[3], "overlap-below"));
	assert_false(bus_register(&b.pio, 0x3ff, 1, &ops, &d[3], "overlap-end"));
	assert_false(bus_register(&b.pio, 0x3fa, 1, &ops, &d[3], "inside"));
	assert_false(bus_register(&b.pio, 0x100, 0, &ops, &d[3], "empty"));
	assert_false(bus_register(&b.pio, ~0ULL - 1, 4, &ops, &d[3], "wraps"));
	assert_false(bus_register(&b.pio, 0x100, 1, NULL, &d[3], "no ops"));
	assert_true(bus_register(&b.pio, 0x3f0, 8, &ops, &d[3], "adjacent"));
	bus_reset(&b);
	assert_int_equal(d[0].resets + d[1].resets + d[2].resets + d[3].resets, 4);
}

static void test_full_table(void **state)
{
	struct bus b;
	struct fake d = { 0 };

	(void)state;
	bus_init(&b);
	for (unsigned i = 0; i < BUS_MAX_REGIONS; i++)
		assert_true(bus_register(&b.mmio, 0x1000ULL * (BUS_MAX_REGIONS - i), 0x100, &ops, &d, "r"));
	assert_false(bus_register(&b.mmio, 0x100000, 0x100, &ops, &d, "one too many"));
	for (unsigned i = 1; i <= BUS_MAX_REGIONS; i++)
		assert_non_null(bus_find(&b.mmio, 0x1000ULL * i + 0xff, 1));
	assert_null(bus_find(&b.mmio, 0x1100, 1));
}

/* A built VM's bus is frozen: nothing can be added, lookups still work. */
static void test_frozen(void **state)
{
	struct bus b;
	struct fake d = { 0 };

	(void)state;
	bus_init(&b);
	assert_true(bus_register(&b.pio, 0x60, 1, &ops, &d, "kbd"));
	bus_freeze(&b);
	assert_false(bus_register(&b.pio, 0x70, 2, &ops, &d, "late"));
	assert_false(bus_register(&b.mmio, 0x1000, 0x100, &ops, &d, "late"));
	assert_int_equal(b.pio.n, 1);
	assert_non_null(bus_find(&b.pio, 0x60, 1));
}

static void test_dispatch(void **state)
{
	struct bus b;
	struct fake d = { 0 };
	u64 v;

	(void)state;
	bus_init(&b);
	assert_true(bus_register(&b.mmio, 0xfee00000, 0x1000, &ops, &d, "lapic"));
	assert_int_equal(bus_write(&b.mmio, 0xfee000b0, 4, 0), BUS_OK);
	assert_int_equal(d.last_off, 0xb0);
	assert_int_equal(d.last_size, 4);
	assert_int_equal(bus_read(&b.mmio, 0xfee00ff8, 8, &v), BUS_OK);
	assert_int_equal(d.last_off, 0xff8);
	assert_int_equal(v, 0x1122334455667788ULL);
	/* straddles the end of the region */
	assert_int_equal(bus_read(&b.mmio, 0xfee00ffc, 8, &v), BUS_BAD_ACCESS);
	/* starts before the region and reaches into it */
	assert_int_equal(bus_write(&b.mmio, 0xfedffffe, 4, 1), BUS_BAD_ACCESS);
	assert_int_equal(bus_read(&b.mmio, 0x1000, 4, &v), BUS_UNCLAIMED);
	assert_int_equal(bus_read(&b.mmio, 0xfee00000, 0, &v), BUS_BAD_ACCESS);
	assert_int_equal(bus_read(&b.mmio, 0xfee00000, 16, &v), BUS_BAD_ACCESS);
	assert_int_equal(bus_read(&b.mmio, ~0ULL - 2, 4, &v), BUS_BAD_ACCESS);
	assert_true(bus_register(&b.pio, 0xf4, 4, &write_only, &d, "exit"));
	assert_int_equal(bus_read(&b.pio, 0xf4, 1, &v), BUS_BAD_ACCESS); /* no read op */
}

/* A byte-wide device (a PIC or UART register pair): refuses anything but
 * 1-byte accesses; reads give 0x10 + offset, writes are logged. */
struct bytedev {
	u8 reg[4];
	unsigned reads, writes, refused;
};

static enum bus_result b_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct bytedev *d = dev;

	if (size != 1) {
		d->refused++;
		return BUS_BAD_ACCESS;
	}
	d->reads++;
	*val = d->reg[off];
	return BUS_OK;
}

static enum bus_result b_write(void *dev, u64 off, u32 size, u64 val)
{
	struct bytedev *d = dev;

	if (size != 1) {
		d->refused++;
		return BUS_BAD_ACCESS;
	}
	d->writes++;
	d->reg[off] = (u8)val;
	return BUS_OK;
}

static const struct bus_dev_ops byte_ops = { b_read, b_write, NULL };

/* Port space: a 4-byte IN at a 2-port byte device touches 4 ports, each
 * claimed or not (ISA splits the cycle): device bytes, all ones elsewhere. */
static void test_guest_port_split(void **state)
{
	struct bus b;
	struct bytedev pic = { { 0x11, 0x22 }, 0, 0, 0 };
	u64 v = 0;

	(void)state;
	bus_init(&b);
	assert_true(bus_register(&b.pio, 0x20, 2, &byte_ops, &pic, "pic"));
	assert_int_equal(bus_guest_read(&b.pio, 0x20, 4, &v, "t"), BUS_OK);
	assert_int_equal(v, 0xffff2211ULL);
	assert_int_equal(pic.reads, 2);
	assert_int_equal(b.pio.r[0].odd, 2); /* two 1-byte pieces of a split */
	/* 2-byte at the device: refused whole, then two byte reads */
	assert_int_equal(bus_guest_read(&b.pio, 0x20, 2, &v, "t"), BUS_OK);
	assert_int_equal(v, 0x2211ULL);
	/* starting one below: unclaimed 0x1f, then 0x20, 0x21, unclaimed 0x22 */
	assert_int_equal(bus_guest_read(&b.pio, 0x1f, 4, &v, "t"), BUS_OK);
	assert_int_equal(v, 0xff2211ffULL);
	/* write: bytes go to the device in order, the rest is dropped */
	assert_int_equal(bus_guest_write(&b.pio, 0x1e, 4, 0xa1b2c3d4ULL, "t"), BUS_OK);
	assert_int_equal(pic.reg[0], 0xb2);
	assert_int_equal(pic.reg[1], 0xa1);
	/* nothing claimed at all */
	assert_int_equal(bus_guest_read(&b.pio, 0x80, 4, &v, "t"), BUS_UNCLAIMED);
	assert_int_equal(v, 0xffffffffULL);
	assert_int_equal(bus_guest_write(&b.pio, 0x80, 2, 1, "t"), BUS_UNCLAIMED);
	/* past the top of port space */
	assert_int_equal(bus_guest_read(&b.pio, 0xffff, 4, &v, "t"), BUS_UNCLAIMED);
	assert_int_equal(v, 0xffffffffULL);
}

/* MMIO: a refused access reads all ones and drops the write, whole; an
 * access that runs past a region's end is split at the boundary. */
static void test_guest_mmio(void **state)
{
	struct bus b;
	struct bytedev d = { { 0x11, 0x22, 0x33, 0x44 }, 0, 0, 0 };
	struct fake f = { 0 };
	u64 v = 0;

	(void)state;
	bus_init(&b);
	assert_true(bus_register(&b.mmio, 0x1000, 4, &byte_ops, &d, "bytes"));
	assert_true(bus_register(&b.mmio, 0x1004, 4, &ops, &f, "words"));
	assert_int_equal(bus_guest_read(&b.mmio, 0x1000, 4, &v, "t"), BUS_OK);
	assert_int_equal(v, 0xffffffffULL);
	assert_int_equal(d.reads, 0);
	assert_int_equal(b.mmio.r[0].odd, 1);
	assert_int_equal(bus_guest_write(&b.mmio, 0x1000, 2, 0x5566, "t"), BUS_OK);
	assert_int_equal(d.writes, 0);
	assert_int_equal(d.reg[0], 0x11);
	assert_int_equal(bus_guest_read(&b.mmio, 0x1003, 1, &v, "t"), BUS_OK);
	assert_int_equal(v, 0x44);
	/* 8 bytes over both regions: 4 refused (all ones) + 4 from "words" */
	assert_int_equal(bus_guest_read(&b.mmio, 0x1000, 8, &v, "t"), BUS_OK);
	assert_int_equal(v, 0x55667788ffffffffULL);
	assert_int_equal(f.last_off, 0);
	assert_int_equal(f.last_size, 4);
	/* 8 bytes from "words" + unclaimed after it */
	assert_int_equal(bus_guest_read(&b.mmio, 0x1004, 8, &v, "t"), BUS_OK);
	assert_int_equal(v, 0xffffffff55667788ULL);
	assert_int_equal(bus_guest_write(&b.mmio, 0x1006, 4, 0xaabbccdd, "t"), BUS_OK);
	assert_int_equal(f.last_off, 2);
	assert_int_equal(f.last_size, 2);
	assert_int_equal(f.last_val, 0xccdd);
	assert_int_equal(bus_guest_read(&b.mmio, 0x2000, 8, &v, "t"), BUS_UNCLAIMED);
	assert_int_equal(v, ~0ULL);
	/* a size no instruction has */
	assert_int_equal(bus_guest_read(&b.mmio, 0x1004, 3, &v, "t"), BUS_UNCLAIMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_sorted_and_overlaps),
		cmocka_unit_test(test_full_table),
		cmocka_unit_test(test_frozen),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_guest_port_split),
		cmocka_unit_test(test_guest_mmio),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
