/* Device registration: devices register themselves with VM_DEVICE();
 * created in priority order when a VM is built (kvmtool's dev_init,
 * Jailhouse DEFINE_UNIT), reset through their bus regions, and destroyed
 * in the reverse order when the VM is torn down or its creation fails part
 * way. State in the VM's arena goes with the VM; destroy gives back what a
 * device holds elsewhere. */
#ifndef BULKHEAD_VM_DEVICE_H
#define BULKHEAD_VM_DEVICE_H

#include <bulkhead/types.h>

struct dev_host;
struct vm_config;

struct vm_device {
	const char *name;
	/* false with *err set on failure; true when created or not wanted. */
	bool (*create)(struct dev_host *h, const struct vm_config *cfg, const char **err);
	/* May be NULL; called only after create returned true. */
	void (*destroy)(struct dev_host *h);
};

#define VM_DEVICE(prio, n, fn) VM_DEVICE_DESTROY(prio, n, fn, NULL)
#define VM_DEVICE_DESTROY(prio, n, fn, destroy_fn)                               \
	static const struct vm_device vm_device_##n __used                       \
		__section(".vm_devices." #prio) __aligned(8) = { #n, fn, destroy_fn }

#endif
