/* hv/boot: Multiboot 1 and 2 info parsing, good and malformed. */
#include <stdio.h>
#include "unit.h"
#include "mbinfo_builder.h"

#define IMG_START 0x200000ULL
#define IMG_END   0x230000ULL
#define INFO      0x2000ULL
#define MMAP      0x3000ULL
#define MODS      0x4000ULL
#define STRS      0x5000ULL

static struct fake_mem mem;
static struct boot_info bi;
static const char *err;

static void mb1_mmap_entry(unsigned i, u64 base, u64 len, u32 type)
{
	u64 e = MMAP + 24ULL * i;

	fake_put32(&mem, e, 20);
	fake_put64(&mem, e + 4, base);
	fake_put64(&mem, e + 12, len);
	fake_put32(&mem, e + 20, type);
}

/* A good MB1 block: cmdline, 3-entry map, two modules. */
static int mb1_setup(void **state)
{
	(void)state;
	fake_init(&mem);
	fake_put32(&mem, INFO, (1U << 2) | (1U << 3) | (1U << 6)); /* flags */
	fake_put32(&mem, INFO + 16, STRS);                          /* cmdline */
	fake_put(&mem, STRS, "bulkhead.elf selftest", 22);
	fake_put32(&mem, INFO + 20, 2);                             /* mods_count */
	fake_put32(&mem, INFO + 24, MODS);
	fake_put32(&mem, MODS, 0x400000);
	fake_put32(&mem, MODS + 4, 0x401234);
	fake_put32(&mem, MODS + 8, STRS + 0x100);
	fake_put(&mem, STRS + 0x100, "guest.elf mem=64", 17);
	fake_put32(&mem, MODS + 16, 0x500000);
	fake_put32(&mem, MODS + 20, 0x600000);
	fake_put32(&mem, MODS + 24, 0);                             /* no string */
	fake_put32(&mem, INFO + 44, 3 * 24);                        /* mmap_length */
	fake_put32(&mem, INFO + 48, MMAP);
	mb1_mmap_entry(0, 0, 0x9fc00, MEM_USABLE);
	mb1_mmap_entry(1, 0xf0000, 0x10000, MEM_RESERVED);
	mb1_mmap_entry(2, 0x100000, 0x3ff00000, MEM_USABLE);
	return 0;
}

static bool parse1(void)
{
	return boot_info_parse(&mem.view, MB1_BOOT_MAGIC, INFO, IMG_START, IMG_END, &bi, &err);
}

static void expect_fail(bool ok, const char *want)
{
	if (ok || !strstr(err, want))
		print_message("parse %s, error '%s', want '%s'\n", ok ? "succeeded" : "failed",
			      ok ? "" : err, want);
	assert_false(ok);
	assert_non_null(strstr(err, want));
}

static void test_mb1_good(void **state)
{
	(void)state;
	assert_true(parse1());
	assert_string_equal(bi.loader, "multiboot1");
	assert_string_equal(bi.cmdline, "bulkhead.elf selftest");
	assert_int_equal(bi.nr_mem, 3);
	assert_int_equal(bi.mem[2].start, 0x100000);
	assert_int_equal(bi.mem[2].end, 0x40000000);
	assert_int_equal(bi.nr_mods, 2);
	assert_string_equal(bi.mods[0].cmdline, "guest.elf mem=64");
	assert_int_equal(bi.mods[0].end, 0x401234);
	assert_string_equal(bi.mods[1].cmdline, "");
	/* info block, cmdline, mmap, module list, module string are reserved */
	assert_int_equal(bi.nr_reserved, 5);
	assert_false(bi.efi);
	assert_string_equal(bi.mmap_from, "multiboot1 memory map");
	assert_null(bi.rsdp_from);
}

static void test_mb1_bad_magic_and_info(void **state)
{
	(void)state;
	expect_fail(boot_info_parse(&mem.view, 0x12345678, INFO, IMG_START, IMG_END, &bi, &err), "magic");
	expect_fail(boot_info_parse(&mem.view, MB1_BOOT_MAGIC, FAKE_BASE + FAKE_SIZE - 8, IMG_START,
				    IMG_END, &bi, &err), "info block outside");
	expect_fail(boot_info_parse(&mem.view, MB1_BOOT_MAGIC, 0, IMG_START, IMG_END, &bi, &err), "outside");
}

