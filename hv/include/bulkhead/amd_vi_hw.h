/* The AMD-Vi hardware driver underneath iommu.c: one IOMMU's registers,
 * device table, command buffer and event log (AMD IOMMU spec 48882). */
#ifndef BULKHEAD_AMD_VI_HW_H
#define BULKHEAD_AMD_VI_HW_H

#include <bulkhead/types.h>

/* Takes over the IOMMU whose registers are at base: disables it if firmware
 * left it on, builds a device table with every requestor ID blocked, a
 * command buffer and an event log, enables all three and flushes what the
 * IOMMU may have cached. */
bool __must_check amd_vi_hw_init(u64 base, const char **err);
/* Writes requestor devid's entry and invalidates the IOMMU's copy
 * (INVALIDATE_DEVTAB_ENTRY), then waits for completion. */
bool __must_check amd_vi_hw_set_dte(u16 devid, const u64 dte[4]);
/* Invalidates every cached translation and PDE of domain domid
 * (INVALIDATE_IOMMU_PAGES) and waits for completion. */
bool __must_check amd_vi_hw_flush_domain(u16 domid);
/* INVALIDATE_INTERRUPT_TABLE for devid, completed (2.4.5): the IOMMU no
 * longer uses a cached IRTE of it. */
bool __must_check amd_vi_hw_invalidate_irt(u16 devid);
/* A zeroed page used as the root of blocked entries. */
u64 amd_vi_hw_empty_root(void);
/* Reads new event log entries; prints at most max_lines of them and one
 * line for the rest; returns how many were read. */
unsigned amd_vi_hw_poll_events(unsigned max_lines);

#endif
