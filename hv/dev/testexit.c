/* Test-exit port 0xf4, like QEMU's isa-debug-exit: a write stops the VM
 * with the value as its exit code. Only with the VM's "testexit" option. */
#include <bulkhead/dev.h>
#include <bulkhead/vm_config.h>

#define TESTEXIT_PORT 0xf4
#define TESTEXIT_LEN  4

struct testexit {
	struct dev_host *host;
};

static enum bus_result testexit_write(void *dev, u64 off, u32 size, u64 val)
{
	struct testexit *t = dev;

	if (off != 0)
		return BUS_OK; /* writes to 0xf5-0xf7 alone are ignored */
	(void)size;
	dev_exit_with_code(t->host, (u32)val);
	return BUS_OK;
}

static enum bus_result testexit_read(void *dev, u64 off, u32 size, u64 *val)
{
	(void)dev;
	(void)off;
	(void)size;
	*val = ~0ULL; /* write-only, like an absent port */
	return BUS_OK;
}

static const struct bus_dev_ops testexit_ops = { .read = testexit_read, .write = testexit_write };

static bool testexit_create(struct dev_host *host, const struct vm_config *cfg, const char **err)
{
	struct testexit *t;

	if (!cfg->testexit)
		return true;
	t = dev_create(host, &host->bus->pio, TESTEXIT_PORT, TESTEXIT_LEN, sizeof(*t), &testexit_ops,
		       "testexit", err);
	if (!t)
		return false;
	t->host = host;
	return true;
}

VM_DEVICE(20, testexit, testexit_create);
