/* Guest interrupt lines. Devices raise and lower global system interrupts
 * (GSIs, ACPI 6.5 5.2.13) on their VM; the interrupt controller that owns
 * the lines (the virtual IOAPIC) turns them into vectors at the vCPU's
 * local APIC, and hears back about EOIs of level-triggered vectors. */
#ifndef BULKHEAD_VIRQ_H
#define BULKHEAD_VIRQ_H

#include <bulkhead/types.h>

struct vm;
struct vlapic;
struct apic_msg;

struct virq_chip_ops {
	void (*set_level)(void *chip, u32 gsi, bool asserted);
	/* The local APIC finished a level-triggered vector (EOI broadcast). */
	void (*eoi)(void *chip, u8 vector);
};

/* Attaches the VM's interrupt controller (one per VM). */
void vm_set_irq_chip(struct vm *vm, const struct virq_chip_ops *ops, void *chip);
/* Level of line gsi: an edge is a raise followed by a lower. No-op when the
 * VM has no interrupt controller. */
void vm_irq_set(struct vm *vm, u32 gsi, bool asserted);
void vm_irq_pulse(struct vm *vm, u32 gsi);
/* Called by the local APIC on EOI of a vector whose TMR bit was set. */
void vm_irq_eoi(struct vm *vm, u8 vector);
/* An interrupt message to the VM's local APICs, routed by APIC ID
 * (apic_bus.h); from is the sending APIC, NULL for the IOAPIC or an MSI. */
void vm_apic_send(struct vm *vm, const struct vlapic *from, const struct apic_msg *m);

#endif
