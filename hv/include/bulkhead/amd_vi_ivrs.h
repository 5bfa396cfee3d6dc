/* The IVRS, the ACPI table through which firmware describes its AMD IOMMUs
 * (AMD I/O Virtualization Technology (IOMMU) Specification, pub. 48882,
 * 5.2): each IOMMU's register base, PCI segment and own requestor ID, and
 * which requestor IDs (device IDs: bus << 8 | device << 3 | function) it
 * translates, with the aliases under which bridges forward some of them.
 * Pure: the table is firmware data and parsed as untrusted bytes. */
#ifndef BULKHEAD_AMD_VI_IVRS_H
#define BULKHEAD_AMD_VI_IVRS_H

#include <bulkhead/types.h>

#define IVRS_MAX_IOMMUS 8
#define IVRS_MAX_RANGES 64
#define IVRS_MAX_SPECIAL 8

struct ivrs_iommu {
	u64 base;       /* MMIO register base (16 KiB, 48882 3.4) */
	u16 segment;    /* PCI segment group */
	u16 devid;      /* the IOMMU's own requestor ID */
	u8 ivhd_type;   /* 0x10, 0x11 or 0x40 */
};

/* Requestor IDs first..last of one IOMMU's segment; DMA from them reaches
 * the IOMMU as alias when has_alias (IVHD entry types 66 and 67). */
struct ivrs_range {
	u16 segment;
	u16 first, last;
	u16 alias;
	u8 iommu;       /* index into ivrs_info.iommus */
	bool has_alias;
};

struct ivrs_info {
	struct ivrs_iommu iommus[IVRS_MAX_IOMMUS];
	u32 nr_iommus;
	struct ivrs_range ranges[IVRS_MAX_RANGES];
	u32 nr_ranges;
	u32 nr_special;  /* IOAPIC and HPET entries (type 72), counted only */
	bool has_ioapic; /* a type 72 entry of variety 1 (IOAPIC): QEMU lists it
			  * only with interrupt remapping on (intremap) */
	u16 special_devid[IVRS_MAX_SPECIAL]; /* the first type 72 entries' IDs */
	u8 va_size;      /* IVinfo bits 21:15: virtual address size in bits */
};

/* Parses the IVRS table t of len bytes (header and checksum included, as
 * acpi_read found it). Of the IVHD types firmware lists for one IOMMU, only
 * the highest one this parser knows is used (48882 5.2.2.1), as Linux does.
 * Returns false with *err set when the table is malformed; nothing is read
 * outside [t, t + len). */
bool __must_check ivrs_parse(const u8 *t, u32 len, struct ivrs_info *out, const char **err);

/* The range covering requestor ID devid of segment seg, or NULL. */
const struct ivrs_range *ivrs_find(const struct ivrs_info *info, u16 seg, u16 devid);

#endif