static void test_mb1_no_mmap(void **state)
{
	(void)state;
	fake_put32(&mem, INFO, (1U << 2));
	expect_fail(parse1(), "no memory map");
}

static void test_mb1_bad_mmap(void **state)
{
	(void)state;
	fake_put32(&mem, INFO + 44, 3 * 24 - 4); /* last entry truncated */
	expect_fail(parse1(), "truncated memory map entry");
	mb1_setup(state);
	fake_put32(&mem, MMAP + 24, 8); /* entry size too small */
	expect_fail(parse1(), "bad size");
	mb1_setup(state);
	fake_put32(&mem, MMAP + 24, 0xfffffff0U); /* entry size past the map */
	expect_fail(parse1(), "bad size");
	mb1_setup(state);
	fake_put32(&mem, INFO + 48, FAKE_BASE + FAKE_SIZE - 16); /* map outside memory */
	expect_fail(parse1(), "memory map outside");
	mb1_setup(state);
	fake_put32(&mem, INFO + 44, 0x100000); /* absurd length */
	expect_fail(parse1(), "too long");
	mb1_setup(state);
	fake_put64(&mem, MMAP + 48 + 12, ~0ULL); /* base + len wraps */
	expect_fail(parse1(), "wraps");
}

static void test_mb1_bad_strings(void **state)
{
	(void)state;
	memset(mem.bytes + (FAKE_SIZE - 16), 'A', 16);
	fake_put32(&mem, INFO + 16, FAKE_BASE + FAKE_SIZE - 16); /* runs off the end */
	expect_fail(parse1(), "command line unterminated");
	mb1_setup(state);
	memset(mem.bytes + (FAKE_SIZE - 16), 'A', 16);
	fake_put32(&mem, MODS + 8, FAKE_BASE + FAKE_SIZE - 16);
	expect_fail(parse1(), "module command line");
}

static void test_mb1_bad_modules(void **state)
{
	(void)state;
	fake_put32(&mem, MODS, 0x210000); /* inside the image */
	expect_fail(parse1(), "overlaps the hypervisor image");
	mb1_setup(state);
	fake_put32(&mem, MODS + 16, 0x401000); /* overlaps module 0 */
	expect_fail(parse1(), "overlap each other");
	mb1_setup(state);
	fake_put32(&mem, MODS + 16, 0xf8000); /* in the reserved BIOS area */
	fake_put32(&mem, MODS + 20, 0xf9000);
	expect_fail(parse1(), "outside usable RAM");
	mb1_setup(state);
	fake_put32(&mem, MODS + 20, 0x4ff000); /* end before start */
	expect_fail(parse1(), "end before start");
	mb1_setup(state);
	fake_put32(&mem, MODS + 16, 0x2000); /* over the info block itself */
	fake_put32(&mem, MODS + 20, 0x3000);
	expect_fail(parse1(), "loader's info data");
	mb1_setup(state);
	fake_put32(&mem, INFO + 20, 17);
	expect_fail(parse1(), "too many modules");
	mb1_setup(state);
	fake_put32(&mem, INFO + 24, FAKE_BASE + FAKE_SIZE - 20); /* list runs off */
	expect_fail(parse1(), "module list outside");
}

static void test_mb1_image_outside_ram(void **state)
{
	(void)state;
	mb1_mmap_entry(2, 0x100000, 0x100000, MEM_USABLE); /* RAM ends at 2 MiB */
	expect_fail(parse1(), "image is not in usable RAM");
}

/* ---- Multiboot2 ---- */

static u64 tag_at;

static void mb2_tag(u32 type, const void *payload, u32 len)
{
	fake_put32(&mem, tag_at, type);
	fake_put32(&mem, tag_at + 4, 8 + len);
	if (len)
		fake_put(&mem, tag_at + 8, payload, len);
	tag_at += (8 + len + 7) & ~7ULL;
}

static void mb2_finish(void)
{
	mb2_tag(0, NULL, 0);
	fake_put32(&mem, INFO, (u32)(tag_at - INFO));
}

