/* Multiboot2 boot information (Multiboot2 Specification 1.6, 3.6). */
#include <bulkhead/boot_info.h>
#include <bulkhead/string.h>

#define MB2_TAG_END      0
#define MB2_TAG_CMDLINE  1
#define MB2_TAG_MODULE   3
#define MB2_TAG_MMAP     6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15

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

static bool parse_tag(const struct mb2_tag *t, const u8 *p, struct boot_info *bi,
		      const char **err)
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
		return parse_mmap(p, len, bi, err);
	case MB2_TAG_ACPI_NEW:
	case MB2_TAG_ACPI_OLD:
		if (!bi->rsdp || t->type == MB2_TAG_ACPI_NEW) {
			bi->rsdp = p;
			bi->rsdp_len = len;
		}
		return true;
	default:
		return true; /* tags we do not use */
	}
}

bool mb2_parse(const struct phys_view *v, u64 info, struct boot_info *bi, const char **err)
{
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
			return true;
		if (!parse_tag(&t, base + off + sizeof(t), bi, err))
			return false;
		off += ALIGN_UP(t.size, 8U);
	}
	*err = "multiboot2: info block has no end tag";
	return false;
}
