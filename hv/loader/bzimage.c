/* The bzImage setup header and where its pieces go in guest RAM (Linux
 * Documentation/arch/x86/boot.rst, protocol 2.15: "The Real-Mode Kernel
 * Header", "Loading The Rest of The Kernel", "64-bit Boot Protocol"). The
 * image is hostile: every field is checked against the file length and the
 * guest's RAM before anything is derived from it. */
#include <bulkhead/acpi_tables.h>
#include <bulkhead/linux_boot.h>
#include <bulkhead/string.h>

#define BOOT_FLAG 0xaa55U
#define HDRS_MAGIC 0x53726448U /* "HdrS" */
#define SECTOR 512U
#define DEFAULT_SETUP_SECTS 4U /* "If this field is 0, the real value is 4." */
#define ENTRY_64_OFFSET 0x200U /* boot.rst "64-bit Boot Protocol" */

static u64 rd(const u8 *p, unsigned size)
{
	u64 v = 0;

	memcpy(&v, p, size);
	return v;
}

static bool is_pow2(u64 v)
{
	return v && !(v & (v - 1));
}

static bool parse_layout(const u8 *img, u64 len, struct bzimage *bz, const char **err)
{
	/* "the end of setup header can be calculated as follows: 0x0202 +
	 * byte value at offset 0x0201" (the short jump over the header) */
	bz->hdr_end = HDR_MAGIC + img[HDR_JUMP + 1];
	if (img[HDR_JUMP] != 0xeb || bz->hdr_end < HDR_MIN_END || bz->hdr_end > BP_HDR_MAX_END) {
		*err = "bzImage setup header has an impossible length";
		return false;
	}
	bz->setup_sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : DEFAULT_SETUP_SECTS;
	bz->kernel_off = ((u64)bz->setup_sects + 1) * SECTOR;
	bz->kernel_len = rd(img + HDR_SYSSIZE, 4) * 16;
	if (bz->kernel_off < bz->hdr_end || bz->kernel_off >= len) {
		*err = "bzImage setup code runs past the end of the file";
		return false;
	}
	/* A signed image carries its signature after syssize * 16 bytes. */
	if (bz->kernel_len == 0 || bz->kernel_len > len - bz->kernel_off) {
		*err = "bzImage protected-mode kernel (syssize) runs past the end of the file";
		return false;
	}
	return true;
}

static bool parse_fields(const u8 *img, struct bzimage *bz, const char **err)
{
	bz->loadflags = img[HDR_LOADFLAGS];
	bz->xloadflags = (u16)rd(img + HDR_XLOADFLAGS, 2);
	bz->relocatable = img[HDR_RELOCATABLE] != 0;
	bz->min_alignment = img[HDR_MIN_ALIGNMENT];
	bz->kernel_alignment = (u32)rd(img + HDR_KERNEL_ALIGN, 4);
	bz->init_size = (u32)rd(img + HDR_INIT_SIZE, 4);
	bz->cmdline_size = (u32)rd(img + HDR_CMDLINE_SIZE, 4);
	bz->initrd_addr_max = (u32)rd(img + HDR_INITRD_ADDR_MAX, 4);
	bz->pref_address = rd(img + HDR_PREF_ADDRESS, 8);
	if (!(bz->loadflags & LOADED_HIGH)) {
		*err = "kernel is a zImage (loads below 1 MiB), not a bzImage";
		return false;
	}
	if (!(bz->xloadflags & XLF_KERNEL_64)) {
		*err = "kernel has no 64-bit entry point (XLF_KERNEL_64 clear): not an x86-64 kernel";
		return false;
	}
	if (!is_pow2(bz->kernel_alignment) || bz->kernel_alignment < PAGE_SIZE ||
	    bz->kernel_alignment > GiB(1) || bz->min_alignment > 30 ||
	    (1U << bz->min_alignment) > bz->kernel_alignment) {
		*err = "bzImage kernel_alignment/min_alignment are not sane powers of two";
		return false;
	}
	if (bz->init_size == 0) {
		*err = "bzImage init_size is 0";
		return false;
	}
	return true;
}

bool bzimage_parse(const u8 *img, u64 len, struct bzimage *bz, const char **err)
{
	memset(bz, 0, sizeof(*bz));
	if (!img || len < HDR_MIN_END) {
		*err = "file too short to be a bzImage";
		return false;
	}
	if (rd(img + HDR_BOOT_FLAG, 2) != BOOT_FLAG) {
		*err = "no 0xAA55 boot flag at 0x1fe: not a bzImage";
		return false;
	}
	if (rd(img + HDR_MAGIC, 4) != HDRS_MAGIC) {
		*err = "no \"HdrS\" setup header at 0x202: not a bzImage";
		return false;
	}
	bz->version = (u16)rd(img + HDR_VERSION, 2);
	if (bz->version < LINUX_BOOT_PROTOCOL_MIN) {
		*err = "kernel boot protocol is older than 2.12 (Linux 3.8): no 64-bit entry to use";
		return false;
	}
	return parse_layout(img, len, bz, err) && parse_fields(img, bz, err);
}

