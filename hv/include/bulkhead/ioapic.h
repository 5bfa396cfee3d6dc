/* Virtual 82093AA I/O APIC at PC_IOAPIC_BASE (Intel 82093AA datasheet,
 * 290566-001): 24 redirection entries feeding vCPU 0's local APIC. It is
 * the VM's interrupt controller (struct virq_chip_ops). */
#ifndef BULKHEAD_IOAPIC_H
#define BULKHEAD_IOAPIC_H

#include <bulkhead/types.h>

struct dev_host;
struct ioapic;

#define IOAPIC_MMIO_LEN 0x1000ULL

/* Creates the IOAPIC and attaches it with vm_set_irq_chip(). */
struct ioapic *ioapic_attach(struct dev_host *host, const char **err);

#endif
