/* What a device may ask of its VM (dev.h), carried out on the VM. */
#include <stdarg.h>
#include <bulkhead/console_mux.h>
#include <bulkhead/dev.h>
#include <bulkhead/format.h>
#include <bulkhead/vm.h>

void dev_irq_set(struct dev_host *h, u32 gsi, bool asserted)
{
	vm_irq_set(vm_of_dev(h), gsi, asserted);
}

void dev_irq_pulse(struct dev_host *h, u32 gsi)
{
	vm_irq_pulse(vm_of_dev(h), gsi);
}

void dev_set_irq_chip(struct dev_host *h, const struct virq_chip_ops *ops, void *chip)
{
	vm_set_irq_chip(vm_of_dev(h), ops, chip);
}

void dev_apic_send(struct dev_host *h, const struct apic_msg *m)
{
	vm_apic_send(vm_of_dev(h), NULL, m);
}

bool dev_add_timer(struct dev_host *h, const struct vtimer_ops *ops, void *dev)
{
	return vm_add_timer(vm_of_dev(h), ops, dev);
}

void dev_attach_console(struct dev_host *h, void (*input)(void *dev, u8 c),
			u32 (*room)(void *dev), void (*flush)(void *dev, bool idle), void *dev)
{
	struct vm *vm = vm_of_dev(h);

	vm->console_input = input;
	vm->console_room = room;
	vm->console_flush = flush;
	vm->console_dev = dev;
}

void dev_console_output(struct dev_host *h, u8 c)
{
	console_mux_output(vm_of_dev(h), c);
}

void dev_attach_power_button(struct dev_host *h, bool (*press)(void *dev), void *dev)
{
	struct vm *vm = vm_of_dev(h);

	vm->power_button = press;
	vm->power_button_dev = dev;
}

void dev_request_reset(struct dev_host *h)
{
	vm_reset(vm_of_dev(h));
}

void dev_request_poweroff(struct dev_host *h)
{
	vm_poweroff(vm_of_dev(h));
}

void dev_exit_with_code(struct dev_host *h, u32 code)
{
	vm_exit_with_code(vm_of_dev(h), code);
}

void dev_fail(struct dev_host *h, const char *fmt, ...)
{
	char reason[VM_REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	vm_crash(vm_of_dev(h), "%s", reason);
}

bool dev_vm_running(const struct dev_host *h)
{
	return vm_is_running(vm_of_dev((struct dev_host *)h));
}

bool dev_mem_read(struct dev_host *h, u64 gpa, void *dst, u64 len)
{
	return vm_read(vm_of_dev(h), gpa, dst, len) == GM_OK;
}

bool dev_mem_write(struct dev_host *h, u64 gpa, const void *src, u64 len)
{
	return vm_write(vm_of_dev(h), gpa, src, len) == GM_OK;
}
