/* Plain MSI of a passed-through function, mediated (docs/architecture.md
 * "Passthrough"; PCI 3.0 6.8.1): the guest sees the capability through
 * pci_cfg_filter (one vector, its message and mask bit virtual). When
 * the guest enables it the function gets a host vector (host_msi.h) and
 * its real capability a message to the hypervisor (the remappable form
 * through IRTE 0 when the IOMMU remaps); the interrupt delivers the
 * guest's message to the VM (pci_msix_msg), or sets the virtual pending
 * bit while the guest masks the vector. MSI-X and MSI are never on
 * together (the filter refuses the second Enable). Everything but the
 * host interrupt's note runs under hv_lock and the function's lock. */
#ifndef BULKHEAD_PASSTHROUGH_MSI_H
#define BULKHEAD_PASSTHROUGH_MSI_H

#include <bulkhead/types.h>

struct dev_host;
struct vm;
struct host_pci_fn;
struct pci_cfg_filter;

struct pt_msi {
	struct dev_host *dh;
	struct vm *vm;
	const struct host_pci_fn *hf;
	struct pci_cfg_filter *filt;
	u8 cap;          /* host offset; 0: not mediated */
	u8 host_vec;     /* 0: none */
	u32 host_ctrl;   /* the host's Message Control, as probed */
	u32 fired;       /* set by the host interrupt, atomically */
	u64 delivered;   /* messages sent to the VM */
	u64 dropped;     /* messages the VM's APICs would not accept */
	u64 refused;     /* enables left without a host vector */
};

/* Looks for the host function's MSI capability and exposes it through
 * filt (after pt_msix_probe); false (logged) when it has none or one that
 * cannot be mediated. Host MSI is turned off. */
bool pt_msi_probe(struct pt_msi *m, struct dev_host *dh, struct vm *vm,
		  const struct host_pci_fn *hf, struct pci_cfg_filter *filt);
/* The guest changed Enable or the Mask bit (PCI_CFG_FX_MSI). */
void pt_msi_changed(struct pt_msi *m);
/* The scheduler's poll: delivers what the host interrupt noted. */
void pt_msi_poll(struct pt_msi *m);
bool pt_msi_due(const struct pt_msi *m);
/* Host MSI off, the vector given back (VM stop, before the reset). */
void pt_msi_stop(struct pt_msi *m);
/* The VM's reset: stopped, the guest's view cleared (6.8.1.3: disabled). */
void pt_msi_reset(struct pt_msi *m);

#endif
