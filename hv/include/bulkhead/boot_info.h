/* What the boot loader told us, in one form for Multiboot 1 and 2. */
#ifndef BULKHEAD_BOOT_INFO_H
#define BULKHEAD_BOOT_INFO_H

#include <bulkhead/phys_view.h>
#include <bulkhead/types.h>

#define MB1_BOOT_MAGIC 0x2badb002U
#define MB2_BOOT_MAGIC 0x36d76289U

/* A PC's UEFI memory map has 100-300 descriptors; same-type neighbours are
 * merged as it is converted (hv/boot/mb2_efi.c), which leaves far fewer. */
#define BOOT_MAX_MEM      128
#define BOOT_MAX_MODULES  16
#define BOOT_MAX_RESERVED (BOOT_MAX_MODULES * 2 + 4)
#define BOOT_MAX_CMDLINE  4096

enum mem_type {
	MEM_USABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI_RECLAIM = 3,
	MEM_ACPI_NVS = 4,
	MEM_BAD = 5,
};

struct mem_range {
	u64 start, end; /* [start, end) */
	u32 type;
};

struct boot_module {
	u64 start, end;
	const char *cmdline; /* never NULL, may be "" */
};

/* Framebuffer types of the Multiboot2 framebuffer tag (Multiboot2 spec 3.6
 * "Framebuffer info"). */
enum boot_fb_type {
	BOOT_FB_INDEXED = 0,
	BOOT_FB_RGB = 1,
	BOOT_FB_EGA_TEXT = 2, /* width and height in characters */
};

struct boot_fb {
	u64 addr;
	u32 pitch, width, height; /* pitch in bytes */
	u8 bpp, type;
};

struct boot_info {
	const char *loader;  /* "multiboot1" or "multiboot2" */
	const char *cmdline; /* never NULL after a successful parse */
	/* The loader passed EFI tags (system table or EFI memory map): the
	 * machine booted through UEFI and has no BIOS data area or EBDA.
	 * false: a BIOS boot (Multiboot 1 cannot say otherwise). */
	bool efi;
	const char *mmap_from; /* which structure the memory map came from */
	struct mem_range mem[BOOT_MAX_MEM];
	unsigned nr_mem;
	struct boot_module mods[BOOT_MAX_MODULES];
	unsigned nr_mods;
	/* Loader data the page allocator must never hand out: the info block,
	 * the memory-map array, the module list, each command line. */
	struct mem_range reserved[BOOT_MAX_RESERVED];
	unsigned nr_reserved;
	const void *rsdp; /* copy of the ACPI RSDP given by the loader, or NULL */
	u64 rsdp_len;
	const char *rsdp_from; /* the tag it came from, or NULL */
	bool has_fb;
	struct boot_fb fb; /* the loader's framebuffer, valid if has_fb */
};

/* Parse the loader's info block. image_start/end is the hypervisor's own
 * image, which no module may overlap. On failure returns false and sets
 * *err to a one-line reason; nothing outside the view is ever read. */
bool __must_check boot_info_parse(const struct phys_view *v, u32 magic, u64 info,
				  u64 image_start, u64 image_end,
				  struct boot_info *bi, const char **err);

bool __must_check mb1_parse(const struct phys_view *v, u64 info, struct boot_info *bi,
			    const char **err);
bool __must_check mb2_parse(const struct phys_view *v, u64 info, struct boot_info *bi,
			    const char **err);
/* The payload of a Multiboot2 EFI memory map tag (hv/boot/mb2_efi.c):
 * efi_mmap_check validates its layout, efi_mmap_add converts the UEFI
 * descriptors into bi->mem. */
bool __must_check efi_mmap_check(const u8 *p, u32 len, const char **err);
bool __must_check efi_mmap_add(const u8 *p, u32 len, struct boot_info *bi, const char **err);

/* Helpers the two parsers share (hv/boot/boot_info.c). */
bool boot_info_add_mem(struct boot_info *bi, u64 start, u64 len, u32 type, const char **err);
bool boot_info_add_reserved(struct boot_info *bi, u64 start, u64 end, const char **err);
bool boot_info_add_module(struct boot_info *bi, u64 start, u64 end, const char *cmdline,
			  const char **err);

#endif