static void mb2_good_tags(void)
{
	u8 mmap[8 + 2 * 24] = { 0 };
	u8 mod[8 + 7] = { 0 };
	u8 rsdp[36] = "RSD PTR ";
	u32 v;

	fake_init(&mem);
	tag_at = INFO + 8;
	mb2_tag(1, "grub says hi", 13);
	v = 24;
	memcpy(mmap, &v, 4);
	u64 e[] = { 0x0, 0x9fc00, 1, 0x100000, 0x7ff00000, 1 };
	for (int i = 0; i < 2; i++) {
		memcpy(mmap + 8 + 24 * i, &e[3 * i], 8);
		memcpy(mmap + 16 + 24 * i, &e[3 * i + 1], 8);
		v = (u32)e[3 * i + 2];
		memcpy(mmap + 24 + 24 * i, &v, 4);
	}
	mb2_tag(6, mmap, sizeof(mmap));
	v = 0x800000;
	memcpy(mod, &v, 4);
	v = 0x900000;
	memcpy(mod + 4, &v, 4);
	memcpy(mod + 8, "vm.cfg", 7);
	mb2_tag(3, mod, sizeof(mod));
	mb2_tag(15, rsdp, sizeof(rsdp));
	mb2_tag(0x1234, "ignored", 7);
}

static bool parse2(void)
{
	bool ok = boot_info_parse(&mem.view, MB2_BOOT_MAGIC, INFO, IMG_START, IMG_END, &bi, &err);

	if (!ok)
		print_message("mb2 parse: %s\n", err);
	return ok;
}

static void test_mb2_good(void **state)
{
	(void)state;
	mb2_good_tags();
	mb2_finish();
	assert_true(parse2());
	assert_string_equal(bi.loader, "multiboot2");
	assert_string_equal(bi.cmdline, "grub says hi");
	assert_int_equal(bi.nr_mem, 2);
	assert_int_equal(bi.mem[1].end, 0x80000000);
	assert_int_equal(bi.nr_mods, 1);
	assert_int_equal(bi.mods[0].start, 0x800000);
	assert_string_equal(bi.mods[0].cmdline, "vm.cfg");
	assert_non_null(bi.rsdp);
	assert_int_equal(bi.rsdp_len, 36);
	assert_string_equal(bi.rsdp_from, "RSDPv2 tag");
	/* no EFI tags: a BIOS boot, the plain map, no framebuffer tag */
	assert_false(bi.efi);
	assert_string_equal(bi.mmap_from, "memory map tag");
	assert_false(bi.has_fb);
}

static void test_mb2_module_string_unterminated(void **state)
{
	(void)state;
	mb2_good_tags();
	mb2_finish();
	assert_true(parse2());
	assert_string_equal(bi.mods[0].cmdline, "vm.cfg");
	/* overwrite the module tag's string with no NUL inside the tag */
	u64 mod_tag = INFO + 8 + 24 + 64;
	assert_int_equal(*(u32 *)(mem.bytes + (mod_tag - FAKE_BASE)), 3);
	memset(mem.bytes + (mod_tag + 16 - FAKE_BASE), 'x', 7);
	expect_fail(parse2(), "module command line unterminated");
}

static void test_mb2_malformed(void **state)
{
	(void)state;
	mb2_good_tags();
	fake_put32(&mem, INFO, (u32)(tag_at - INFO)); /* no end tag */
	expect_fail(parse2(), "no end tag");

	mb2_good_tags();
	mb2_finish();
	fake_put32(&mem, INFO + 8 + 4, 0x10000); /* first tag too big */
	expect_fail(parse2(), "tag size runs past");

	mb2_good_tags();
	mb2_finish();
	fake_put32(&mem, INFO + 8 + 4, 4); /* tag smaller than its header */
	expect_fail(parse2(), "tag size runs past");

	mb2_good_tags();
	mb2_finish();
	assert_false(boot_info_parse(&mem.view, MB2_BOOT_MAGIC, INFO + 4, IMG_START, IMG_END, &bi, &err));
	assert_non_null(strstr(err, "misaligned"));

	mb2_good_tags();
	mb2_finish();
	fake_put32(&mem, INFO, 0x100000); /* total size past memory */
	expect_fail(parse2(), "size invalid");

	mb2_good_tags();
	mb2_finish();
	fake_put32(&mem, INFO + 8 + 24 + 8, 20); /* mmap entry size not a multiple of 8 */
	expect_fail(parse2(), "entry size invalid");

	fake_init(&mem);
	tag_at = INFO + 8;
	mb2_tag(1, "no map", 7);
	mb2_finish();
	expect_fail(parse2(), "no memory map");
}

/* ---- Multiboot2 from GRUB on UEFI ---- */

