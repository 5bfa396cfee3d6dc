/* The ACPI tables a Linux VM finds at PC_ACPI_RSDP_GPA (ACPI 6.5 chapter 5):
 * RSDP, XSDT, a full (not hardware-reduced) FADT with its FACS, the MADT,
 * the HPET table (IA-PC HPET 1.0a 3.2.4), the MCFG (PCI Firmware 3.0 4.1.2) and a DSDT whose AML is emitted here from the platform description.
 * Pure logic over a byte buffer: the caller copies the buffer into guest
 * RAM at buf_gpa. The layout is described in docs/linux-guest.md. */
#ifndef BULKHEAD_ACPI_TABLES_H
#define BULKHEAD_ACPI_TABLES_H

#include <bulkhead/pc_platform.h>
#include <bulkhead/types.h>

/* Processor Local APIC entries hold 8-bit APIC IDs, and 0xff is the xAPIC
 * broadcast ID (ACPI 6.5 5.2.12.2). */
#define ACPI_TABLES_MAX_CPUS 255U

/* The 32-bit PCI memory window the host bridge's _CRS offers for BARs
 * starts here (PC_PCI_MMIO_BASE). Guest RAM must end below it. */
#define ACPI_PCI_MEM32_BASE PC_PCI_MMIO_BASE

struct acpi_platform {
	u32 nr_cpus;             /* vCPU i has APIC ID i and ACPI processor UID i */
	bool fixed_power_button; /* PM1 PWRBTN_STS/PWRBTN_EN implemented (FADT
				    PWR_BUTTON flag clear); false: no power button */
};

/* Zeroes buf[0, buf_len) and writes the tables for guest-physical
 * [buf_gpa, buf_gpa + buf_len): the RSDP at buf_gpa (which must be 16-byte
 * aligned), the other tables from buf_gpa + (PC_ACPI_TABLES_GPA -
 * PC_ACPI_RSDP_GPA) up, all below 4 GiB. *rsdp_gpa is where the RSDP is.
 * False with *err if the platform or the buffer does not fit. */
bool __must_check acpi_tables_build(u8 *buf, u64 buf_gpa, u64 buf_len,
				    const struct acpi_platform *p, u64 *rsdp_gpa,
				    const char **err);

/* ---- Internal to hv/dev/acpi_*.c (exposed for the unit test) ---- */

/* A bounded AML writer (ACPI 6.5 chapter 20). Errors are sticky: once
 * anything does not fit or is malformed, ok turns false and stays so. */
#define AML_MAX_DEPTH 8

struct aml {
	u8 *buf;
	u32 len, cap;
	bool ok;
	unsigned depth;
	u32 open[AML_MAX_DEPTH]; /* offset of each open PkgLength */
};

void aml_init(struct aml *a, u8 *buf, u32 cap);
void aml_bytes(struct aml *a, const void *p, u32 n);
void aml_int(struct aml *a, u64 v);            /* Zero/One/Byte/Word/DWord/QWord */
void aml_string(struct aml *a, const char *s); /* ASCII, NUL-terminated */
void aml_eisaid(struct aml *a, const char *id); /* "PNP0A03" as a DWord */
void aml_name(struct aml *a, const char *path); /* NameOp NameString: a value follows */
void aml_scope(struct aml *a, const char *path);           /* opens; aml_close */
void aml_device(struct aml *a, const char *path);          /* opens; aml_close */
void aml_package(struct aml *a, u8 nr_elements);           /* opens; aml_close */
void aml_buffer(struct aml *a, const u8 *bytes, u32 n);    /* whole Buffer () */
void aml_close(struct aml *a);

/* The DSDT's AML body (after the 36-byte header); false if it does not fit. */
bool acpi_dsdt_emit(struct aml *a, const struct acpi_platform *p);

#endif
