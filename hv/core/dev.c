/* Device state in the VM's arena, and common device creation. */
#include <bulkhead/dev.h>
#include <bulkhead/vm.h>

void *dev_alloc(struct dev_host *h, u64 size)
{
	return vm_dev_alloc(vm_of_dev(h), size);
}

void *dev_create(struct dev_host *h, struct bus_space *space, u64 base, u64 len, u64 state_size,
		 const struct bus_dev_ops *ops, const char *name, const char **err)
{
	void *dev = dev_alloc(h, state_size);

	if (!dev) {
		*err = "out of device memory";
		return NULL;
	}
	if (!bus_register(space, base, len, ops, dev, name)) {
		*err = "device address range taken";
		return NULL;
	}
	return dev;
}