#define EFI_CONVENTIONAL 7U
#define EFI_SP           (1ULL << 18)
#define EFI_RUNTIME      (1ULL << 63)
#define DESC             48U /* OVMF's descriptor stride: larger than the 40-byte struct */

static u8 efi_map[8 + 256 * DESC];
static u32 efi_nr;

static void efi_map_start(u32 desc_size, u32 version)
{
	memset(efi_map, 0, sizeof(efi_map));
	memcpy(efi_map, &desc_size, 4);
	memcpy(efi_map + 4, &version, 4);
	efi_nr = 0;
}

static void efi_add(u32 type, u64 start, u64 pages, u64 attr)
{
	u32 size;

	memcpy(&size, efi_map, 4);
	efi_desc_put(efi_map + 8, efi_nr++, size, type, start, pages, attr);
}

static u32 efi_map_len(void)
{
	u32 size;

	memcpy(&size, efi_map, 4);
	return 8 + efi_nr * size;
}

/* A map like OVMF's: every UEFI memory type once, neighbours of one class
 * in a row, and attributes that override the type. */
static void efi_typical_map(void)
{
	efi_map_start(DESC, 1);
	efi_add(EFI_CONVENTIONAL, 0x0, 0xa0, 0);             /* 0: usable */
	efi_add(0 /* reserved */, 0xa0000, 0x60, 0);         /* 1: reserved */
	efi_add(2 /* loader data */, 0x100000, 0x100, 0);    /* 2: usable ... */
	efi_add(EFI_CONVENTIONAL, 0x200000, 0x3fe00, 0);     /*    merged */
	efi_add(4 /* BS data */, 0x40000000, 0x100, 0);      /*    merged */
	efi_add(3 /* BS code */, 0x40100000, 0x100, 0);      /*    merged to 0x40200000 */
	efi_add(6 /* RT data */, 0x40200000, 0x10, 0);       /* 3: reserved ... */
	efi_add(EFI_CONVENTIONAL, 0x40210000, 0x10, EFI_RUNTIME); /* merged: runtime */
	efi_add(9 /* ACPI reclaim */, 0x40220000, 0x10, 0);  /* 4 */
	efi_add(10 /* ACPI NVS */, 0x40230000, 0x10, 0);     /* 5 */
	efi_add(8 /* unusable */, 0x40240000, 0x10, 0);      /* 6: bad */
	efi_add(1 /* loader code */, 0x40250000, 0x10, 0);   /* 7: usable */
	efi_add(EFI_CONVENTIONAL, 0x40260000, 0x10, EFI_SP); /* 8: specific purpose */
	efi_add(14 /* persistent */, 0x40270000, 0x10, 0);   /*    merged */
	efi_add(11 /* MMIO */, 0xffc00000, 0x400, 1);        /* 9: reserved */
	efi_add(0x70000001 /* OEM */, 0x200000000, 0x10, 0); /* 10: reserved */
	efi_add(5 /* RT code */, 0x200010000, 0x10, EFI_RUNTIME); /* merged */
	efi_add(EFI_CONVENTIONAL, 0x200020000, 0, 0);        /* empty: skipped */
}

/* What GRUB's EFI build passes when the plain map is left out: command
 * line, modules, framebuffer, EFI system table, both RSDPs, EFI map. */
static void mb2_efi_tags(bool plain_mmap)
{
	u8 mod[8 + 7] = { 0 };
	u8 rsdp[36] = "RSD PTR ";
	u8 fb[24 + 6] = { 0 };
	u64 systab = 0x3f000000;
	u32 v;

	fake_init(&mem);
	tag_at = INFO + 8;
	mb2_tag(1, "efi boot", 9);
	v = 0x800000;
	memcpy(mod, &v, 4);
	v = 0x900000;
	memcpy(mod + 4, &v, 4);
	memcpy(mod + 8, "vm.cfg", 7);
	mb2_tag(3, mod, sizeof(mod));
	if (plain_mmap) {
		u8 mmap[8 + 24] = { 24 };
		u64 end = 0x40000000;

		memcpy(mmap + 16, &end, 8);
		mmap[24] = 1;
		mb2_tag(6, mmap, sizeof(mmap));
	}
	fb_payload_put(fb, 0xc0000000ULL, 4096, 1024, 768, 32, BOOT_FB_RGB);
	mb2_tag(8, fb, sizeof(fb));
	mb2_tag(12, &systab, 8);
	mb2_tag(14, rsdp, 20);
	mb2_tag(15, rsdp, 36);
	mb2_tag(17, efi_map, efi_map_len());
}

