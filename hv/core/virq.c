/* Guest interrupt lines: the VM's side of struct virq_chip_ops. */
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

void vm_irq_eoi(struct vm *vm, u8 vector)
{
	if (vm->irq_chip_ops && vm->irq_chip_ops->eoi)
		vm->irq_chip_ops->eoi(vm->irq_chip, vector);
}
