/* Multiboot2 boot information (Multiboot2 Specification 2.0, 3.6 "Boot
 * information format"), from GRUB on a BIOS or a UEFI PC. */
#include <bulkhead/boot_info.h>
#include <bulkhead/string.h>

#define MB2_TAG_END      0
#define MB2_TAG_CMDLINE  1
#define MB2_TAG_MODULE   3
#define MB2_TAG_MMAP     6
#define MB2_TAG_FB       8
#define MB2_TAG_EFI32    11 /* EFI system table pointers */
#define MB2_TAG_EFI64    12
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15
#define MB2_TAG_EFI_MMAP 17
#define MB2_TAG_EFI_BS   18 /* "EFI boot services not terminated" */

#define RSDP_V1_LEN 20 /* ACPI 6.5 5.2.5.3 */
#define RSDP_V2_LEN 36
#define FB_COMMON_LEN 22 /* framebuffer tag: address to type, before the colour info */

#define MB2_MAX_INFO (1U << 20) /* far more than any loader writes */

struct mb2_tag {
	u32 type, size;
} __packed;

struct mb2_mmap_entry {
	u64 base, len;
	u32 type, reserved;
} __packed;

/* Tag payload as a NUL-terminated string that ends inside the tag, or NULL. */
static const char *tag_string(const u8 *payload, u32 len)
{
	if (len == 0 || len > BOOT_MAX_CMDLINE || strnlen((const char *)payload, len) == len)
		return NULL;
	return (const char *)payload;
}

static bool parse_mmap(const u8 *p, u32 len, struct boot_info *bi, const char **err)
{
	u32 esize, off;

	if (len < 8) {
		*err = "multiboot2: truncated memory map tag";
		return false;
	}
	memcpy(&esize, p, 4);
	if (esize < sizeof(struct mb2_mmap_entry) || esize % 8) {
		*err = "multiboot2: memory map entry size invalid";
		return false;
	}
	for (off = 8; len - off >= esize; off += esize) {
		struct mb2_mmap_entry e;

		memcpy(&e, p + off, sizeof(e));
		if (!boot_info_add_mem(bi, e.base, e.len, e.type, err))
			return false;
	}
	if (off != len) {
		*err = "multiboot2: memory map tag has a partial entry";
		return false;
	}
	return true;
}

static bool parse_module(const u8 *p, u32 len, struct boot_info *bi, const char **err)
{
	u32 start, end;
	const char *s;

	if (len < 9) {
		*err = "multiboot2: truncated module tag";
		return false;
	}
	memcpy(&start, p, 4);
	memcpy(&end, p + 4, 4);
	s = tag_string(p + 8, len - 8);
	if (!s) {
		*err = "multiboot2: module command line unterminated";
		return false;
	}
	return boot_info_add_module(bi, start, end, s, err);
}

/* Framebuffer info (3.6 "Framebuffer info"): recorded only; the display
 * is driven later. The common part must describe a non-empty surface whose
 * lines fit in the pitch and whose end does not wrap. */
static bool parse_fb(const u8 *p, u32 len, struct boot_info *bi, const char **err)
{
	struct boot_fb fb;
	u64 line;

	if (len < FB_COMMON_LEN) {
		*err = "multiboot2: truncated framebuffer tag";
		return false;
	}
	memcpy(&fb.addr, p, 8);
	memcpy(&fb.pitch, p + 8, 4);
	memcpy(&fb.width, p + 12, 4);
	memcpy(&fb.height, p + 16, 4);
	fb.bpp = p[20];
	fb.type = p[21];
	if (fb.type > BOOT_FB_EGA_TEXT) {
		*err = "multiboot2: framebuffer type unknown";
		return false;
	}
	line = fb.type == BOOT_FB_EGA_TEXT ? (u64)fb.width * 2 : ((u64)fb.width * fb.bpp + 7) / 8;
	if (!fb.width || !fb.height || !fb.bpp || line > fb.pitch ||
	    fb.addr + (u64)fb.pitch * fb.height < fb.addr) {
		*err = "multiboot2: framebuffer size invalid";
		return false;
	}
	bi->fb = fb;
	bi->has_fb = true;
	return true;
}

