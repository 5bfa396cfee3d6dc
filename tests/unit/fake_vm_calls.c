/* What the VM does for its devices (hv/core/dev_host.c calls these), as
 * weak do-nothing stubs for device-model tests: a test that wants to see a
 * call defines the function itself, which takes precedence. */
#include <bulkhead/apic_bus.h>
#include <bulkhead/console.h>
#include <bulkhead/console_mux.h>
#include <bulkhead/kbd.h>
#include <bulkhead/sched.h>
#include <bulkhead/vm.h>

#define WEAK __attribute__((weak))

/* the hypervisor's keyboard route: no keys are typed */
WEAK void kbd_attach(struct dev_host *h, void (*input)(void *dev, u8 code), void *dev)
{
	(void)h; (void)input; (void)dev;
}
WEAK void vm_irq_set(struct vm *vm, u32 gsi, bool asserted) { (void)vm; (void)gsi; (void)asserted; }
WEAK void vm_irq_pulse(struct vm *vm, u32 gsi) { (void)vm; (void)gsi; }
WEAK void vm_set_irq_chip(struct vm *vm, const struct virq_chip_ops *ops, void *chip)
{
	vm->irq_chip_ops = ops;
	vm->irq_chip = chip;
}
WEAK void vm_apic_send(struct vm *vm, const struct vlapic *from, const struct apic_msg *m)
{
	(void)vm; (void)from; (void)m;
}
WEAK bool vm_add_timer(struct vm *vm, const struct vtimer_ops *ops, void *dev)
{
	(void)vm; (void)ops; (void)dev;
	return true;
}
WEAK void vm_reset(struct vm *vm) { (void)vm; }
WEAK void vm_poweroff(struct vm *vm) { (void)vm; }
WEAK void vm_exit_with_code(struct vm *vm, u32 code) { (void)vm; (void)code; }
WEAK void vm_crash(struct vm *vm, const char *fmt, ...) { (void)vm; (void)fmt; }
WEAK bool vm_is_running(const struct vm *vm) { (void)vm; return true; }
WEAK void vm_stop(struct vm *vm, const char *reason) { (void)vm; (void)reason; }
WEAK void vm_hold(struct vm *vm, const char *what) { (void)vm; (void)what; }
WEAK void vm_unhold(struct vm *vm) { (void)vm; }
WEAK void vm_hold_update(struct vm *vm, const char *what) { (void)vm; (void)what; }
WEAK void console_guest_write(const void *owner, const char *name, const char *s, size_t n,
			      bool newline)
{
	(void)owner; (void)name; (void)s; (void)n; (void)newline;
}
WEAK void sched_kick_vm(const struct vm *vm) { (void)vm; }
WEAK void console_mux_output(struct vm *vm, u8 c) { (void)vm; (void)c; }
/* Guest RAM for device tests: none unless the test defines these. */
WEAK enum gm_result vm_read(struct vm *vm, u64 gpa, void *dst, u64 len)
{
	(void)vm; (void)gpa; (void)dst; (void)len;
	return GM_HOLE;
}
WEAK enum gm_result vm_write(struct vm *vm, u64 gpa, const void *src, u64 len)
{
	(void)vm; (void)gpa; (void)src; (void)len;
	return GM_HOLE;
}
