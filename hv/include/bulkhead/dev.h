/* The one header a device model includes: the VM, its bus, guest memory,
 * and the device registration macro. */
#ifndef BULKHEAD_DEV_H
#define BULKHEAD_DEV_H

#include <bulkhead/bus.h>
#include <bulkhead/vm.h>

/* Allocates device state in the VM and registers it on a bus space. */
void *dev_create(struct vm *vm, struct bus_space *space, u64 base, u64 len, u64 state_size,
		 const struct bus_dev_ops *ops, const char *name, const char **err);

#endif
