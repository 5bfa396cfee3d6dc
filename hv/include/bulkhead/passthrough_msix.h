/* MSI-X of a passed-through function, mediated (docs/architecture.md
 * "Passthrough"; PCI 3.0 6.8.2): the guest sees the capability through
 * pci_cfg_filter and a virtual table and PBA (the pages that hold them
 * are not mapped in the nested page table: accesses trap here, other
 * offsets on those pages reach the host BAR). Each entry the guest
 * enables and unmasks gets a host vector (host_msi.h) and the host entry
 * a message to the hypervisor; its interrupt delivers the guest's
 * message to the VM as an emulated device's MSI-X would (pci_msix_msg),
 * or sets the virtual pending bit while the guest masks it. Everything
 * but pt_msix_fired runs under hv_lock (exits, the scheduler's poll). */
#ifndef BULKHEAD_PASSTHROUGH_MSIX_H
#define BULKHEAD_PASSTHROUGH_MSIX_H

#include <bulkhead/bus.h>
#include <bulkhead/pci_func_priv.h>
#include <bulkhead/types.h>

#define PT_MSIX_MAX 32 /* entries offered to the guest at most */

struct dev_host;
struct vm;
struct host_pci_fn;
struct pci_cfg_filter;

struct pt_msix {
	struct dev_host *dh;
	struct vm *vm;
	const struct host_pci_fn *hf;
	struct pci_cfg_filter *filt;
	u8 cap;               /* host offset; 0: not mediated */
	u8 bir;               /* the table's BAR; the PBA's is pba_bir */
	u8 pba_bir;
	u32 table_off, pba_off;
	u32 host_nvec;        /* the host's table size */
	u32 nvec;             /* offered to the guest */
	u64 host_bar[6];      /* host address of each BAR */
	struct msix_entry e[PT_MSIX_MAX]; /* the guest's view of the table */
	u8 host_vec[PT_MSIX_MAX]; /* 0: none */
	u64 pending;          /* the virtual PBA */
	u64 fired;            /* set by the host interrupt, atomically */
	u64 delivered;        /* messages sent to the VM */
	u64 dropped;          /* messages the VM's APICs would not accept */
	u64 refused;          /* entries left without a host vector */
	bool host_on;         /* host MSI-X enabled */
};

/* Looks for the host function's MSI-X capability and exposes it through
 * filt (whose BARs are set up); false (logged, capability hidden) when it
 * has none or one that cannot be mediated. Host MSI-X is turned off. */
bool pt_msix_probe(struct pt_msix *m, struct dev_host *dh, struct vm *vm,
		   const struct host_pci_fn *hf, const u64 host_bar[6], struct pci_cfg_filter *filt);
/* The guest changed Message Control (PCI_CFG_FX_MSIX). */
void pt_msix_ctrl_changed(struct pt_msix *m);
/* The byte range of BAR bar [*lo, *hi) the trap handler owns (page
 * aligned, the table's or the PBA's pages; which = 0 table, 1 PBA): false
 * when none in that BAR. */
bool pt_msix_hole(const struct pt_msix *m, u32 bar, u32 which, u64 *lo, u64 *hi);
/* A guest access at off into BAR bar inside a hole. */
enum bus_result pt_msix_access(struct pt_msix *m, u32 bar, u64 off, u32 size, u64 *val,
			       bool write);
/* The scheduler's poll: delivers what the host interrupts noted. */
void pt_msix_poll(struct pt_msix *m);
bool pt_msix_due(const struct pt_msix *m);
/* Host MSI-X off, every host entry masked, vectors given back (VM stop,
 * before the function's reset). */
void pt_msix_stop(struct pt_msix *m);
/* The VM's reset: stopped as above, the guest's view back to reset
 * (disabled, function unmasked, every entry masked, nothing pending). */
void pt_msix_reset(struct pt_msix *m);

#endif
