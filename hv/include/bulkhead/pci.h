/* PCI configuration space of a VM through configuration mechanism #1
 * (PCI Local Bus 3.0 3.2.2.3.2; ports PC_PCI_CONFIG). Device models add
 * their functions to the registry of the VM's host bridge (hv/dev/pci/
 * pci_host.c, created at priority 20: register from a later priority). */
#ifndef BULKHEAD_PCI_H
#define BULKHEAD_PCI_H

#include <bulkhead/bus.h>
#include <bulkhead/types.h>

struct dev_host;

#define PCI_BDF(bus, dev, fn) ((u16)(((bus) << 8) | ((dev) << 3) | (fn)))
#define PCI_BDF_BUS(bdf)  ((u32)(bdf) >> 8)
#define PCI_BDF_SLOT(bdf) (((u32)(bdf) >> 3) & 0x1fU)
#define PCI_BDF_FN(bdf)   ((u32)(bdf) & 7U)
#define PCI_CFG_SIZE 256U
#define PCI_MAX_FUNCS 32

/* Standard header registers (PCI 3.0 6.1) */
#define PCI_VENDOR_ID   0x00
#define PCI_DEVICE_ID   0x02
#define PCI_COMMAND     0x04
#define PCI_STATUS      0x06
#define PCI_REVISION    0x08
#define PCI_CLASS_PROG  0x09
#define PCI_HEADER_TYPE 0x0e

/* Configuration-space handlers of one function. off + size <= 256, size
 * 1, 2 or 4, off never crosses a dword; values are little-endian. */
struct pci_func_ops {
	u32 (*cfg_read)(void *dev, u32 off, u32 size);
	void (*cfg_write)(void *dev, u32 off, u32 size, u32 val);
	/* May be NULL. An access to the memory window at guest-physical addr
	 * that no emulated BAR decodes (a passed-through function's trapped
	 * pages): BUS_UNCLAIMED when it is not this function's. */
	enum bus_result (*mmio)(void *dev, u64 addr, u32 size, u64 *val, bool write);
	/* May be NULL: the VM's reset (RST#) reaches the function. */
	void (*reset)(void *dev);
};

/* Adds function bdf to vm's PCI bus; false when the VM has no host
 * bridge yet, bdf is taken, or the registry is full. */
bool __must_check pci_register_function(struct dev_host *host, u16 bdf, const struct pci_func_ops *ops,
					void *dev);

struct pci_host;

/* Creates the host bridge (00:00.0), the configuration ports and ECAM. */
struct pci_host *pci_host_attach(struct dev_host *host, const char **err);

/* Little-endian access to a config image (for functions that keep one). */
u32 pci_cfg_get(const u8 *cfg, u32 off, u32 size);
void pci_cfg_put(u8 *cfg, u32 off, u32 size, u32 val);

#endif
