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
 * could come in between, as each one exits. An edge for the same vector
 * that another CPU raised in between found its IRR bit still set and is
 * merged into this one, where a LAPIC would hold it in IRR behind the ISR
 * bit and deliver it again after the EOI. */
void vcpu_irq_taken(struct vcpu *v, u8 vec)
{
	if (v->irq_ops)
		v->irq_ops->accept(v->irq_dev, vec);
}

void vm_irq_eoi(struct vm *vm, u8 vector)
{
	if (vm->irq_chip_ops && vm->irq_chip_ops->eoi)
		vm->irq_chip_ops->eoi(vm->irq_chip, vector);
}
