/* An emulated PCI function (type 0 header, PCI Local Bus 3.0 6.1) that
 * device models build on: identity, BARs the guest sizes and moves, a
 * capability list, MSI-X with its table and PBA in a BAR (PCI 3.0 6.8.2),
 * and INTx through the IOAPIC as the fallback. The function registers with
 * the VM's host bridge (pci.h); its BARs are reached through the host
 * bridge's PCI windows, which follow the BARs when the guest reprograms
 * them (the VM's bus itself is frozen once the VM is built).
 *
 * The firmware's job is done at creation: every BAR gets an address in
 * the windows that the ACPI tables describe (PC_PCI_MMIO_*, PC_PCI_IO_*),
 * so a guest that never reassigns BARs finds them programmed. */
#ifndef BULKHEAD_PCI_FUNC_H
#define BULKHEAD_PCI_FUNC_H

#include <bulkhead/bus.h>
#include <bulkhead/types.h>

struct dev_host;
struct pci_func;

#define PCI_FUNC_BARS 6

enum pci_bar_kind {
	PCI_BAR_NONE = 0,
	PCI_BAR_MEM32,  /* 32-bit memory, non-prefetchable */
	PCI_BAR_MEM64,  /* 64-bit memory: takes this BAR and the next */
	PCI_BAR_IO,     /* I/O space (a notify register without a decoder) */
};

/* Identity of a function (PCI 3.0 6.2.1, 6.2.4). */
struct pci_func_id {
	u16 vendor, device;
	u16 subsys_vendor, subsys;
	u8 revision;
	u32 class_code;  /* base << 16 | sub << 8 | prog-if */
	u8 int_pin;      /* 1 = INTA#; 0 = no INTx */
};

/* Creates function bdf on the VM's PCI bus; NULL with *err on failure. */
struct pci_func *pci_func_create(struct dev_host *h, u16 bdf, const struct pci_func_id *id,
				 const char **err);

/* BAR idx (0..5): size is a power of two (>= 16 for memory, >= 4 for I/O);
 * the device's accesses arrive at ops with the offset inside the BAR,
 * only while the command register enables that space. */
bool __must_check pci_func_add_bar(struct pci_func *f, u32 idx, enum pci_bar_kind kind, u64 size,
				   const struct bus_dev_ops *ops, void *dev, const char *name);

/* Appends a capability with id and a body (the bytes after the ID and next
 * pointer) that the guest reads and cannot write; returns its offset in
 * configuration space, 0 when there is no room. */
u8 pci_func_add_cap(struct pci_func *f, u8 cap_id, const void *body, u32 body_len);

/* MSI-X with nvec vectors (<= PCI_FUNC_MSIX_MAX): the table at table_off
 * and the PBA at pba_off inside BAR bar, which the function serves itself
 * (the BAR must have been added with ops NULL, or be shared: accesses
 * outside the table and PBA go to the BAR's ops). */
#define PCI_FUNC_MSIX_MAX 64
bool __must_check pci_func_add_msix(struct pci_func *f, u16 nvec, u32 bar, u32 table_off,
				    u32 pba_off);

/* Plain MSI (PCI 3.0 6.8.1) with 1 << log2_nvec vectors (<= 32), 64-bit
 * address, per-vector masking; for devices that offer it besides MSI-X. */
bool __must_check pci_func_add_msi(struct pci_func *f, u8 log2_nvec);

/* Signals vector: with MSI-X enabled, the message of that table entry goes
 * to the VM's APICs by APIC ID (or the pending bit is set while it or the
 * function is masked); else with MSI enabled, MSI vector `vector` (pending
 * while masked); else INTx is asserted (pci_func_intx). A vector beyond
 * the table, or beyond the MSI vectors the guest enabled, is dropped. */
void pci_func_msix_notify(struct pci_func *f, u16 vector);
bool pci_func_msix_enabled(const struct pci_func *f);
bool pci_func_msi_enabled(const struct pci_func *f);
/* The INTx line's level (to the IOAPIC pin the ACPI _PRT gives for the
 * function's slot); ignored while the command register disables INTx. */
void pci_func_intx(struct pci_func *f, bool asserted);

/* Bus mastering enabled by the guest (PCI 3.0 6.2.2): a device does no
 * DMA to guest memory without it. */
bool pci_func_bus_master(const struct pci_func *f);

/* Where the guest has BAR idx now (a memory BAR's address), and whether
 * the command register lets the function decode memory space. */
u64 pci_func_bar_addr(const struct pci_func *f, u32 idx);
bool pci_func_mem_decoding(const struct pci_func *f);

/* Hooks of the function's owner, all optional: a device-specific register
 * range in configuration space (virtio's PCI configuration access
 * capability), seen before the standard registers; and the device's
 * reset, called when the VM resets (PCI RST#), before the function's own
 * registers go back to their reset values. */
struct pci_func_hooks {
	bool (*cfg_read)(void *dev, u32 off, u32 size, u32 *val);  /* true: handled */
	bool (*cfg_write)(void *dev, u32 off, u32 size, u32 val);
	void (*reset)(void *dev);
};
void pci_func_set_hooks(struct pci_func *f, const struct pci_func_hooks *hooks, void *dev);

#endif
