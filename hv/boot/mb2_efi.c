/* The UEFI memory map a Multiboot2 loader passes in its EFI memory map tag
 * (Multiboot2 spec 2.0, 3.6 "EFI memory map": descriptor size, descriptor
 * version, then the descriptors exactly as GetMemoryMap returned them),
 * converted into the loader-independent map. Used when the loader gives no
 * plain memory map tag (hv/boot/mb2.c). */
#include <bulkhead/boot_info.h>
#include <bulkhead/string.h>

/* EFI_MEMORY_DESCRIPTOR, UEFI 2.10 7.2 (EFI_BOOT_SERVICES.GetMemoryMap()).
 * A firmware may use a larger stride (the tag's descriptor size); the
 * fields below are at the same offsets in every version-1 descriptor. */
struct efi_mem_desc {
	u32 type, pad;
	u64 phys_start, virt_start, nr_pages, attribute;
} __packed;

#define EFI_DESC_VERSION   1U
#define EFI_PAGE_SHIFT     12U
#define EFI_MAX_PAGES      (1ULL << (64 - EFI_PAGE_SHIFT))
#define EFI_MEMORY_SP      (1ULL << 18) /* specific-purpose memory */
#define EFI_MEMORY_RUNTIME (1ULL << 63) /* the firmware's runtime services use it */

/* EFI_MEMORY_TYPE, UEFI 2.10 7.2, Table 7.6 "Memory Type Usage after
 * ExitBootServices()": loader and boot-services memory and conventional
 * memory are free RAM once boot services have exited (the Multiboot2 header
 * does not ask to keep them, so GRUB exits them before entering us). */
enum efi_mem_type {
	EFI_RESERVED = 0,
	EFI_LOADER_CODE = 1,
	EFI_LOADER_DATA = 2,
	EFI_BOOT_SERVICES_CODE = 3,
	EFI_BOOT_SERVICES_DATA = 4,
	EFI_RUNTIME_SERVICES_CODE = 5,
	EFI_RUNTIME_SERVICES_DATA = 6,
	EFI_CONVENTIONAL = 7,
	EFI_UNUSABLE = 8,
	EFI_ACPI_RECLAIM = 9,
	EFI_ACPI_NVS = 10,
	/* 11-15: MMIO, MMIO port space, PAL code, persistent, unaccepted */
};

/* What the hypervisor may do with a descriptor's memory. Anything a
 * runtime service uses, or that is set aside for a specific purpose, stays
 * reserved whatever its type; so do types this table does not know. */
static u32 efi_mem_class(const struct efi_mem_desc *d)
{
	if (d->attribute & (EFI_MEMORY_RUNTIME | EFI_MEMORY_SP))
		return MEM_RESERVED;
	switch (d->type) {
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
	case EFI_CONVENTIONAL:
		return MEM_USABLE;
	case EFI_ACPI_RECLAIM:
		return MEM_ACPI_RECLAIM;
	case EFI_ACPI_NVS:
		return MEM_ACPI_NVS;
	case EFI_UNUSABLE:
		return MEM_BAD;
	default:
		return MEM_RESERVED;
	}
}

bool efi_mmap_check(const u8 *p, u32 len, const char **err)
{
	u32 desc_size, desc_vers;

	if (len < 8) {
		*err = "multiboot2: truncated EFI memory map tag";
		return false;
	}
	memcpy(&desc_size, p, 4);
	memcpy(&desc_vers, p + 4, 4);
	if (desc_size < sizeof(struct efi_mem_desc) || desc_size % 8) {
		*err = "multiboot2: EFI memory descriptor size invalid";
		return false;
	}
	if (desc_vers != EFI_DESC_VERSION) {
		*err = "multiboot2: EFI memory descriptor version unknown";
		return false;
	}
	if ((len - 8) % desc_size) {
		*err = "multiboot2: EFI memory map tag has a partial descriptor";
		return false;
	}
	return true;
}

/* Adds [start, start + len) as 'type', extending the previous entry when it
 * ends where this one starts with the same type: firmware maps usually come
 * sorted with many neighbours of one class. An unsorted map only merges
 * less. */
static bool add_merged(struct boot_info *bi, u64 start, u64 len, u32 type, const char **err)
{
	struct mem_range *last = bi->nr_mem ? &bi->mem[bi->nr_mem - 1] : NULL;

	if (len && start + len > start && last && last->end == start && last->type == type) {
		last->end = start + len;
		return true;
	}
	return boot_info_add_mem(bi, start, len, type, err);
}

bool efi_mmap_add(const u8 *p, u32 len, struct boot_info *bi, const char **err)
{
	u32 desc_size;

	if (!efi_mmap_check(p, len, err))
		return false;
	memcpy(&desc_size, p, 4);
	for (u32 off = 8; off < len; off += desc_size) {
		struct efi_mem_desc d;

		memcpy(&d, p + off, sizeof(d));
		if (d.phys_start & ((1ULL << EFI_PAGE_SHIFT) - 1)) {
			*err = "multiboot2: EFI memory descriptor not page aligned";
			return false;
		}
		if (d.nr_pages >= EFI_MAX_PAGES) {
			*err = "memory map entry wraps around the address space";
			return false;
		}
		if (!add_merged(bi, d.phys_start, d.nr_pages << EFI_PAGE_SHIFT, efi_mem_class(&d), err))
			return false;
	}
	return true;
}
