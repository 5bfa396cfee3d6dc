/* Loader-independent checks on what the boot loader handed us. */
#include <bulkhead/boot_info.h>
#include <bulkhead/string.h>

static bool overlaps(u64 a0, u64 a1, u64 b0, u64 b1)
{
	return a0 < b1 && b0 < a1;
}

bool boot_info_add_mem(struct boot_info *bi, u64 start, u64 len, u32 type, const char **err)
{
	if (len == 0)
		return true; /* empty entries occur in real firmware maps */
	if (start + len < start) {
		*err = "memory map entry wraps around the address space";
		return false;
	}
	if (bi->nr_mem == BOOT_MAX_MEM) {
		*err = "memory map has too many entries";
		return false;
	}
	if (type < MEM_USABLE || type > MEM_BAD)
		type = MEM_RESERVED; /* unknown types are reserved (ACPI 6.5 15.1) */
	bi->mem[bi->nr_mem++] = (struct mem_range){ start, start + len, type };
	return true;
}

bool boot_info_add_reserved(struct boot_info *bi, u64 start, u64 end, const char **err)
{
	if (end <= start) {
		*err = "empty or inverted loader data range";
		return false;
	}
	if (bi->nr_reserved == BOOT_MAX_RESERVED) {
		*err = "too many loader data ranges";
		return false;
	}
	bi->reserved[bi->nr_reserved++] = (struct mem_range){ start, end, MEM_RESERVED };
	return true;
}

bool boot_info_add_module(struct boot_info *bi, u64 start, u64 end, const char *cmdline,
			  const char **err)
{
	if (bi->nr_mods == BOOT_MAX_MODULES) {
		*err = "too many boot modules";
		return false;
	}
	if (end <= start) {
		*err = "boot module with end before start";
		return false;
	}
	bi->mods[bi->nr_mods++] = (struct boot_module){ start, end, cmdline ? cmdline : "" };
	return true;
}

/* Is [start, end) wholly inside usable RAM, as the memory map says? */
static bool in_usable_ram(const struct boot_info *bi, u64 start, u64 end)
{
	u64 pos = start;
	bool progress = true;

	/* Entries may be unsorted and adjacent: advance through them. */
	while (pos < end && progress) {
		progress = false;
		for (unsigned i = 0; i < bi->nr_mem; i++) {
			const struct mem_range *m = &bi->mem[i];
			if (m->type == MEM_USABLE && m->start <= pos && pos < m->end) {
				pos = m->end;
				progress = true;
			}
		}
	}
	return pos >= end;
}

static bool check_modules(const struct boot_info *bi, u64 img0, u64 img1, const char **err)
{
	for (unsigned i = 0; i < bi->nr_mods; i++) {
		const struct boot_module *m = &bi->mods[i];

		if (overlaps(m->start, m->end, img0, img1)) {
			*err = "boot module overlaps the hypervisor image";
			return false;
		}
		if (!in_usable_ram(bi, m->start, m->end)) {
			*err = "boot module lies outside usable RAM";
			return false;
		}
		for (unsigned j = 0; j < i; j++) {
			if (overlaps(m->start, m->end, bi->mods[j].start, bi->mods[j].end)) {
				*err = "boot modules overlap each other";
				return false;
			}
		}
		for (unsigned j = 0; j < bi->nr_reserved; j++) {
			const struct mem_range *r = &bi->reserved[j];
			if (overlaps(m->start, m->end, r->start, r->end)) {
				*err = "boot module overlaps the loader's info data";
				return false;
			}
		}
	}
	return true;
}

bool boot_info_parse(const struct phys_view *v, u32 magic, u64 info, u64 image_start,
		     u64 image_end, struct boot_info *bi, const char **err)
{
	bool ok;

	memset(bi, 0, sizeof(*bi));
	if (magic == MB1_BOOT_MAGIC)
		ok = mb1_parse(v, info, bi, err);
	else if (magic == MB2_BOOT_MAGIC)
		ok = mb2_parse(v, info, bi, err);
	else {
		*err = "not started by a Multiboot loader (bad magic in EAX)";
		return false;
	}
	if (!ok)
		return false;
	if (!bi->cmdline)
		bi->cmdline = "";
	if (bi->nr_mem == 0) {
		*err = "boot loader gave no memory map";
		return false;
	}
	if (!in_usable_ram(bi, image_start, image_end)) {
		*err = "hypervisor image is not in usable RAM";
		return false;
	}
	for (unsigned j = 0; j < bi->nr_reserved; j++) {
		if (overlaps(bi->reserved[j].start, bi->reserved[j].end, image_start, image_end)) {
			*err = "boot loader data overlaps the hypervisor image";
			return false;
		}
	}
	return check_modules(bi, image_start, image_end, err);
}
