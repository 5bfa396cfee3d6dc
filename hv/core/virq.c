/* Guest interrupt lines: the VM's side of struct virq_chip_ops, and the
 * vCPU's side of an interrupt the CPU delivered by itself. */
#include <bulkhead/vm.h>

void vm_set_irq_chip(struct vm *vm, const struct virq_chip_ops *ops, void *chip)
{
	vm->irq_chip_ops = ops;
	vm->irq_chip = chip;
}

void vm_irq_set(struct vm *vm, u32 gsi, bool asserted)
{
	if (vm->irq_chip_ops)
		vm->irq_chip_ops->set_level(vm->irq_chip, gsi, asserted);
}

void vm_irq_pulse(struct vm *vm, u32 gsi)
{
	vm_irq_set(vm, gsi, true);
	vm_irq_set(vm, gsi, false);
}

/* Only the CPU knew when the guest took it; no LAPIC access of the guest
 * could come in between, as each one exits. The vector left IRR when it
 * was offered, so an edge for it that another CPU raised in between is in
 * IRR now, behind the ISR bit, and is delivered again after the EOI, as a
 * LAPIC does. */
void vcpu_irq_offer_end(struct vcpu *v, u8 vec, bool taken)
{
	if (v->irq_ops)
		v->irq_ops->offer_end(v->irq_dev, vec, taken);
}

void vm_irq_eoi(struct vm *vm, u8 vector)
{
	if (vm->irq_chip_ops && vm->irq_chip_ops->eoi)
		vm->irq_chip_ops->eoi(vm->irq_chip, vector);
}
