/* AMD-Vi (AMD I/O Virtualization Technology (IOMMU) Specification, pub.
 * 48882 rev 3.x): the MMIO registers (3.4), device table entries (2.2.2),
 * commands (2.4) and event log entries (2.5) the driver uses. The encoders
 * and the event decoder are pure, so unit tests check their bit layouts. */
#ifndef BULKHEAD_AMD_VI_H
#define BULKHEAD_AMD_VI_H

#include <bulkhead/types.h>

/* MMIO registers (48882 3.4), offsets from the IVHD's base address */
#define AMD_VI_DEV_TABLE_BASE  0x0000
#define AMD_VI_CMD_BUF_BASE    0x0008
#define AMD_VI_EVENT_LOG_BASE  0x0010
#define AMD_VI_CONTROL         0x0018
#define AMD_VI_EXT_FEATURE     0x0030
#define AMD_VI_CMD_BUF_HEAD    0x2000
#define AMD_VI_CMD_BUF_TAIL    0x2008
#define AMD_VI_EVENT_LOG_HEAD  0x2010
#define AMD_VI_EVENT_LOG_TAIL  0x2018
#define AMD_VI_STATUS          0x2020
#define AMD_VI_MMIO_SIZE       0x4000

/* Control register bits (3.4.3) */
#define AMD_VI_CTRL_IOMMU_EN    (1ULL << 0)
#define AMD_VI_CTRL_EVENT_LOG_EN (1ULL << 2)
#define AMD_VI_CTRL_CMD_BUF_EN  (1ULL << 12)
/* Status register bits (3.4.9) */
#define AMD_VI_STATUS_EVENT_OVERFLOW (1ULL << 0)
#define AMD_VI_STATUS_EVENT_LOG_RUN  (1ULL << 3)
#define AMD_VI_STATUS_CMD_BUF_RUN    (1ULL << 4)

/* Length fields of the command buffer and event log base registers
 * (3.4.2, 3.4.4): log2 of the number of 16-byte entries, bits 59:56. */
#define AMD_VI_LEN_SHIFT 56
#define AMD_VI_RING_ENTRIES 256U /* 4 KiB: one page each */
#define AMD_VI_RING_LOG2    8U

/* Device table (2.2.2): one 256-bit entry per requestor ID, 65536 of them;
 * the Size field of the base register (3.4.1) is the number of 4 KiB pages
 * less one. */
#define AMD_VI_DTE_SIZE   32U
#define AMD_VI_NR_DEVIDS  65536U
#define AMD_VI_DEV_TABLE_PAGES (AMD_VI_NR_DEVIDS * AMD_VI_DTE_SIZE / 4096U)

/* DTE bits, quad 0 and quad 1 (2.2.2.1, figure 7) */
#define AMD_VI_DTE_V          (1ULL << 0)
#define AMD_VI_DTE_TV         (1ULL << 1)
#define AMD_VI_DTE_MODE_SHIFT 9
#define AMD_VI_DTE_ROOT_MASK  0x000ffffffffff000ULL
#define AMD_VI_DTE_IR         (1ULL << 61)
#define AMD_VI_DTE_IW         (1ULL << 62)
#define AMD_VI_DTE_DOMAIN_MASK 0xffffULL

/* A DTE that blocks all DMA from its requestor: V=1, TV=1, Mode 1 with a
 * page table root, and IR=IW=0, so every read and write is refused before
 * the table is consulted (2.2.2.1; 2.2.3.2: permissions are ANDed from the
 * DTE down). QEMU 7.2's amdvi_page_walk refuses it the same way. Mode 0
 * would not do: with TV=1 the spec still applies IR/IW, but QEMU 7.2
 * forwards Mode 0 untranslated; and V=0 is passthrough in both.
 * empty_root: a zeroed page, so a walk would find nothing mapped either.
 * The domain ID is 0, which no translating domain uses. */
void amd_vi_dte_blocked(u64 dte[4], u64 empty_root);
/* A DTE translating through the 4-level table at root for domain domid
 * (1-255: QEMU 7.2 rejects a DTE with bit 8 of quad 1 set), DMA reads and
 * writes allowed as far as the table allows them. */
void amd_vi_dte_translate(u64 dte[4], u16 domid, u64 root);

/* Commands (2.4), 128 bits each: opcode in bits 63:60 of the first quad. */
#define AMD_VI_CMD_COMPLETION_WAIT      0x1ULL
#define AMD_VI_CMD_INVALIDATE_DEVTAB    0x2ULL
#define AMD_VI_CMD_INVALIDATE_PAGES     0x3ULL
/* COMPLETION_WAIT with S=1: the IOMMU stores data at addr (8-byte aligned)
 * once every command before it has completed (2.4.1). */
void amd_vi_cmd_completion_wait(u64 cmd[2], u64 addr, u64 data);
/* INVALIDATE_DEVTAB_ENTRY for one requestor ID (2.4.2). */
void amd_vi_cmd_invalidate_dte(u64 cmd[2], u16 devid);
/* INVALIDATE_IOMMU_PAGES of a whole domain: S=1 with the all-pages address
 * 7FFF_FFFF_FFFF_F000h and PDE=1, so cached PDEs go too (2.4.3). */
void amd_vi_cmd_invalidate_domain(u64 cmd[2], u16 domid);

/* Event log entries (2.5), 128 bits: requestor ID in bits 15:0, event code
 * in bits 63:60, an address in the second quad. */
#define AMD_VI_EVENT_ILLEGAL_DTE      0x1U
#define AMD_VI_EVENT_IO_PAGE_FAULT    0x2U
#define AMD_VI_EVENT_DEV_TAB_HW_ERROR 0x3U
#define AMD_VI_EVENT_PAGE_TAB_HW_ERROR 0x4U
#define AMD_VI_EVENT_ILLEGAL_COMMAND  0x5U
#define AMD_VI_EVENT_COMMAND_HW_ERROR 0x6U
#define AMD_VI_EVENT_IOTLB_TIMEOUT    0x7U
#define AMD_VI_EVENT_INVALID_REQUEST  0x8U

/* One line describing the event (no newline), like
 * "IO_PAGE_FAULT 00:03.0 address 0x1000 flags 0x8". */
void amd_vi_event_describe(const u64 ev[2], char *buf, u64 size);

#endif
