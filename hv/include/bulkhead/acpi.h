/* Reading the machine's ACPI tables at boot (ACPI 6.5 chapter 5): enough to
 * find the MADT and count the CPUs, and to find the PCI ECAM (MCFG) and the
 * IVRS. Every table is checked (signature, length, checksum) and read only
 * through a phys_view. */
#ifndef BULKHEAD_ACPI_H
#define BULKHEAD_ACPI_H

#include <bulkhead/phys_view.h>
#include <bulkhead/types.h>

#define ACPI_MAX_CPUS 256

struct acpi_info {
	u64 rsdp;        /* physical address, 0 if it came from the loader */
	u8 revision;     /* RSDP revision: 0 = RSDT only, 2 = XSDT */
	u32 nr_cpus;     /* enabled or online-capable processors in the MADT */
	u32 lapic_base;
	u32 nr_ioapics;
	/* The APIC IDs of the enabled processors, in MADT order (the first
	 * ACPI_MAX_CPUS of them); online-capable ones are not started. */
	u32 apic_ids[ACPI_MAX_CPUS];
	u32 nr_apic_ids;
	/* PCI segment 0's enhanced configuration space (ECAM) from the MCFG:
	 * ecam_base is the address of bus 0 even when ecam_bus_start is not 0
	 * (PCI Firmware Specification 3.3, table 4-3); 0 if there is no MCFG. */
	u64 ecam_base;
	u8 ecam_bus_start, ecam_bus_end;
	/* The IVRS (AMD I/O virtualization reporting structure), checksummed but
	 * not parsed (ivrs.h does that); ivrs_pa 0 if there is none. */
	u64 ivrs_pa;
	u32 ivrs_len;
};

/* rsdp_copy: the RSDP bytes a Multiboot2 loader passed, or NULL to scan the
 * EBDA and 0xE0000-0xFFFFF for it (ACPI 6.5 5.2.5.1). The scan is for BIOS
 * boots: hv_main never asks for it on UEFI, where that area is not the
 * firmware's. */
/* What the boot CPU read of this machine (hv_main); nr_apic_ids 0 if
 * there were no usable tables. */
extern struct acpi_info host_acpi;

bool __must_check acpi_read(const struct phys_view *v, const void *rsdp_copy, u64 rsdp_len,
			    struct acpi_info *info, const char **err);

#endif