/* boot.rst, init_size: the kernel runs at max(align_up(load address,
 * kernel_alignment), pref_address) if relocatable, else at pref_address;
 * so load where it runs, and own [gpa, gpa + max(init_size, file bytes)). */
static bool kernel_fits(const struct bzimage *bz, u64 gpa, u64 ram_size, u64 *end)
{
	u64 span = MAX((u64)bz->init_size, bz->kernel_len);

	if (gpa < LINUX_HIGH_RAM || gpa > ram_size || span > ram_size - gpa)
		return false;
	*end = gpa + span;
	return true;
}

static bool place_kernel(const struct bzimage *bz, u64 ram_size, struct linux_load_plan *pl,
			 const char **err)
{
	u64 pref = bz->pref_address, gpa;

	if ((!bz->relocatable || IS_ALIGNED(pref, (u64)bz->kernel_alignment)) &&
	    kernel_fits(bz, pref, ram_size, &pl->kernel_end)) {
		pl->kernel_gpa = pref;
		pl->at_pref_address = true;
		return true;
	}
	if (!bz->relocatable) {
		*err = "guest RAM has no room for the non-relocatable kernel at its pref_address";
		return false;
	}
	if (pref > GiB(4)) {
		*err = "bzImage pref_address is above 4 GiB";
		return false;
	}
	gpa = ALIGN_UP(MAX(pref, LINUX_KERNEL_MIN), (u64)bz->kernel_alignment);
	if (!kernel_fits(bz, gpa, ram_size, &pl->kernel_end)) {
		*err = "guest RAM too small for the kernel's init_size";
		return false;
	}
	pl->kernel_gpa = gpa;
	pl->at_pref_address = false;
	return true;
}

/* boot.rst, initrd_addr_max: "the maximum address that may be occupied by
 * the initial ramdisk contents"; as high as possible, as LILO/GRUB do. */
static bool place_initrd(const struct bzimage *bz, const struct linux_load_request *req,
			 struct linux_load_plan *pl, const char **err)
{
	u64 limit = req->ram_size;

	pl->initrd_len = req->initrd_len;
	if (req->initrd_len == 0)
		return true;
	if (!(bz->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G))
		limit = MIN(limit, (u64)bz->initrd_addr_max + 1);
	if (req->initrd_len > limit ||
	    ALIGN_DOWN(limit - req->initrd_len, PAGE_SIZE) < pl->kernel_end) {
		*err = "guest RAM too small for the kernel and its initrd";
		return false;
	}
	pl->initrd_gpa = ALIGN_DOWN(limit - req->initrd_len, PAGE_SIZE);
	return true;
}

bool linux_plan_load(const struct bzimage *bz, const struct linux_load_request *req,
		     struct linux_load_plan *pl, const char **err)
{
	memset(pl, 0, sizeof(*pl));
	if (req->ram_size < LINUX_HIGH_RAM || req->ram_size > ACPI_PCI_MEM32_BASE ||
	    !IS_ALIGNED(req->ram_size, PAGE_SIZE)) {
		*err = "guest RAM must be whole pages between 1 MiB and the PCI hole at 3 GiB";
		return false;
	}
	if (req->cmdline_len > bz->cmdline_size || req->cmdline_len >= LINUX_CMDLINE_MAX) {
		*err = "kernel command line is longer than the kernel's cmdline_size";
		return false;
	}
	pl->ram_size = req->ram_size;
	pl->kernel_off = bz->kernel_off;
	pl->kernel_len = bz->kernel_len;
	if (!place_kernel(bz, req->ram_size, pl, err) || !place_initrd(bz, req, pl, err))
		return false;
	pl->entry_gpa = pl->kernel_gpa + ENTRY_64_OFFSET;
	pl->zero_page_gpa = LINUX_ZERO_PAGE_GPA;
	pl->cmdline_gpa = LINUX_CMDLINE_GPA;
	pl->cmdline_len = req->cmdline_len;
	pl->rsdp_gpa = req->rsdp_gpa;
	pl->scratch_gpa = LINUX_SCRATCH_GPA;
	pl->scratch_len = LINUX_SCRATCH_END - LINUX_SCRATCH_GPA;
	return true;
}
