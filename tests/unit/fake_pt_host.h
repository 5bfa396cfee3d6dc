/* tests/unit/fake_pt_host.c: the host side of a passed-through function
 * for unit tests of its interrupt mediation (hv/dev/pci/passthrough_msi.c,
 * passthrough_msix.c). */
#ifndef FAKE_PT_HOST_H
#define FAKE_PT_HOST_H

#include <bulkhead/apic_bus.h>
#include <bulkhead/iommu.h>
#include <bulkhead/x86/host_msi.h>

/* The host function's configuration space (host_pci_read32/write32);
 * in the dword at fake_cfg_guard only the bits of fake_cfg_writable take a
 * write, as in the capability's control register. */
extern u8 fake_cfg[256];
extern u8 fake_cfg_guard;
extern u32 fake_cfg_writable;
void fake_cfg_put32(u32 off, u32 v);

/* The host vector pool (host_msi_alloc/free): vector
 * HOST_MSI_VECTOR_FIRST + k is slot k; fake_pool_left are free, the first
 * ones first. */
extern unsigned fake_pool_left, fake_pool_used;
extern host_msi_fn fake_pool_fn[4];
extern void *fake_pool_ctx[4];
extern u32 fake_pool_tag[4];
/* Runs slot k's handler, as the host interrupt would. */
void fake_pool_fire(unsigned k);

/* iommu.h's interrupt remapping: which IRTEs are valid, for what. */
extern bool fake_intremap, fake_irte_fail;
/* iommu_irte_set/clear assert index < this (256 unless a test narrows it) */
extern unsigned fake_irte_limit;
extern struct fake_irte { bool valid; u8 vector, apic; u16 bdf; } fake_irte[256];

/* What reached the VM: its APIC messages (the first 8 kept) and kicks. */
extern struct apic_msg fake_sent[8];
extern unsigned fake_nsent, fake_kicks;

#endif
