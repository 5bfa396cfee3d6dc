/* Loading a guest kernel into a new VM and describing its first state. */
#ifndef BULKHEAD_GUEST_LOAD_H
#define BULKHEAD_GUEST_LOAD_H

#include <bulkhead/vm.h>
#include <bulkhead/vmm.h>

/* Detects the kernel's format (bzImage or Multiboot v1) and loads it. */
bool __must_check guest_load(struct vm *vm, const struct vm_config *cfg,
			     struct vcpu_init_state *init, const char **err);
/* The ACPI tables (hv/dev/acpi_tables.c) at PC_ACPI_RSDP_GPA, where a
 * BIOS-area scan finds the RSDP (ACPI 6.5 5.2.5.1); *rsdp is its address. */
bool __must_check guest_load_acpi(struct vm *vm, u64 *rsdp, const char **err);
bool __must_check guest_load_multiboot(struct vm *vm, const struct vm_config *cfg,
				       struct vcpu_init_state *init, const char **err);

#endif
