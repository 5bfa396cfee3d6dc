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
 *                           list bit (4) reads 1 when MSI-X or MSI is
 *                           mediated,
 *                           the error bits read 0; writes are ignored
 *                           (the error bits are RW1C)
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
 *   34 capabilities         the MSI-X capability's host offset when the
 *                           owner mediates it (pci_cfg_filter_msix), else
 *                           the MSI capability's (pci_cfg_filter_msi),
 *                           else 0; every other capability stays hidden
 *   3c interrupt line       virtual, read/write
 *   3d interrupt pin        0 (no INTx is delivered)
 *   3e min grant, 3f max latency  0
 *   40-ff                   device-specific: 0, writes dropped, except
 *                           the MSI-X capability (PCI 3.0 6.8.2) at its
 *                           host offset: ID 11h, next pointer 0 (the only
 *                           capability in the list, or the MSI one's),
 *                           Message Control with
 *                           the Table Size the owner gives and Enable (15)
 *                           and Function Mask (14) virtual, read/write;
 *                           Table Offset/BIR and PBA Offset/BIR the
 *                           host's, read-only; and the MSI capability
 *                           (PCI 3.0 6.8.1) at its host offset: ID 05h,
 *                           next pointer 0, Message Control (6.8.1.3) with
 *                           Enable (0) virtual, read/write, Multiple
 *                           Message Capable reading 0 (one vector) and
 *                           Multiple Message Enable read-only 0, the
 *                           host's 64-bit (7) and per-vector masking (8)
 *                           bits; Message Address (bits 1:0 read 0),
 *                           Upper Address (64-bit form only), Message
 *                           Data (16 bits) and, with per-vector masking,
 *                           Mask Bits (bit 0 writable) virtual,
 *                           read/write; Pending Bits (bit 0) what the
 *                           owner sets, read-only. The guest's Enable is
 *                           refused (stays 0, counted as dropped) while
 *                           its MSI-X is enabled, and its MSI-X Enable
 *                           while MSI is (6.8.1.3, 6.8.2.3: never both)
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
	u8 msix_cap;       /* the MSI-X capability's offset; 0: none */
	u16 msix_nvec;     /* entries the guest is offered */
	u16 msix_ctrl;     /* PCI_CFG_MSIX_ENABLE | PCI_CFG_MSIX_FMASK */
	u32 msix_table, msix_pba; /* the host's Offset | BIR dwords */
	u8 msi_cap;        /* the MSI capability's offset; 0: none */
	u16 msi_ctrl;      /* Enable | the host's 64-bit and masking bits */
	u32 msi_addr_lo, msi_addr_hi, msi_mask, msi_pending;
	u16 msi_data;
	u32 dropped; /* writes dropped: read-only or unknown registers, bad accesses */
};

enum { PCI_CFG_BAR_NONE, PCI_CFG_BAR_MEM32, PCI_CFG_BAR_MEM64, PCI_CFG_BAR_MEM64_HIGH };

/* What a write changed that the owner must carry out. */
#define PCI_CFG_FX_BARS   (1U << 0) /* a BAR's guest address changed */
#define PCI_CFG_FX_MEM    (1U << 1) /* memory decoding turned on or off */
#define PCI_CFG_FX_MASTER (1U << 2) /* bus mastering turned on or off */
#define PCI_CFG_FX_MSIX   (1U << 3) /* MSI-X Enable or Function Mask changed */
#define PCI_CFG_FX_MSI    (1U << 4) /* MSI Enable or its Mask bit changed */

#define PCI_CFG_MSIX_ENABLE (1U << 15) /* Message Control, PCI 3.0 6.8.2.3 */
#define PCI_CFG_MSIX_FMASK  (1U << 14)
#define PCI_CFG_MSIX_MAX    2048U      /* Table Size is 11 bits, N-1 */
#define PCI_CFG_MSI_ENABLE  (1U << 0)  /* Message Control, PCI 3.0 6.8.1.3 */
#define PCI_CFG_MSI_64      (1U << 7)
#define PCI_CFG_MSI_PVM     (1U << 8)

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
/* Exposes the MSI-X capability at the host's offset cap with nvec entries
 * (1..2048) and the host's Table and PBA Offset/BIR dwords. Refused
 * (false, nothing exposed) unless cap is dword aligned in 40h-f4h, and
 * the table (nvec * 16 bytes) and the PBA (one bit per entry, in qwords)
 * are qword aligned inside a passed memory BAR, and it does not overlap
 * an exposed MSI capability. Enable and Function Mask start clear. */
bool pci_cfg_filter_msix(struct pci_cfg_filter *f, u32 cap, u32 nvec, u32 table, u32 pba);
/* Exposes the MSI capability at the host's offset cap, whose host Message
 * Control is host_ctrl (only its 64-bit and per-vector masking bits are
 * kept). Refused (false, nothing exposed) unless cap is dword aligned,
 * at least 40h, and the capability (10h to 18h bytes) ends by 100h, or
 * it overlaps the MSI-X capability. Everything starts clear. */
bool pci_cfg_filter_msi(struct pci_cfg_filter *f, u32 cap, u32 host_ctrl);
/* Where the MSI capability's Message Data (its Mask Bits follow at + 4,
 * Pending Bits at + 8) is, from its start: 0Ch (64-bit form) or 08h. */
u32 pci_cfg_filter_msi_data_off(const struct pci_cfg_filter *f);

#endif
