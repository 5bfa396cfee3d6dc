/* AMD-Vi interrupt remapping (AMD IOMMU spec 48882 2.2.5): the interrupt
 * fields of a device table entry (2.2.2.1, figure 7: bits 128-191), the
 * 32-bit interrupt remapping table entry (2.2.5.1, GAEn = 0, figure 15)
 * and INVALIDATE_INTERRUPT_TABLE (2.4.5). Pure encoders, unit-tested. */
#ifndef BULKHEAD_AMD_VI_IR_H
#define BULKHEAD_AMD_VI_IR_H

#include <bulkhead/types.h>

/* An MSI's data names its IRTE with bits 10:0 (2.2.5.2): a table of 2^11
 * entries covers every index a device can send, so none falls past the
 * table's end (QEMU 7.2 does not check IntTabLen). 8 KiB. */
#define AMD_VI_IRT_LOG2    11U
#define AMD_VI_IRT_ENTRIES (1U << AMD_VI_IRT_LOG2)
#define AMD_VI_IRT_BYTES   (AMD_VI_IRT_ENTRIES * 4U)

/* The remappable MSI a device sends for IRTE index (2.2.5.2): address
 * exactly FEE0_0000h (QEMU 7.2 refuses any other while remapping), data
 * the index (bits 10:8, the delivery mode an unremapped MSI would carry,
 * 000b: fixed, so the index stays below 256 to be remapped). */
#define AMD_VI_IR_MSI_ADDR 0xfee00000U

/* quad 2 of the DTE (bits 191:128) */
#define AMD_VI_DTE2_IV          (1ULL << 0)   /* interrupt map valid */
#define AMD_VI_DTE2_INTTABLEN_SHIFT 1         /* 4 bits: log2 of entries */
#define AMD_VI_DTE2_IRT_MASK    0x000fffffffffffc0ULL /* IntTableRootPtr 51:6 */
#define AMD_VI_DTE2_INTCTL_SHIFT 60           /* 00 abort, 01 pass, 10 remap */
#define AMD_VI_DTE2_INTCTL_REMAP 2ULL

/* Sets quad 2 of dte: IV = 1, IntTabLen = 2^11 entries at table (64-byte
 * aligned), IntCtl = 10b (fixed and arbitrated MSIs remapped through the
 * table), INITPass, EIntPass, NMIPass, Lint0Pass, Lint1Pass 0 (those
 * interrupt types from the device target-aborted). Quads 0, 1, 3 as
 * they were. */
void amd_vi_dte_intremap(u64 dte[4], u64 table);

/* Sets quad 2 of dte: IV = 1, IntCtl = 00b and every pass bit 0, so every
 * interrupt from the requestor is target-aborted (no table). */
void amd_vi_dte_intr_abort(u64 dte[4]);

/* An IRTE: RemapEn = 1, SupIOPF = 0 (a bad index logged), IntType 000b
 * fixed, RqEoi 0, DM 0 physical, Destination apic_id, Vector vector
 * (2.2.5.1). 0 is an invalid entry (RemapEn = 0: target abort). */
u32 amd_vi_irte(u8 vector, u8 apic_id);

#define AMD_VI_CMD_INVALIDATE_IRT 0x5ULL
/* INVALIDATE_INTERRUPT_TABLE for one requestor ID (2.4.5). */
void amd_vi_cmd_invalidate_irt(u64 cmd[2], u16 devid);

#endif
