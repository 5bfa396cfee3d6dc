/* Multiboot1 information reader (Multiboot 0.6.96 section 3.3): command
 * line (flags bit 2), modules (bit 3), memory map (bit 6; basic memory
 * bit 0 as a fallback). The info block is below 1 MiB, identity mapped. */
#include "guest.h"

#define MBI_MEM      (1U << 0)
#define MBI_CMDLINE  (1U << 2)
#define MBI_MODS     (1U << 3)
#define MBI_MMAP     (1U << 6)

struct mb_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
} __attribute__((packed));

struct mb_mmap_entry {
	u32 size;
	u64 base, len;
	u32 type;
} __attribute__((packed));

struct mb_mod_entry {
	u32 mod_start, mod_end, cmdline, pad;
} __attribute__((packed));

struct mb_region mb_regions[MB_MAX_REGIONS];
struct mb_module mb_modules[MB_MAX_MODULES];
u32 mb_info_addr;
unsigned mb_nr_regions;
const char *mb_cmdline = "";
u32 mb_mods_count;

static void add_region(u64 base, u64 len, u32 type)
{
	if (mb_nr_regions < MB_MAX_REGIONS)
		mb_regions[mb_nr_regions++] = (struct mb_region){ base, len, type };
}

void mb_parse(u32 info)
{
	const struct mb_info *mbi = (const struct mb_info *)(uintptr_t)info;
	if (!info)
		return;
	if ((mbi->flags & MBI_CMDLINE) && mbi->cmdline)
		mb_cmdline = (const char *)(uintptr_t)mbi->cmdline;
	mb_info_addr = info;
	if (mbi->flags & MBI_MODS) {
		const struct mb_mod_entry *m = (const void *)(uintptr_t)mbi->mods_addr;
		mb_mods_count = mbi->mods_count;
		for (u32 i = 0; i < mb_mods_count && i < MB_MAX_MODULES; i++) {
			mb_modules[i].start = m[i].mod_start;
			mb_modules[i].end = m[i].mod_end;
			mb_modules[i].cmdline = m[i].cmdline ?
				(const char *)(uintptr_t)m[i].cmdline : "";
		}
	}
	if (mbi->flags & MBI_MMAP) {
		u64 p = mbi->mmap_addr, end = p + mbi->mmap_length;
		while (p + sizeof(struct mb_mmap_entry) <= end) {
			const struct mb_mmap_entry *e = (const void *)(uintptr_t)p;
			add_region(e->base, e->len, e->type);
			p += e->size + 4;       /* size excludes itself */
		}
	} else if (mbi->flags & MBI_MEM) {
		add_region(0, (u64)mbi->mem_lower << 10, 1);
		add_region(0x100000, (u64)mbi->mem_upper << 10, 1);
	}
}

u64 mb_ram_end(void)
{
	u64 end = 0;
	for (unsigned i = 0; i < mb_nr_regions; i++)
		if (mb_regions[i].type == 1 && mb_regions[i].base + mb_regions[i].len > end)
			end = mb_regions[i].base + mb_regions[i].len;
	return end;
}

/* Words are separated by spaces; "key=value" words match key. */
const char *cmdline_get(const char *key)
{
	size_t klen = strlen(key);
	const char *p = mb_cmdline;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, key, klen) && p[klen] == '=')
			return p + klen + 1;
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

bool cmdline_has(const char *word)
{
	size_t len = strlen(word);
	const char *p = mb_cmdline;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, word, len) && (p[len] == ' ' || p[len] == '\0'))
			return true;
		while (*p && *p != ' ')
			p++;
	}
	return false;
}

/* decimal, or hex with 0x */
u64 cmdline_get_u64(const char *key, u64 dflt)
{
	const char *v = cmdline_get(key);
	u64 n = 0;
	unsigned base = 10;
	if (!v || *v == ' ' || !*v)
		return dflt;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		v += 2;
	}
	for (; *v && *v != ' '; v++) {
		unsigned d;
		if (*v >= '0' && *v <= '9')
			d = (unsigned)(*v - '0');
		else if (base == 16 && (*v | 0x20) >= 'a' && (*v | 0x20) <= 'f')
			d = (unsigned)((*v | 0x20) - 'a' + 10);
		else
			return dflt;
		n = n * base + d;
	}
	return n;
}
