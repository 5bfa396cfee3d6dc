/* Host tests: the VM_DEVICE entries linked into this test program, read
 * from its own ELF file (the hypervisor's linker script is not used in a
 * host build, so there is no __vm_devices_start/__vm_devices_end). */
#ifndef TESTS_VM_DEVICES_ELF_H
#define TESTS_VM_DEVICES_ELF_H

#include <bulkhead/vm.h>

/* Fills out[] with up to max entries in the order the hypervisor creates
 * them (section-name order, as the linker script's SORT puts them);
 * returns how many, or 0 if the file could not be read or there are more
 * than max. */
unsigned vm_devices_from_elf(const struct vm_device **out, unsigned max);

#endif
