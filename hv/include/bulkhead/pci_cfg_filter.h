/* The configuration space a VM sees of a passed-through PCI function
 * (type 0 header, PCI Local Bus 3.0 6.1): pure logic, no host access, so
 * the same source runs in the hypervisor, a unit test and a fuzz target.
 * The owner gives it a snapshot of the host function's header and its BAR
 * sizes; the guest's reads and writes go through it, and a write says
 * what the owner must now do to the host or the nested page table.
 *
 * The allow-list, by offset (anything not listed reads 0 and its writes
 * are dropped and counted in `dropped`):
 *   00 vendor, 02 device    the host's, read-only
 *   04 command              virtual: memory space (bit 1), bus master
 *                           (bit 2) and INTx disable (bit 10) are
 *                           writable, the rest read 0 (no I/O space: I/O
 *                           BARs are not passed)
 *   06 status               the host's bits 5, 7, 9-10 (66 MHz, fast
 *                           back-to-back, DEVSEL timing); the capability
 *                           list bit and the error bits read 0; writes
 *                           are ignored (the error bits are RW1C)
 *   08 revision, class      the host's, read-only
 *   0c cache line size      virtual, read/write
 *   0d latency timer        0
 *   0e header type          the host's, without the multi-function bit
 *   0f BIST                 0
 *   10-24 BARs              emulated (6.2.5.1): the guest's own address
 *                           with the host BAR's type bits; the size
 *                           bits read 0, so writing all ones sizes it;
 *                           I/O BARs and unimplemented BARs read 0
 *   28 CardBus CIS          0
 *   2c subsystem IDs        the host's, read-only
 *   30 expansion ROM        0 (no ROM is passed)
 *   34 capabilities         0: hidden until MSI/MSI-X are mediated
 *   3c interrupt line       virtual, read/write
 *   3d interrupt pin        0 (no INTx is delivered)
 *   3e min grant, 3f max latency  0
 *   40-ff                   device-specific: 0, writes dropped
 * Writes to read-only header registers are dropped and counted too. */
#ifndef BULKHEAD_PCI_CFG_FILTER_H
#define BULKHEAD_PCI_CFG_FILTER_H

#include <bulkhead/types.h>

#define PCI_CFG_FILTER_BARS 6

struct pci_cfg_filter {
	u8 host[64];                   /* the host's header, as snapshot */
	u64 size[PCI_CFG_FILTER_BARS]; /* memory BARs passed; 0: none */
	u32 bar[PCI_CFG_FILTER_BARS];  /* what the guest reads */
	u32 mask[PCI_CFG_FILTER_BARS]; /* the writable (address) bits */
	u8 kind[PCI_CFG_FILTER_BARS];  /* PCI_CFG_BAR_* */
	u16 command;
	u8 cache_line, int_line;
	u32 dropped; /* writes dropped: read-only or unknown registers, bad accesses */
};

enum { PCI_CFG_BAR_NONE, PCI_CFG_BAR_MEM32, PCI_CFG_BAR_MEM64, PCI_CFG_BAR_MEM64_HIGH };

/* What a write changed that the owner must carry out. */
#define PCI_CFG_FX_BARS   (1U << 0) /* a BAR's guest address changed */
#define PCI_CFG_FX_MEM    (1U << 1) /* memory decoding turned on or off */
#define PCI_CFG_FX_MASTER (1U << 2) /* bus mastering turned on or off */

#define PCI_CMD_MEM       (1U << 1)
#define PCI_CMD_MASTER    (1U << 2)
#define PCI_CMD_INTX_OFF  (1U << 10)

/* From the host's header (its first 64 bytes) and the size of each of its
 * BARs as the owner probed it (0: unimplemented). A memory BAR is passed
 * when its size is a power of two of at least 16 bytes (a 64-bit BAR:
 * also below 2^63, and not BAR 5, whose upper half would be outside the
 * header); the others read 0. Guest addresses start at 0, command 0. */
void pci_cfg_filter_init(struct pci_cfg_filter *f, const u8 host[64],
			 const u64 size[PCI_CFG_FILTER_BARS]);
/* The guest's read of size 1, 2 or 4 at off (aligned to size, off + size
 * <= 256); all ones for a bad access. */
u32 pci_cfg_filter_read(const struct pci_cfg_filter *f, u32 off, u32 size);
/* The guest's write; returns PCI_CFG_FX_* of what changed. A bad access
 * changes nothing and counts as dropped. */
unsigned pci_cfg_filter_write(struct pci_cfg_filter *f, u32 off, u32 size, u32 val);
/* BAR idx's guest address and size: false if the BAR is not passed (or
 * is the upper half of a 64-bit BAR). */
bool pci_cfg_filter_bar(const struct pci_cfg_filter *f, u32 idx, u64 *gpa, u64 *size);
/* Sets BAR idx's guest address (the firmware's job, done by the owner at
 * creation); addr is cut to the BAR's alignment. */
void pci_cfg_filter_place(struct pci_cfg_filter *f, u32 idx, u64 addr);

#endif
