/* The one header a device model includes: what it sees of its VM. A device
 * never sees struct vm: it gets a struct dev_host, the VM's buses and name,
 * and may raise interrupt lines, send interrupt messages, keep timers,
 * take console input, and ask the VM for what only the VM can do (reset,
 * power off, stop with a reason). The core implements these on the VM
 * (hv/core/dev_host.c). Devices register with VM_DEVICE (vm_device.h). */
#ifndef BULKHEAD_DEV_H
#define BULKHEAD_DEV_H

#include <bulkhead/bus.h>
#include <bulkhead/types.h>
#include <bulkhead/virq.h>
#include <bulkhead/vm_device.h>
#include <bulkhead/vtimer.h>

struct apic_msg;

struct dev_host {
	struct bus *bus;   /* the VM's port and MMIO spaces */
	const char *name;  /* the VM's name, for messages */
};

/* Device state in the VM's arena, zeroed; NULL when the arena is full. */
void *dev_alloc(struct dev_host *h, u64 size);
/* Allocates device state and registers it on a bus space. */
void *dev_create(struct dev_host *h, struct bus_space *space, u64 base, u64 len, u64 state_size,
		 const struct bus_dev_ops *ops, const char *name, const char **err);

/* The VM's RAM, the only way a device reaches it (gpa_copy_*): false
 * when [gpa, gpa + len) is not all RAM or wraps. */
bool __must_check dev_mem_read(struct dev_host *h, u64 gpa, void *dst, u64 len);
bool __must_check dev_mem_write(struct dev_host *h, u64 gpa, const void *src, u64 len);

/* Interrupts: the level of a GSI line, an edge, the VM's interrupt
 * controller (the IOAPIC attaches itself), messages to the local APICs. */
void dev_irq_set(struct dev_host *h, u32 gsi, bool asserted);
void dev_irq_pulse(struct dev_host *h, u32 gsi);
void dev_set_irq_chip(struct dev_host *h, const struct virq_chip_ops *ops, void *chip);
void dev_apic_send(struct dev_host *h, const struct apic_msg *m);

/* A timer the scheduler polls (vtimer.h); false if the VM has no room. */
bool __must_check dev_add_timer(struct dev_host *h, const struct vtimer_ops *ops, void *dev);

/* The physical console's keys for this VM while it has the focus: input
 * takes one byte, room says how many it can take now, flush shows a
 * partial output line (a prompt): at once when idle (the guest halted),
 * else at each console poll as console_partial.h decides. */
void dev_attach_console(struct dev_host *h, void (*input)(void *dev, u8 c),
			u32 (*room)(void *dev), void (*flush)(void *dev, bool idle), void *dev);

/* A byte of the guest's console output (focus mode: filtered, shown or
 * kept in the VM's ring; console_mux.h). */
void dev_console_output(struct dev_host *h, u8 c);
/* The VM's power button, for the operator's graceful shutdown: press
 * returns true if the guest enabled its event. */
void dev_attach_power_button(struct dev_host *h, bool (*press)(void *dev), void *dev);

/* What only the VM can do, asked for by the guest through a device. */
void dev_request_reset(struct dev_host *h);
void dev_request_poweroff(struct dev_host *h);
void dev_exit_with_code(struct dev_host *h, u32 code);
void dev_fail(struct dev_host *h, const char *fmt, ...) __printf(2, 3);
bool dev_vm_running(const struct dev_host *h);

#endif