static void test_mb2_efi_good(void **state)
{
	static const struct mem_range want[] = {
		{ 0x0, 0xa0000, MEM_USABLE },
		{ 0xa0000, 0x100000, MEM_RESERVED },
		{ 0x100000, 0x40200000, MEM_USABLE },
		{ 0x40200000, 0x40220000, MEM_RESERVED },
		{ 0x40220000, 0x40230000, MEM_ACPI_RECLAIM },
		{ 0x40230000, 0x40240000, MEM_ACPI_NVS },
		{ 0x40240000, 0x40250000, MEM_BAD },
		{ 0x40250000, 0x40260000, MEM_USABLE },
		{ 0x40260000, 0x40280000, MEM_RESERVED },
		{ 0xffc00000, 0x100000000, MEM_RESERVED },
		{ 0x200000000, 0x200020000, MEM_RESERVED },
	};

	(void)state;
	efi_typical_map();
	mb2_efi_tags(false);
	mb2_finish();
	assert_true(parse2());
	assert_true(bi.efi);
	assert_string_equal(bi.cmdline, "efi boot");
	assert_string_equal(bi.mmap_from, "EFI memory map tag");
	assert_int_equal(bi.nr_mem, sizeof(want) / sizeof(want[0]));
	for (unsigned i = 0; i < bi.nr_mem; i++) {
		if (bi.mem[i].start != want[i].start || bi.mem[i].end != want[i].end ||
		    bi.mem[i].type != want[i].type)
			print_message("entry %u: %#llx-%#llx type %u\n", i,
				      (unsigned long long)bi.mem[i].start,
				      (unsigned long long)bi.mem[i].end, bi.mem[i].type);
		assert_int_equal(bi.mem[i].start, want[i].start);
		assert_int_equal(bi.mem[i].end, want[i].end);
		assert_int_equal(bi.mem[i].type, want[i].type);
	}
	assert_string_equal(bi.rsdp_from, "RSDPv2 tag");
	assert_int_equal(bi.rsdp_len, 36);
	assert_true(bi.has_fb);
	assert_int_equal(bi.fb.addr, 0xc0000000ULL);
	assert_int_equal(bi.fb.pitch, 4096);
	assert_int_equal(bi.fb.width, 1024);
	assert_int_equal(bi.fb.height, 768);
	assert_int_equal(bi.fb.bpp, 32);
	assert_int_equal(bi.fb.type, BOOT_FB_RGB);
	assert_int_equal(bi.nr_mods, 1);
}

/* GRUB 2.06 on UEFI passes both maps: the plain one is used, and the EFI
 * one is still checked. */
static void test_mb2_efi_plain_map_wins(void **state)
{
	(void)state;
	efi_typical_map();
	mb2_efi_tags(true);
	mb2_finish();
	assert_true(parse2());
	assert_true(bi.efi);
	assert_string_equal(bi.mmap_from, "memory map tag");
	assert_int_equal(bi.nr_mem, 1);
	assert_int_equal(bi.mem[0].end, 0x40000000);

	efi_map_start(DESC, 2);
	efi_add(EFI_CONVENTIONAL, 0, 0x40000, 0);
	mb2_efi_tags(true);
	mb2_finish();
	expect_fail(parse2(), "EFI memory descriptor version unknown");
}

/* An empty plain map is no map: the EFI one stands in. */
static void test_mb2_efi_empty_plain_map(void **state)
{
	u8 empty[8] = { 24 };

	(void)state;
	efi_map_start(DESC, 1);
	efi_add(EFI_CONVENTIONAL, 0, 0x40000, 0);
	mb2_efi_tags(false);
	mb2_tag(6, empty, sizeof(empty));
	mb2_finish();
	assert_true(parse2());
	assert_string_equal(bi.mmap_from, "EFI memory map tag");
	assert_int_equal(bi.nr_mem, 1);
	assert_int_equal(bi.mem[0].end, 0x40000000);
}

/* Adjacent descriptors of one class become one entry, so a long map fits;
 * one that cannot be merged and overflows the table is refused. */
