/* The host's PCI configuration space through configuration mechanism 1
 * (ports 0xCF8/0xCFC, PCI Local Bus Specification 3.0, 3.2.2.3.2): bus 0
 * only, which is where QEMU's and most PCs' display adapter sits. */
#ifndef BULKHEAD_X86_HOST_PCI_H
#define BULKHEAD_X86_HOST_PCI_H

#include <bulkhead/types.h>

u32 host_pci_read32(u8 bus, u8 dev, u8 fn, u8 reg);
void host_pci_write32(u8 bus, u8 dev, u8 fn, u8 reg, u32 v);
/* The first function 0 on bus 0 with this vendor and device id: its
 * device number in *dev; false if there is none. */
bool host_pci_find(u16 vendor, u16 device, u8 *dev);

#endif
