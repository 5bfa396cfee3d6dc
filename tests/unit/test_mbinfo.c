/* hv/boot: Multiboot 1 and 2 info parsing, good and malformed. */
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