static void test_mb2_efi_map_merging_and_overflow(void **state)
{
	(void)state;
	efi_map_start(DESC, 1);
	for (unsigned i = 0; i < 256; i++)
		efi_add(i % 2 ? 4U : EFI_CONVENTIONAL, 0x100000ULL * i, 0x100, 0);
	mb2_efi_tags(false);
	mb2_finish();
	assert_true(parse2());
	assert_int_equal(bi.nr_mem, 1);
	assert_int_equal(bi.mem[0].end, 0x10000000);

	efi_map_start(DESC, 1);
	for (unsigned i = 0; i < BOOT_MAX_MEM + 1; i++)
		efi_add(i % 2 ? 0U : EFI_CONVENTIONAL, 0x100000ULL * i, 0x100, 0);
	mb2_efi_tags(false);
	mb2_finish();
	expect_fail(parse2(), "too many entries");
}

static void efi_bad_map(void (*build)(void), const char *want)
{
	efi_map_start(DESC, 1);
	efi_add(EFI_CONVENTIONAL, 0, 0x40000, 0);
	build();
	mb2_efi_tags(false);
	mb2_finish();
	expect_fail(parse2(), want);
}

static void size_too_small(void) { efi_map_start(32, 1); efi_add(EFI_CONVENTIONAL, 0, 0x40000, 0); }
static void size_unaligned(void) { efi_map_start(44, 1); efi_add(EFI_CONVENTIONAL, 0, 0x40000, 0); }
static void unaligned_start(void) { efi_add(EFI_CONVENTIONAL, 0x40000800, 1, 0); }
static void pages_overflow(void) { efi_add(EFI_CONVENTIONAL, 0x40000000, 1ULL << 52, 0); }
static void range_wraps(void) { efi_add(EFI_CONVENTIONAL, 0xfffffffffff00000ULL, 0x200, 0); }

static void test_mb2_efi_map_malformed(void **state)
{
	(void)state;
	efi_bad_map(size_too_small, "EFI memory descriptor size invalid");
	efi_bad_map(size_unaligned, "EFI memory descriptor size invalid");
	efi_bad_map(unaligned_start, "EFI memory descriptor not page aligned");
	efi_bad_map(pages_overflow, "wraps");
	efi_bad_map(range_wraps, "wraps");

	/* a partial last descriptor */
	efi_map_start(DESC, 1);
	efi_add(EFI_CONVENTIONAL, 0, 0x40000, 0);
	fake_init(&mem);
	tag_at = INFO + 8;
	mb2_tag(17, efi_map, efi_map_len() - 8);
	mb2_finish();
	expect_fail(parse2(), "partial descriptor");

	/* a tag too short for its own header */
	fake_init(&mem);
	tag_at = INFO + 8;
	mb2_tag(17, efi_map, 4);
	mb2_finish();
	expect_fail(parse2(), "truncated EFI memory map tag");
}

static void test_mb2_efi_missing_tags(void **state)
{
	u64 systab = 0x3f000000;

	(void)state;
	/* EFI system table but neither memory map */
	fake_init(&mem);
	tag_at = INFO + 8;
	mb2_tag(1, "efi", 4);
	mb2_tag(12, &systab, 8);
	mb2_finish();
	expect_fail(parse2(), "no memory map");

	/* truncated system table pointers */
	fake_init(&mem);
	tag_at = INFO + 8;
	mb2_tag(12, &systab, 4);
	mb2_finish();
	expect_fail(parse2(), "truncated EFI system table tag");
	fake_init(&mem);
	tag_at = INFO + 8;
	mb2_tag(11, &systab, 2);
	mb2_finish();
	expect_fail(parse2(), "truncated EFI system table tag");

	/* no ACPI tag: nothing recorded, the caller must not search the BIOS
	 * area (hv_main) */
	efi_map_start(DESC, 1);
	efi_add(EFI_CONVENTIONAL, 0, 0x40000, 0);
	fake_init(&mem);
	tag_at = INFO + 8;
	mb2_tag(17, efi_map, efi_map_len());
	mb2_finish();
	assert_true(parse2());
	assert_true(bi.efi);
	assert_null(bi.rsdp);
	assert_null(bi.rsdp_from);
	assert_false(bi.has_fb);
}

/* The loader kept boot services running: the firmware still owns the
 * machine, which a hypervisor cannot share. */
