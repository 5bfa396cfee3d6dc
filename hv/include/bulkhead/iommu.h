/* The host's IOMMU, vendor-neutral: DMA isolation for PCI devices. At boot
 * every requestor ID is blocked; a device handed to a VM is attached to a
 * domain whose I/O page tables map guest-physical addresses (what the
 * guest's driver programs the device with) to the VM's host pages. Without
 * an IOMMU, passthrough is refused (iommu_attach and iommu_domain_create
 * answer IOMMU_NONE / NULL). Today AMD-Vi (arch/x86/iommu/amd_vi.c). */
#ifndef BULKHEAD_IOMMU_H
#define BULKHEAD_IOMMU_H

#include <bulkhead/acpi.h>
#include <bulkhead/amd_vi_pgtable.h>
#include <bulkhead/phys_view.h>
#include <bulkhead/types.h>

enum iommu_result {
	IOMMU_OK,
	IOMMU_NONE,       /* no IOMMU: passthrough must be refused */
	IOMMU_BAD_ARGS,   /* unaligned, empty, wrapping, out of range */
	IOMMU_EXISTS,     /* part of the range is mapped already */
	IOMMU_NO_MEMORY,
	IOMMU_BUSY,       /* the requestor ID (or its alias) is in another domain */
	IOMMU_HW_TIMEOUT, /* the IOMMU did not complete a command */
};

#define IOMMU_READ  IOPT_READ
#define IOMMU_WRITE IOPT_WRITE
#define IOMMU_MAX_DOMAINS 16

struct iommu_domain {
	u16 id;                 /* 1..IOMMU_MAX_DOMAINS; 0 = free slot */
	u32 nr_devices;
	struct io_pgtable pt;
};

/* Finds and enables the IOMMU the IVRS describes (acpi, read through v),
 * with every requestor ID blocked, and logs one line saying what it found
 * or why there is none. */
void iommu_init(const struct acpi_info *acpi, const struct phys_view *v);
/* True once iommu_init enabled an IOMMU. */
bool iommu_present(void);
/* IOMMU_OK if a device may be passed through to a VM, IOMMU_NONE (and
 * the reason in *why) if not. */
enum iommu_result iommu_passthrough_allowed(const char **why);

/* An empty domain (maps nothing), or NULL without an IOMMU or when all
 * IOMMU_MAX_DOMAINS are in use. */
struct iommu_domain *iommu_domain_create(void);
/* Frees the domain's tables; refused (false) while devices are attached. */
bool iommu_domain_destroy(struct iommu_domain *d);
/* Maps [gpa, gpa + size) to [hpa, hpa + size), access IOMMU_READ and/or
 * IOMMU_WRITE, and invalidates the domain's cached translations. */
enum iommu_result __must_check iommu_map(struct iommu_domain *d, u64 gpa, u64 hpa, u64 size,
					 unsigned access);
/* Removes whatever is mapped in [gpa, gpa + size); when it returns
 * IOMMU_OK no device of the domain can reach those pages any more. */
enum iommu_result __must_check iommu_unmap(struct iommu_domain *d, u64 gpa, u64 size);
/* Puts requestor ID bdf (bus << 8 | device << 3 | function, segment 0),
 * and the alias its DMA arrives under if the IVRS names one, into d. */
enum iommu_result __must_check iommu_attach(struct iommu_domain *d, u16 bdf);
/* Blocks bdf (and its alias) again. */
enum iommu_result __must_check iommu_detach(u16 bdf);

/* Interrupt remapping (AMD-Vi 2.2.5), in use when the IVRS lists the
 * IOAPIC (QEMU does so only with intremap on; real AMD-Vi always remaps):
 * then iommu_attach also gives the device (and its alias) a table of
 * AMD_VI_IRT_ENTRIES invalid entries, so every MSI it sends is refused
 * unless iommu_irte_set made its index valid; detach frees the table. Off,
 * a device's MSIs reach the host's APICs as it writes them. */
bool iommu_intremap(void);
#define IOMMU_MAX_IRT 16 /* attached devices with a remapping table */
/* Entry index (< 256) of attached bdf's table: fixed vector to the local
 * APIC apic_id, physical; the IOMMU's cached copy invalidated. The device
 * then raises it with the MSI AMD_VI_IR_MSI_ADDR, data index. */
enum iommu_result __must_check iommu_irte_set(u16 bdf, u16 index, u8 vector, u8 apic_id);
/* Entry index invalid again (its MSI target-aborted). */
enum iommu_result __must_check iommu_irte_clear(u16 bdf, u16 index);

/* Reads the event log and reports what is new, at most a few lines per
 * call (the rest counted in one line); returns the number of events read. */
unsigned iommu_poll_events(void);

#endif