static bool parse_acpi(u32 type, const u8 *p, u32 len, struct boot_info *bi, const char **err)
{
	if (len < (type == MB2_TAG_ACPI_NEW ? RSDP_V2_LEN : RSDP_V1_LEN)) {
		*err = "multiboot2: ACPI tag too short for an RSDP";
		return false;
	}
	/* The new RSDP (XSDT) wins over the old one, in whichever order. */
	if (!bi->rsdp || type == MB2_TAG_ACPI_NEW) {
		bi->rsdp = p;
		bi->rsdp_len = len;
		bi->rsdp_from = type == MB2_TAG_ACPI_NEW ? "RSDPv2 tag" : "RSDPv1 tag";
	}
	return true;
}

/* What the tag walk keeps for after the end tag. */
struct mb2_walk {
	const u8 *efi_mmap; /* EFI memory map tag payload, or NULL */
	u32 efi_mmap_len;
};

static bool parse_efi_tag(const struct mb2_tag *t, const u8 *p, struct boot_info *bi,
			  struct mb2_walk *w, const char **err)
{
	u32 len = t->size - (u32)sizeof(*t);

	bi->efi = true;
	switch (t->type) {
	case MB2_TAG_EFI32:
	case MB2_TAG_EFI64:
		if (len < (t->type == MB2_TAG_EFI64 ? 8U : 4U)) {
			*err = "multiboot2: truncated EFI system table tag";
			return false;
		}
		return true;
	case MB2_TAG_EFI_MMAP:
		if (!efi_mmap_check(p, len, err))
			return false;
		w->efi_mmap = p;
		w->efi_mmap_len = len;
		return true;
	case MB2_TAG_EFI_BS:
		/* Only a kernel whose header asks to keep them gets this. */
		*err = "multiboot2: EFI boot services still running (tag 18); "
		       "the hypervisor must own the machine";
		return false;
	default:
		return true;
	}
}

static bool parse_tag(const struct mb2_tag *t, const u8 *p, struct boot_info *bi,
		      struct mb2_walk *w, const char **err)
{
	u32 len = t->size - (u32)sizeof(*t);

	switch (t->type) {
	case MB2_TAG_CMDLINE:
		bi->cmdline = tag_string(p, len);
		if (!bi->cmdline) {
			*err = "multiboot2: command line unterminated";
			return false;
		}
		return true;
	case MB2_TAG_MODULE:
		return parse_module(p, len, bi, err);
	case MB2_TAG_MMAP:
		bi->mmap_from = "memory map tag";
		return parse_mmap(p, len, bi, err);
	case MB2_TAG_FB:
		return parse_fb(p, len, bi, err);
	case MB2_TAG_ACPI_NEW:
	case MB2_TAG_ACPI_OLD:
		return parse_acpi(t->type, p, len, bi, err);
	case MB2_TAG_EFI32:
	case MB2_TAG_EFI64:
	case MB2_TAG_EFI_MMAP:
	case MB2_TAG_EFI_BS:
		return parse_efi_tag(t, p, bi, w, err);
	default:
		return true; /* tags we do not use */
	}
}

/* The plain memory map tag is the map; the EFI one stands in when the
 * loader gave no plain map or an empty one (the spec lets a loader on UEFI
 * omit it). */
static bool finish(const struct mb2_walk *w, struct boot_info *bi, const char **err)
{
	if (bi->nr_mem || !w->efi_mmap)
		return true;
	bi->mmap_from = "EFI memory map tag";
	return efi_mmap_add(w->efi_mmap, w->efi_mmap_len, bi, err);
}

bool mb2_parse(const struct phys_view *v, u64 info, struct boot_info *bi, const char **err)
{
	struct mb2_walk w = { NULL, 0 };
	const u8 *base;
	u32 total, off;

	bi->loader = "multiboot2";
	if ((info & 7) || !(base = phys_view_ptr(v, info, 8))) {
		*err = "multiboot2: info block misaligned or outside memory";
		return false;
	}
	memcpy(&total, base, 4);
	if (total < 16 || total > MB2_MAX_INFO || !phys_view_ptr(v, info, total)) {
		*err = "multiboot2: info block size invalid or outside memory";
		return false;
	}
	if (!boot_info_add_reserved(bi, info, info + total, err))
		return false;
	for (off = 8; off <= total - sizeof(struct mb2_tag);) {
		struct mb2_tag t;

		memcpy(&t, base + off, sizeof(t));
		if (t.size < sizeof(t) || t.size > total - off) {
			*err = "multiboot2: tag size runs past the info block";
			return false;
		}
		if (t.type == MB2_TAG_END)
			return finish(&w, bi, err);
		if (!parse_tag(&t, base + off + sizeof(t), bi, &w, err))
			return false;
		off += ALIGN_UP(t.size, 8U);
	}
	*err = "multiboot2: info block has no end tag";
	return false;
}