static void test_mb2_efi_boot_services_refused(void **state)
{
	(void)state;
	efi_map_start(DESC, 1);
	efi_add(EFI_CONVENTIONAL, 0, 0x40000, 0);
	mb2_efi_tags(true);
	mb2_tag(18, NULL, 0);
	mb2_finish();
	expect_fail(parse2(), "EFI boot services still running");
}

static void test_mb2_acpi_tags(void **state)
{
	u8 rsdp[36] = "RSD PTR ";

	(void)state;
	mb2_good_tags(); /* has a new (v2) tag */
	mb2_tag(14, rsdp, 20); /* an old one after it does not replace it */
	mb2_finish();
	assert_true(parse2());
	assert_string_equal(bi.rsdp_from, "RSDPv2 tag");
	assert_int_equal(bi.rsdp_len, 36);

	fake_init(&mem);
	tag_at = INFO + 8;
	mb2_tag(14, rsdp, 20);
	{
		u8 mmap[8 + 24] = { 24 };
		u64 end = 0x40000000;

		memcpy(mmap + 16, &end, 8);
		mmap[24] = 1;
		mb2_tag(6, mmap, sizeof(mmap));
	}
	mb2_finish();
	assert_true(parse2());
	assert_string_equal(bi.rsdp_from, "RSDPv1 tag");
	assert_int_equal(bi.rsdp_len, 20);

	mb2_good_tags();
	mb2_tag(15, rsdp, 20); /* too short for a v2 RSDP */
	mb2_finish();
	expect_fail(parse2(), "ACPI tag too short");
	mb2_good_tags();
	mb2_tag(14, rsdp, 16);
	mb2_finish();
	expect_fail(parse2(), "ACPI tag too short");
}

/* ---- a real block: GRUB 2.06 on OVMF (tests/fuzz/make-seeds.py) ---- */

#define OVMF_BLOCK "tests/fuzz/seeds/fuzz_mbinfo/grub-ovmf"

/* Loads the captured block into the fake memory at INFO; its length. */
static u32 load_ovmf_block(void)
{
	FILE *f = fopen(OVMF_BLOCK, "rb");
	u8 head[5];
	size_t n;

	if (!f)
		fail_msg("cannot open %s (run from the repository root)", OVMF_BLOCK);
	fake_init(&mem);
	assert_int_equal(fread(head, 1, 5, f), 5);
	n = fread(mem.bytes + (INFO - FAKE_BASE), 1, FAKE_SIZE - (INFO - FAKE_BASE), f);
	fclose(f);
	assert_true(n > 16 && n < FAKE_SIZE - (INFO - FAKE_BASE));
	return (u32)n;
}

/* Is [start, end) covered by usable entries of map (entries may abut)? */
static bool usable_covers(const struct mem_range *map, unsigned n, u64 start, u64 end)
{
	for (bool progress = true; start < end && progress;) {
		progress = false;
		for (unsigned i = 0; i < n; i++)
			if (map[i].type == MEM_USABLE && map[i].start <= start && start < map[i].end) {
				start = map[i].end;
				progress = true;
			}
	}
	return start >= end;
}

/* The block has both maps; GRUB built the plain one from the firmware's
 * map just before ExitBootServices, so converted by mb2_efi.c the EFI map
 * must give exactly the same usable RAM. */
static void test_mb2_ovmf_block(void **state)
{
	struct mem_range plain[BOOT_MAX_MEM];
	unsigned nplain;
	u32 len = load_ovmf_block();

	(void)state;
	assert_true(parse2());
	assert_true(bi.efi);
	assert_string_equal(bi.mmap_from, "memory map tag");
	assert_string_equal(bi.rsdp_from, "RSDPv2 tag");
	assert_true(bi.has_fb);
	assert_int_equal(bi.fb.type, BOOT_FB_RGB);
	assert_int_equal(bi.nr_mods, 2);
	memcpy(plain, bi.mem, sizeof(plain));
	nplain = bi.nr_mem;

	/* hide the plain map tag: give it a type no parser knows */
	for (u64 off = INFO + 8; off < INFO + len;) {
		u32 type, size;

		memcpy(&type, mem.bytes + (off - FAKE_BASE), 4);
		memcpy(&size, mem.bytes + (off - FAKE_BASE) + 4, 4);
		if (type == 0)
			break;
		if (type == 6)
			fake_put32(&mem, off, 0x7fffffff);
		off += (size + 7) & ~7ULL;
	}
	assert_true(parse2());
	assert_string_equal(bi.mmap_from, "EFI memory map tag");
	/* its 124 descriptors merge to no more entries than GRUB's own map */
	assert_true(bi.nr_mem <= nplain);
	for (unsigned i = 0; i < bi.nr_mem; i++)
		if (bi.mem[i].type == MEM_USABLE)
			assert_true(usable_covers(plain, nplain, bi.mem[i].start, bi.mem[i].end));
	for (unsigned i = 0; i < nplain; i++)
		if (plain[i].type == MEM_USABLE)
			assert_true(usable_covers(bi.mem, bi.nr_mem, plain[i].start, plain[i].end));
}

