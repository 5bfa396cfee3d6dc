/* Test device (the VM's "testdev" option, see guests/README.md): a port
 * latch at 0xe0, a byte FIFO at 0xe4 for string I/O, an MMIO scratch page
 * at 0xd0000000 that behaves like memory, and an MMIO access counter. */
#include <bulkhead/dev.h>
#include <bulkhead/vm_config.h>
#include <bulkhead/string.h>

#define LATCH_PORT   0xe0
#define FIFO_PORT    0xe4
#define FIFO_SIZE    4096
#define SCRATCH_GPA  0xd0000000ULL
#define SCRATCH_LEN  0x1000ULL
#define COUNTER_GPA  (SCRATCH_GPA + SCRATCH_LEN)
#define COUNTER_LEN  8ULL

struct testdev {
	u8 latch[4];
	u8 fifo[FIFO_SIZE];
	u32 head, count;
	u8 scratch[SCRATCH_LEN];
	u64 mmio_accesses;
};

static enum bus_result latch_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct testdev *t = dev;

	*val = 0;
	for (u32 i = 0; i < size && off + i < sizeof(t->latch); i++)
		*val |= (u64)t->latch[off + i] << (8 * i);
	return BUS_OK;
}

static enum bus_result latch_write(void *dev, u64 off, u32 size, u64 val)
{
	struct testdev *t = dev;

	for (u32 i = 0; i < size && off + i < sizeof(t->latch); i++)
		t->latch[off + i] = (u8)(val >> (8 * i));
	return BUS_OK;
}

/* The FIFO answers at 0xe4 for every access size; 0xe5-0xe7 are inert. */
static enum bus_result fifo_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct testdev *t = dev;

	if (off != 0) {
		*val = ~0ULL;
		return BUS_OK;
	}
	*val = 0;
	for (u32 i = 0; i < size; i++) {
		u8 b = 0xff;
		if (t->count) {
			b = t->fifo[t->head];
			t->head = (t->head + 1) % FIFO_SIZE;
			t->count--;
		}
		*val |= (u64)b << (8 * i);
	}
	return BUS_OK;
}

static enum bus_result fifo_write(void *dev, u64 off, u32 size, u64 val)
{
	struct testdev *t = dev;

	if (off != 0)
		return BUS_OK;
	for (u32 i = 0; i < size && t->count < FIFO_SIZE; i++) {
		t->fifo[(t->head + t->count) % FIFO_SIZE] = (u8)(val >> (8 * i));
		t->count++;
	}
	return BUS_OK;
}

static enum bus_result scratch_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct testdev *t = dev;

	if (off + size > SCRATCH_LEN)
		return BUS_BAD_ACCESS;
	*val = 0;
	memcpy(val, &t->scratch[off], size); /* little endian */
	t->mmio_accesses++;
	return BUS_OK;
}

static enum bus_result scratch_write(void *dev, u64 off, u32 size, u64 val)
{
	struct testdev *t = dev;

	if (off + size > SCRATCH_LEN)
		return BUS_BAD_ACCESS;
	memcpy(&t->scratch[off], &val, size);
	t->mmio_accesses++;
	return BUS_OK;
}

static enum bus_result counter_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct testdev *t = dev;

	if (off != 0 || size != 8)
		return BUS_BAD_ACCESS;
	*val = t->mmio_accesses;
	return BUS_OK;
}

static enum bus_result ignore_write(void *dev, u64 off, u32 size, u64 val)
{
	(void)dev;
	(void)off;
	(void)size;
	(void)val;
	return BUS_OK;
}

static void testdev_reset(void *dev)
{
	memset(dev, 0, sizeof(struct testdev));
}

static const struct bus_dev_ops latch_ops = { latch_read, latch_write, testdev_reset };
static const struct bus_dev_ops fifo_ops = { fifo_read, fifo_write, NULL };
static const struct bus_dev_ops scratch_ops = { scratch_read, scratch_write, NULL };
static const struct bus_dev_ops counter_ops = { counter_read, ignore_write, NULL };

static bool testdev_create(struct dev_host *host, const struct vm_config *cfg, const char **err)
{
	struct testdev *t;

	if (!cfg->testdev)
		return true;
	t = dev_create(host, &host->bus->pio, LATCH_PORT, 4, sizeof(*t), &latch_ops, "testdev-latch", err);
	if (!t)
		return false;
	if (!bus_register(&host->bus->pio, FIFO_PORT, 4, &fifo_ops, t, "testdev-fifo") ||
	    !bus_register(&host->bus->mmio, SCRATCH_GPA, SCRATCH_LEN, &scratch_ops, t, "testdev-scratch") ||
	    !bus_register(&host->bus->mmio, COUNTER_GPA, COUNTER_LEN, &counter_ops, t, "testdev-counter")) {
		*err = "test device address ranges taken";
		return false;
	}
	return true;
}

VM_DEVICE(30, testdev, testdev_create);
