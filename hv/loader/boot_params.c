/* The zero page (struct boot_params) a 64-bit Linux entry expects in %rsi
 * (Documentation/arch/x86/boot.rst, protocol 2.15, "64-bit Boot Protocol"
 * and "Details of Header Fields"; layout from
 * arch/x86/include/uapi/asm/bootparam.h). */
#include <bulkhead/linux_boot.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/string.h>

#define LOADER_UNDEFINED 0xffU  /* type_of_loader: "no assigned ID" */
#define HEAP_END_PTR 0xde00U    /* boot.rst: heap_end (0xe000) - 0x200 */
#define PROTOCOL_RSDP 0x020eU   /* acpi_rsdp_addr read from 2.14 on */

static void wr(u8 *bp, u32 off, u64 v, unsigned size)
{
	memcpy(bp + off, &v, size);
}

static unsigned e820_add(u8 *bp, unsigned n, u64 addr, u64 size, u32 type)
{
	u8 *e = bp + BP_E820_TABLE + n * BP_E820_ENTRY_SIZE;

	wr(e, 0, addr, 8);
	wr(e, 8, size, 8);
	wr(e, 16, type, 4);
	return n + 1;
}

/* Conventional memory, then the BIOS area as reserved: the RSDP must stay
 * where a scan of 0xE0000-0xFFFFF finds it, and the FACS next to it must
 * not be reported as usable RAM (ACPI 6.5 5.2.10); nor may it be "ACPI
 * reclaimable", which an OS may reuse after reading the tables. A
 * framebuffer is reserved: the kernel must not hand its pages out. Last
 * the PCI ECAM area as reserved, the firmware's promise that Linux checks
 * before it uses the MCFG's area (arch/x86/pci/mmconfig-shared.c). */
static void e820_fill(u8 *bp, const struct linux_load_plan *pl)
{
	unsigned n = 0;

	n = e820_add(bp, n, 0, LINUX_LOW_RAM_END, E820_RAM);
	n = e820_add(bp, n, LINUX_LOW_RAM_END, LINUX_HIGH_RAM - LINUX_LOW_RAM_END, E820_RESERVED);
	n = e820_add(bp, n, LINUX_HIGH_RAM, pl->ram_size - LINUX_HIGH_RAM, E820_RAM);
	if (pl->fb.size)
		n = e820_add(bp, n, pl->fb.gpa, pl->fb.size, E820_RESERVED);
	n = e820_add(bp, n, PC_PCI_ECAM_BASE, PC_PCI_ECAM_SIZE, E820_RESERVED);
	bp[BP_E820_ENTRIES] = (u8)n;
}

/* The framebuffer as firmware's GOP would leave it (efifb, through sysfb:
 * Documentation/fb/efifb.rst): 32 bpp, x8r8g8b8, no PCI device behind it. */
static void screen_info_fill(u8 *bp, const struct linux_load_plan *pl)
{
	static const u8 masks[8] = { 8, 16, 8, 8, 8, 0, 8, 24 }; /* size, pos: R G B x */

	if (!pl->fb.size)
		return;
	bp[SI_ORIG_VIDEO_ISVGA] = VIDEO_TYPE_EFI;
	wr(bp, SI_LFB_WIDTH, pl->fb.width, 2);
	wr(bp, SI_LFB_HEIGHT, pl->fb.height, 2);
	wr(bp, SI_LFB_DEPTH, 32, 2);
	wr(bp, SI_LFB_BASE, pl->fb.gpa, 4);
	wr(bp, SI_EXT_LFB_BASE, pl->fb.gpa >> 32, 4);
	if (pl->fb.gpa >> 32)
		wr(bp, SI_CAPABILITIES, VIDEO_CAPABILITY_64BIT_BASE, 4);
	wr(bp, SI_LFB_SIZE, pl->fb.size, 4);
	wr(bp, SI_LFB_LINELENGTH, (u64)pl->fb.width * 4, 2);
	memcpy(bp + SI_RED_SIZE, masks, sizeof(masks));
}

static bool fb_sane(const struct linux_load_plan *pl)
{
	u64 line = (u64)pl->fb.width * 4;

	if (!pl->fb.size)
		return true;
	/* above all RAM the plan uses, big enough, fields that fit */
	return pl->fb.gpa >= pl->ram_size && pl->fb.gpa + pl->fb.size > pl->fb.gpa &&
	       pl->fb.width && pl->fb.height && line <= 0xffff && pl->fb.height <= 0xffff &&
	       line * pl->fb.height <= pl->fb.size && pl->fb.size <= 0xffffffffU;
}

static bool plan_sane(const struct linux_load_plan *pl)
{
	return pl->ram_size >= LINUX_HIGH_RAM && pl->cmdline_gpa < GiB(4) &&
	       pl->initrd_gpa + pl->initrd_len >= pl->initrd_gpa &&
	       pl->initrd_gpa + pl->initrd_len <= pl->ram_size && fb_sane(pl);
}

bool boot_params_build(u8 *bp, const u8 *img, u64 img_len, const struct bzimage *bz,
		       const struct linux_load_plan *pl, const char **err)
{
	u8 loadflags;

	if (bz->hdr_end < HDR_MIN_END || bz->hdr_end > BP_HDR_MAX_END || img_len < bz->hdr_end) {
		*err = "boot_params: setup header does not match the image";
		return false;
	}
	if (!plan_sane(pl)) {
		*err = "boot_params: load plan is inconsistent";
		return false;
	}
	/* "the setup header should be loaded from offset 0x01f1 of kernel
	 * image on into struct boot_params"; everything else starts zeroed,
	 * including the sentinel at 0x1ef. */
	memset(bp, 0, BP_SIZE);
	memcpy(bp + BP_HDR, img + BP_HDR, bz->hdr_end - BP_HDR);

	bp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	/* keep LOADED_HIGH; early messages wanted; no real-mode setup code
	 * runs on the 64-bit path, so the heap is nominal */
	loadflags = bp[HDR_LOADFLAGS];
	loadflags &= (u8)~(QUIET_FLAG | KEEP_SEGMENTS);
	loadflags |= CAN_USE_HEAP;
	bp[HDR_LOADFLAGS] = loadflags;
	wr(bp, HDR_HEAP_END_PTR, HEAP_END_PTR, 2);

	wr(bp, HDR_CMD_LINE_PTR, pl->cmdline_gpa, 4);
	wr(bp, BP_EXT_CMD_LINE_PTR, pl->cmdline_gpa >> 32, 4);
	wr(bp, HDR_RAMDISK_IMAGE, pl->initrd_len ? pl->initrd_gpa : 0, 4);
	wr(bp, BP_EXT_RAMDISK_IMG, pl->initrd_len ? pl->initrd_gpa >> 32 : 0, 4);
	wr(bp, HDR_RAMDISK_SIZE, pl->initrd_len, 4);
	wr(bp, BP_EXT_RAMDISK_SIZE, pl->initrd_len >> 32, 4);
	if (bz->version >= PROTOCOL_RSDP)
		wr(bp, BP_ACPI_RSDP_ADDR, pl->rsdp_gpa, 8);
	e820_fill(bp, pl);
	screen_info_fill(bp, pl);
	return true;
}