static void fb_case(u64 addr, u32 pitch, u32 w, u32 h, u8 bpp, u8 type, u32 len, const char *want)
{
	u8 fb[24];

	fb_payload_put(fb, addr, pitch, w, h, bpp, type);
	mb2_good_tags();
	mb2_tag(8, fb, len);
	mb2_finish();
	if (want) {
		expect_fail(parse2(), want);
		return;
	}
	assert_true(parse2());
	assert_true(bi.has_fb);
}

static void test_mb2_framebuffer(void **state)
{
	(void)state;
	/* GRUB on a BIOS in text mode: EGA text, sizes in characters */
	fb_case(0xb8000, 160, 80, 25, 16, BOOT_FB_EGA_TEXT, 24, NULL);
	assert_int_equal(bi.fb.type, BOOT_FB_EGA_TEXT);
	assert_int_equal(bi.fb.width, 80);
	fb_case(0xc0000000ULL, 2400, 800, 600, 24, BOOT_FB_RGB, 22, NULL); /* no reserved bytes */
	fb_case(0xfd000000ULL, 640, 640, 480, 8, BOOT_FB_INDEXED, 24, NULL);

	fb_case(0xc0000000ULL, 4096, 1024, 768, 32, BOOT_FB_RGB, 21, "truncated framebuffer tag");
	fb_case(0xc0000000ULL, 4096, 1024, 768, 32, 3, 24, "framebuffer type unknown");
	fb_case(0xc0000000ULL, 4096, 0, 768, 32, BOOT_FB_RGB, 24, "framebuffer size invalid");
	fb_case(0xc0000000ULL, 4096, 1024, 0, 32, BOOT_FB_RGB, 24, "framebuffer size invalid");
	fb_case(0xc0000000ULL, 4096, 1024, 768, 0, BOOT_FB_RGB, 24, "framebuffer size invalid");
	fb_case(0xc0000000ULL, 4095, 1024, 768, 32, BOOT_FB_RGB, 24, "framebuffer size invalid");
	fb_case(0xb8000, 159, 80, 25, 16, BOOT_FB_EGA_TEXT, 24, "framebuffer size invalid");
	fb_case(0xffffffffffff0000ULL, 4096, 1024, 768, 32, BOOT_FB_RGB, 24,
		"framebuffer size invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mb1_good, mb1_setup),
		cmocka_unit_test_setup(test_mb1_bad_magic_and_info, mb1_setup),
		cmocka_unit_test_setup(test_mb1_no_mmap, mb1_setup),
		cmocka_unit_test_setup(test_mb1_bad_mmap, mb1_setup),
		cmocka_unit_test_setup(test_mb1_bad_strings, mb1_setup),
		cmocka_unit_test_setup(test_mb1_bad_modules, mb1_setup),
		cmocka_unit_test_setup(test_mb1_image_outside_ram, mb1_setup),
		cmocka_unit_test(test_mb2_good),
		cmocka_unit_test(test_mb2_module_string_unterminated),
		cmocka_unit_test(test_mb2_malformed),
		cmocka_unit_test(test_mb2_efi_good),
		cmocka_unit_test(test_mb2_efi_plain_map_wins),
		cmocka_unit_test(test_mb2_efi_empty_plain_map),
		cmocka_unit_test(test_mb2_efi_map_merging_and_overflow),
		cmocka_unit_test(test_mb2_efi_map_malformed),
		cmocka_unit_test(test_mb2_efi_missing_tags),
		cmocka_unit_test(test_mb2_efi_boot_services_refused),
		cmocka_unit_test(test_mb2_acpi_tags),
		cmocka_unit_test(test_mb2_framebuffer),
		cmocka_unit_test(test_mb2_ovmf_block),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
