/* Multiboot 1 information block (Multiboot Specification 0.6.96, 3.3). */
#include <bulkhead/boot_info.h>
#include <bulkhead/string.h>

#define MB1_INFO_MEM     (1U << 0)
#define MB1_INFO_CMDLINE (1U << 2)
#define MB1_INFO_MODS    (1U << 3)
#define MB1_INFO_MMAP    (1U << 6)

struct mb1_info {
	u32 flags;
	u32 mem_lower, mem_upper;
	u32 boot_device;
	u32 cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
} __packed;

struct mb1_module {
	u32 mod_start, mod_end, string, reserved;
} __packed;

struct mb1_mmap_entry {
	u32 size; /* of the rest of the entry, not counting this field */
	u64 base, len;
	u32 type;
} __packed;

#define MB1_MAX_MMAP_BYTES (BOOT_MAX_MEM * 64U)

static bool reserve_str(struct boot_info *bi, u64 pa, const char *s, const char **err)
{
	return boot_info_add_reserved(bi, pa, pa + strlen(s) + 1, err);
}

static bool parse_mmap(const struct phys_view *v, const struct mb1_info *mi,
		       struct boot_info *bi, const char **err)
{
	const u8 *map;
	u32 off = 0;

	if (mi->mmap_length > MB1_MAX_MMAP_BYTES) {
		*err = "multiboot1: memory map too long";
		return false;
	}
	map = phys_view_ptr(v, mi->mmap_addr, mi->mmap_length);
	if (!map || mi->mmap_length == 0) {
		*err = "multiboot1: memory map outside memory or empty";
		return false;
	}
	if (!boot_info_add_reserved(bi, mi->mmap_addr, (u64)mi->mmap_addr + mi->mmap_length, err))
		return false;
	while (off < mi->mmap_length) {
		struct mb1_mmap_entry e;

		if (mi->mmap_length - off < sizeof(e)) {
			*err = "multiboot1: truncated memory map entry";
			return false;
		}
		memcpy(&e, map + off, sizeof(e));
		if (e.size < sizeof(e) - 4 || e.size > mi->mmap_length - off - 4) {
			*err = "multiboot1: memory map entry with a bad size";
			return false;
		}
		if (!boot_info_add_mem(bi, e.base, e.len, e.type, err))
			return false;
		off += e.size + 4;
	}
	return true;
}

static bool parse_modules(const struct phys_view *v, const struct mb1_info *mi,
			  struct boot_info *bi, const char **err)
{
	const struct mb1_module *mods;
	u64 bytes = (u64)mi->mods_count * sizeof(*mods);

	if (mi->mods_count == 0)
		return true;
	if (mi->mods_count > BOOT_MAX_MODULES) {
		*err = "multiboot1: too many modules";
		return false;
	}
	mods = phys_view_ptr(v, mi->mods_addr, bytes);
	if (!mods) {
		*err = "multiboot1: module list outside memory";
		return false;
	}
	if (!boot_info_add_reserved(bi, mi->mods_addr, mi->mods_addr + bytes, err))
		return false;
	for (u32 i = 0; i < mi->mods_count; i++) {
		struct mb1_module m;
		const char *s = "";

		memcpy(&m, &mods[i], sizeof(m));
		if (m.string) {
			s = phys_view_str(v, m.string, BOOT_MAX_CMDLINE);
			if (!s) {
				*err = "multiboot1: module command line unterminated or outside memory";
				return false;
			}
			if (!reserve_str(bi, m.string, s, err))
				return false;
		}
		if (!boot_info_add_module(bi, m.mod_start, m.mod_end, s, err))
			return false;
	}
	return true;
}

bool mb1_parse(const struct phys_view *v, u64 info, struct boot_info *bi, const char **err)
{
	const struct mb1_info *p = phys_view_ptr(v, info, sizeof(struct mb1_info));
	struct mb1_info mi;

	bi->loader = "multiboot1";
	bi->mmap_from = "multiboot1 memory map";
	if (!p) {
		*err = "multiboot1: info block outside memory";
		return false;
	}
	memcpy(&mi, p, sizeof(mi));
	if (!boot_info_add_reserved(bi, info, info + sizeof(mi), err))
		return false;
	if (mi.flags & MB1_INFO_CMDLINE) {
		bi->cmdline = phys_view_str(v, mi.cmdline, BOOT_MAX_CMDLINE);
		if (!bi->cmdline) {
			*err = "multiboot1: command line unterminated or outside memory";
			return false;
		}
		if (!reserve_str(bi, mi.cmdline, bi->cmdline, err))
			return false;
	}
	if (!(mi.flags & MB1_INFO_MMAP)) {
		*err = "multiboot1: loader gave no memory map (flag 6)";
		return false;
	}
	if (!parse_mmap(v, &mi, bi, err))
		return false;
	if (mi.flags & MB1_INFO_MODS)
		return parse_modules(v, &mi, bi, err);
	return true;
}
