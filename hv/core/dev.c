/* Common device creation. */
#include <bulkhead/dev.h>

void *dev_create(struct vm *vm, struct bus_space *space, u64 base, u64 len, u64 state_size,
		 const struct bus_dev_ops *ops, const char *name, const char **err)
{
	void *dev = vm_dev_alloc(vm, state_size);

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
