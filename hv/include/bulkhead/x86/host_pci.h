/* The host's PCI configuration space: through the ECAM the MCFG gives for
 * segment 0 (PCI Firmware Specification 3.3, 4.1.2; PCI Express 3.0
 * 7.2.2) once host_pci_init has read it, for the buses it covers, and
 * through configuration mechanism 1 (ports 0xCF8/0xCFC, PCI Local Bus
 * Specification 3.0, 3.2.2.3.2) otherwise. Registers 0-255 only. */
#ifndef BULKHEAD_X86_HOST_PCI_H
#define BULKHEAD_X86_HOST_PCI_H

#include <bulkhead/acpi.h>
#include <bulkhead/types.h>

u32 host_pci_read32(u8 bus, u8 dev, u8 fn, u8 reg);
void host_pci_write32(u8 bus, u8 dev, u8 fn, u8 reg, u32 v);
/* The first function 0 on bus 0 with this vendor and device id: its
 * device number in *dev; false if there is none. */
bool host_pci_find(u16 vendor, u16 device, u8 *dev);

/* A function found at boot; class is the 24-bit class code. */
struct host_pci_fn {
	u8 bus, dev, fn;
	u8 header;       /* header type register (bit 7: multi-function) */
	u16 vendor, device;
	u32 class;
};

#define HOST_PCI_MAX_FNS 256
extern struct host_pci_fn host_pci_fns[HOST_PCI_MAX_FNS];
extern unsigned host_pci_nr_fns;

/* Takes the ECAM from acpi (if the hypervisor maps it) and walks every bus
 * reachable from bus 0 through bridges, reading only: records and logs
 * each function ("pci: BB:DD.F vvvv:dddd class cccccc"). */
void host_pci_init(const struct acpi_info *acpi);
/* The first function found with this vendor and device ID, or NULL. */
const struct host_pci_fn *host_pci_lookup(u16 vendor, u16 device);
/* Its requestor ID: bus << 8 | device << 3 | function. */
static inline u16 host_pci_bdf(const struct host_pci_fn *f)
{
	return (u16)(f->bus << 8 | f->dev << 3 | f->fn);
}

#endif
