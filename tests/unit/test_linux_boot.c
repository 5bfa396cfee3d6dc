/* hv/loader/bzimage.c and hv/loader/boot_params.c: a synthetic bzImage header
 * (the values of a Debian 6.1 kernel), every way it can be wrong, the load
 * plan, the zero page and its e820 map; and, when one is around, a real
 * kernel (LINUX_BZIMAGE=path, build/linux/bzImage or /boot/vmlinuz-*). */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <bulkhead/linux_boot.h>

#define IMG_LEN 0x10000U
#define SYSSIZE ((IMG_LEN - 0x4000U) / 16) /* setup_sects 0x1f: kernel at 0x4000 */

static u8 img[IMG_LEN];
static u8 bp[BP_SIZE];
static struct bzimage bz;
static struct linux_load_plan plan;
static const char *err;

static void put(u32 off, u64 v, unsigned size) { memcpy(img + off, &v, size); }
static u64 get(const u8 *b, u32 off, unsigned size)
{
	u64 v = 0;
	memcpy(&v, b + off, size);
	return v;
}

static void debian_header(void)
{
	memset(img, 0, sizeof(img));
	put(HDR_SETUP_SECTS, 0x1f, 1);
	put(HDR_SYSSIZE, SYSSIZE, 4);
	put(0x1fa, 0xffff, 2);               /* vid_mode */
	put(HDR_BOOT_FLAG, 0xaa55, 2);
	put(HDR_JUMP, 0x6aeb, 2);            /* jmp to 0x26c: header end */
	memcpy(img + HDR_MAGIC, "HdrS", 4);
	put(HDR_VERSION, 0x020f, 2);
	put(HDR_LOADFLAGS, LOADED_HIGH | QUIET_FLAG | KEEP_SEGMENTS, 1);
	put(HDR_INITRD_ADDR_MAX, 0x7fffffff, 4);
	put(HDR_KERNEL_ALIGN, 0x200000, 4);
	put(HDR_RELOCATABLE, 1, 1);
	put(HDR_MIN_ALIGNMENT, 21, 1);
	put(HDR_XLOADFLAGS, 0x7f, 2);
	put(HDR_CMDLINE_SIZE, 2047, 4);
	put(HDR_PREF_ADDRESS, 0x1000000, 8);
	put(HDR_INIT_SIZE, 0x2c00000, 4);
	put(0x26c, 0xdeadbeef, 4);           /* after the header: not copied */
}

static bool parse(u64 len)
{
	return bzimage_parse(img, len, &bz, &err);
}

static void expect_fail(u64 len, const char *want)
{
	assert_false(parse(len));
	if (!strstr(err, want))
		print_message("error '%s', want '%s'\n", err, want);
	assert_non_null(strstr(err, want));
}

static bool plan_for(u64 ram, u64 cmdline, u64 initrd)
{
	struct linux_load_request req = { ram, cmdline, initrd, 0xe0000 };

	return linux_plan_load(&bz, &req, &plan, &err);
}

static void test_parse(void **state)
{
	(void)state;
	debian_header();
	assert_true(parse(IMG_LEN));
	assert_int_equal(bz.version, 0x020f);
	assert_int_equal(bz.setup_sects, 0x1f);
	assert_int_equal(bz.kernel_off, 0x4000);
	assert_int_equal(bz.kernel_len, IMG_LEN - 0x4000);
	assert_int_equal(bz.hdr_end, 0x26c);
	assert_true(bz.relocatable);
	assert_int_equal(bz.kernel_alignment, 0x200000);
	assert_int_equal(bz.pref_address, 0x1000000);
	assert_int_equal(bz.init_size, 0x2c00000);
	assert_int_equal(bz.cmdline_size, 2047);
	assert_int_equal(bz.initrd_addr_max, 0x7fffffff);
	/* setup_sects 0 means 4; a signed image has bytes after syssize */
	put(HDR_SETUP_SECTS, 0, 1);
	put(HDR_SYSSIZE, 0x100, 4);
	assert_true(parse(IMG_LEN));
	assert_int_equal(bz.kernel_off, 5 * 512);
	assert_int_equal(bz.kernel_len, 0x1000);
}

static void test_parse_bad(void **state)
{
	(void)state;
	debian_header();
	expect_fail(0x263, "too short");
	expect_fail(0, "too short");
	assert_false(bzimage_parse(NULL, 10, &bz, &err));
	debian_header();
	put(HDR_BOOT_FLAG, 0xaa56, 2);
	expect_fail(IMG_LEN, "0xAA55");
	debian_header();
	img[HDR_MAGIC + 3] = 's';
	expect_fail(IMG_LEN, "HdrS");
	debian_header();
	put(HDR_VERSION, 0x020b, 2);
	expect_fail(IMG_LEN, "older than 2.12");
	debian_header();
	put(HDR_JUMP + 1, 0x50, 1); /* header ends before init_size */
	expect_fail(IMG_LEN, "impossible length");
	debian_header();
	put(HDR_JUMP + 1, 0x90, 1); /* header ends past boot_params' room */
	expect_fail(IMG_LEN, "impossible length");
	debian_header();
	put(HDR_JUMP, 0xe9, 1);     /* not a short jump */
	expect_fail(IMG_LEN, "impossible length");
	debian_header();
	expect_fail(0x4000, "setup code runs past");
	debian_header();
	expect_fail(IMG_LEN - 1, "syssize");
	debian_header();
	put(HDR_SYSSIZE, 0, 4);
	expect_fail(IMG_LEN, "syssize");
	debian_header();
	put(HDR_SYSSIZE, 0xffffffff, 4);
	expect_fail(IMG_LEN, "syssize");
	debian_header();
	put(HDR_LOADFLAGS, 0, 1);
	expect_fail(IMG_LEN, "zImage");
	debian_header();
	put(HDR_XLOADFLAGS, 0x7e, 2);
	expect_fail(IMG_LEN, "64-bit entry");
	debian_header();
	put(HDR_KERNEL_ALIGN, 0x300000, 4);
	expect_fail(IMG_LEN, "kernel_alignment");
	debian_header();
	put(HDR_KERNEL_ALIGN, 0, 4);
	expect_fail(IMG_LEN, "kernel_alignment");
	debian_header();
	put(HDR_MIN_ALIGNMENT, 22, 1); /* minimum above preferred */
	expect_fail(IMG_LEN, "min_alignment");
	debian_header();
	put(HDR_MIN_ALIGNMENT, 200, 1);
	expect_fail(IMG_LEN, "min_alignment");
	debian_header();
	put(HDR_INIT_SIZE, 0, 4);
	expect_fail(IMG_LEN, "init_size");
}

static void test_plan(void **state)
{
	(void)state;
	debian_header();
	assert_true(parse(IMG_LEN));
	assert_true(plan_for(MiB(256), 20, 0x123456));
	assert_true(plan.at_pref_address);
	assert_int_equal(plan.kernel_gpa, 0x1000000);
	assert_int_equal(plan.kernel_off, 0x4000);
	assert_int_equal(plan.kernel_len, IMG_LEN - 0x4000);
	assert_int_equal(plan.kernel_end, 0x1000000 + 0x2c00000);
	assert_int_equal(plan.entry_gpa, 0x1000200);
	assert_int_equal(plan.zero_page_gpa, LINUX_ZERO_PAGE_GPA);
	assert_int_equal(plan.cmdline_gpa, LINUX_CMDLINE_GPA);
	assert_int_equal(plan.cmdline_len, 20);
	assert_int_equal(plan.initrd_len, 0x123456);
	assert_int_equal(plan.initrd_gpa, ALIGN_DOWN(MiB(256) - 0x123456, 4096));
	assert_true(plan.initrd_gpa + plan.initrd_len <= MiB(256));
	assert_int_equal(plan.rsdp_gpa, 0xe0000);
	assert_true(plan.scratch_gpa + plan.scratch_len <= plan.zero_page_gpa);

	/* initrd_addr_max caps the initrd below the top of RAM */
	put(HDR_XLOADFLAGS, XLF_KERNEL_64, 2);
	put(HDR_INITRD_ADDR_MAX, 0x7fffff, 4); /* 8 MiB: below the kernel */
	assert_true(parse(IMG_LEN));
	assert_false(plan_for(MiB(256), 0, 0x1000));
	assert_non_null(strstr(err, "initrd"));
	put(HDR_INITRD_ADDR_MAX, 0x5fffffff, 4);
	assert_true(parse(IMG_LEN));
	assert_true(plan_for(GiB(2), 0, 0x1000));
	assert_int_equal(plan.initrd_gpa, 0x60000000 - 0x1000);
	/* XLF_CAN_BE_LOADED_ABOVE_4G lifts it */
	put(HDR_XLOADFLAGS, XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G, 2);
	assert_true(parse(IMG_LEN));
	assert_true(plan_for(GiB(2), 0, 0x1000));
	assert_int_equal(plan.initrd_gpa, GiB(2) - 0x1000);
}

static void test_plan_bad(void **state)
{
	(void)state;
	debian_header();
	assert_true(parse(IMG_LEN));
	assert_false(plan_for(MiB(16), 0, 0));          /* init_size from 16 MiB */
	assert_non_null(strstr(err, "init_size"));
	assert_true(plan_for(MiB(16) + 0x2c00000, 0, 0)); /* exactly enough */
	assert_false(plan_for(MiB(16) + 0x2c00000, 0, 1)); /* no room for initrd */
	assert_non_null(strstr(err, "initrd"));
	assert_false(plan_for(MiB(256), 0, GiB(1)));
	assert_false(plan_for(MiB(256), 0, ~0ULL));
	assert_false(plan_for(MiB(256), 2048, 0));       /* > cmdline_size */
	assert_non_null(strstr(err, "command line"));
	assert_true(plan_for(MiB(256), 2047, 0));
	assert_false(plan_for(MiB(256) + 1, 0, 0));      /* not whole pages */
	assert_false(plan_for(GiB(3) + MiB(4), 0, 0));   /* into the PCI hole */
	assert_false(plan_for(0, 0, 0));
	put(HDR_CMDLINE_SIZE, 0xffffffff, 4);            /* our buffer is smaller */
	assert_true(parse(IMG_LEN));
	assert_false(plan_for(MiB(256), LINUX_CMDLINE_MAX, 0));
}

static void test_plan_fallback(void **state)
{
	(void)state;
	/* relocatable, pref_address misaligned: next aligned address */
	debian_header();
	put(HDR_PREF_ADDRESS, 0x1100000, 8);
	assert_true(parse(IMG_LEN));
	assert_true(plan_for(MiB(256), 0, 0));
	assert_false(plan.at_pref_address);
	assert_int_equal(plan.kernel_gpa, 0x1200000);
	/* pref_address below 1 MiB: moved to 16 MiB */
	put(HDR_PREF_ADDRESS, 0x1000, 8);
	assert_true(parse(IMG_LEN));
	assert_true(plan_for(MiB(256), 0, 0));
	assert_false(plan.at_pref_address);
	assert_int_equal(plan.kernel_gpa, MiB(16));
	/* ... and huge */
	put(HDR_PREF_ADDRESS, ~0ULL - 0xfff, 8);
	assert_true(parse(IMG_LEN));
	assert_false(plan_for(MiB(256), 0, 0));
	/* not relocatable: pref_address or nothing */
	put(HDR_RELOCATABLE, 0, 1);
	put(HDR_PREF_ADDRESS, 0x1100000, 8);
	assert_true(parse(IMG_LEN));
	assert_true(plan_for(MiB(256), 0, 0));
	assert_true(plan.at_pref_address);
	assert_int_equal(plan.kernel_gpa, 0x1100000);
	assert_false(plan_for(MiB(32), 0, 0));
	assert_non_null(strstr(err, "non-relocatable"));
	put(HDR_PREF_ADDRESS, 0x1000, 8);
	assert_true(parse(IMG_LEN));
	assert_false(plan_for(MiB(256), 0, 0));
}

static void test_boot_params(void **state)
{
	const u8 *e;

	(void)state;
	debian_header();
	assert_true(parse(IMG_LEN));
	assert_true(plan_for(MiB(512), 30, 0x200000));
	memset(bp, 0xee, sizeof(bp));
	assert_true(boot_params_build(bp, img, IMG_LEN, &bz, &plan, &err));
	/* header copied from 0x1f1 to its end, nothing after */
	assert_int_equal(get(bp, HDR_SETUP_SECTS, 1), 0x1f);
	assert_int_equal(get(bp, HDR_BOOT_FLAG, 2), 0xaa55);
	assert_memory_equal(bp + HDR_MAGIC, "HdrS", 4);
	assert_int_equal(get(bp, HDR_VERSION, 2), 0x020f);
	assert_int_equal(get(bp, 0x1fa, 2), 0xffff);
	assert_int_equal(get(bp, HDR_PREF_ADDRESS, 8), 0x1000000);
	assert_int_equal(get(bp, HDR_INIT_SIZE, 4), 0x2c00000);
	assert_int_equal(get(bp, 0x26c, 4), 0);
	assert_int_equal(bp[BP_SENTINEL], 0);
	assert_int_equal(bp[0], 0); /* screen_info zero: no VGA console */
	/* the loader's fields */
	assert_int_equal(bp[HDR_TYPE_OF_LOADER], 0xff);
	assert_int_equal(bp[HDR_LOADFLAGS], LOADED_HIGH | CAN_USE_HEAP);
	assert_int_equal(get(bp, HDR_HEAP_END_PTR, 2), 0xde00);
	assert_int_equal(get(bp, HDR_CMD_LINE_PTR, 4), LINUX_CMDLINE_GPA);
	assert_int_equal(get(bp, BP_EXT_CMD_LINE_PTR, 4), 0);
	assert_int_equal(get(bp, HDR_RAMDISK_IMAGE, 4), MiB(512) - 0x200000);
	assert_int_equal(get(bp, HDR_RAMDISK_SIZE, 4), 0x200000);
	assert_int_equal(get(bp, BP_EXT_RAMDISK_IMG, 4), 0);
	assert_int_equal(get(bp, BP_EXT_RAMDISK_SIZE, 4), 0);
	assert_int_equal(get(bp, BP_ACPI_RSDP_ADDR, 8), 0xe0000);
	/* e820 */
	assert_int_equal(bp[BP_E820_ENTRIES], 4);
	e = bp + BP_E820_TABLE;
	assert_int_equal(get(e, 0, 8), 0);
	assert_int_equal(get(e, 8, 8), 0x9f000);
	assert_int_equal(get(e, 16, 4), E820_RAM);
	e += BP_E820_ENTRY_SIZE;
	assert_int_equal(get(e, 0, 8), 0x9f000);
	assert_int_equal(get(e, 8, 8), 0x100000 - 0x9f000);
	assert_int_equal(get(e, 16, 4), E820_RESERVED);
	e += BP_E820_ENTRY_SIZE;
	assert_int_equal(get(e, 0, 8), 0x100000);
	assert_int_equal(get(e, 8, 8), MiB(511));
	assert_int_equal(get(e, 16, 4), E820_RAM);
	e += BP_E820_ENTRY_SIZE; /* the ECAM area (PCI Firmware 3.0 4.1.2) */
	assert_int_equal(get(e, 0, 8), 0xe0000000ULL);
	assert_int_equal(get(e, 8, 8), MiB(1));
	assert_int_equal(get(e, 16, 4), E820_RESERVED);
	assert_int_equal(get(e, 20, 8), 0); /* nothing after */

	/* no initrd: zero pointers; protocol 2.13: no acpi_rsdp_addr */
	put(HDR_VERSION, 0x020d, 2);
	assert_true(parse(IMG_LEN));
	assert_true(plan_for(MiB(64), 0, 0));
	assert_true(boot_params_build(bp, img, IMG_LEN, &bz, &plan, &err));
	assert_int_equal(get(bp, HDR_RAMDISK_IMAGE, 4), 0);
	assert_int_equal(get(bp, HDR_RAMDISK_SIZE, 4), 0);
	assert_int_equal(get(bp, BP_ACPI_RSDP_ADDR, 8), 0);

	/* a header that does not belong to this image, a bad plan */
	assert_false(boot_params_build(bp, img, 0x200, &bz, &plan, &err));
	plan.ram_size = 0;
	assert_false(boot_params_build(bp, img, IMG_LEN, &bz, &plan, &err));
	assert_non_null(strstr(err, "plan"));
}

/* A real kernel, when one is around; skipped otherwise. */
static u8 *read_file(const char *path, u64 *len)
{
	FILE *f = fopen(path, "rb");
	u8 *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*len = (u64)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static const char *find_kernel(void)
{
	static char path[4096];
	const char *env = getenv("LINUX_BZIMAGE");
	const char *pats[] = { "build/linux/bzImage", "build/linux/vmlinuz*", "/boot/vmlinuz-*" };
	glob_t g;

	if (env && *env)
		return env;
	for (unsigned i = 0; i < ARRAY_SIZE(pats); i++) {
		if (glob(pats[i], 0, NULL, &g) == 0 && g.gl_pathc > 0) {
			snprintf(path, sizeof(path), "%s", g.gl_pathv[0]);
			globfree(&g);
			return path;
		}
		globfree(&g);
	}
	return NULL;
}

static void test_real_kernel(void **state)
{
	const char *path = find_kernel();
	u64 len = 0;
	u8 *k;

	(void)state;
	if (!path || !(k = read_file(path, &len))) {
		print_message("no real kernel (LINUX_BZIMAGE, build/linux/, /boot): skipped\n");
		skip();
		return;
	}
	print_message("real kernel: %s\n", path);
	if (!bzimage_parse(k, len, &bz, &err))
		fail_msg("%s: %s", path, err);
	print_message("protocol %x, setup_sects %u, payload %#llx+%#llx, pref %#llx, "
		      "init_size %#x, align %#x, cmdline_size %u\n", bz.version, bz.setup_sects,
		      (unsigned long long)bz.kernel_off, (unsigned long long)bz.kernel_len,
		      (unsigned long long)bz.pref_address, bz.init_size, bz.kernel_alignment,
		      bz.cmdline_size);
	assert_true(bz.version >= 0x020c);
	assert_true(bz.relocatable);
	assert_true(bz.kernel_off + bz.kernel_len <= len);
	assert_true(plan_for(MiB(512), 40, MiB(32)));
	assert_true(plan.at_pref_address);
	assert_true(plan.initrd_gpa >= plan.kernel_end);
	assert_true(boot_params_build(bp, k, len, &bz, &plan, &err));
	assert_memory_equal(bp + HDR_MAGIC, "HdrS", 4);
	assert_int_equal(bp[BP_E820_ENTRIES], 4);
	free(k);
}

/* A framebuffer above the planned RAM: screen_info as efifb reads it
 * (VIDEO_TYPE_EFI, lfb_size in bytes, x8r8g8b8 masks) and an e820 entry
 * reserving it; a nonsensical one is refused. */
static void test_boot_params_fb(void **state)
{
	const u8 *e;

	(void)state;
	debian_header();
	assert_true(parse(IMG_LEN));
	assert_true(plan_for(MiB(252), 30, 0x200000));
	plan.fb.gpa = MiB(252);
	plan.fb.size = MiB(4);
	plan.fb.width = 1024;
	plan.fb.height = 736;
	assert_true(boot_params_build(bp, img, IMG_LEN, &bz, &plan, &err));
	assert_int_equal(bp[0x0f], 0x70);                 /* orig_video_isVGA */
	assert_int_equal(get(bp, 0x12, 2), 1024);         /* lfb_width */
	assert_int_equal(get(bp, 0x14, 2), 736);          /* lfb_height */
	assert_int_equal(get(bp, 0x16, 2), 32);           /* lfb_depth */
	assert_int_equal(get(bp, 0x18, 4), MiB(252));     /* lfb_base */
	assert_int_equal(get(bp, 0x1c, 4), MiB(4));       /* lfb_size */
	assert_int_equal(get(bp, 0x24, 2), 4096);         /* lfb_linelength */
	assert_memory_equal(bp + 0x26, ((const u8[]){ 8, 16, 8, 8, 8, 0, 8, 24 }), 8);
	assert_int_equal(get(bp, 0x36, 4), 0);            /* below 4 GiB: no 64-bit base */
	assert_int_equal(get(bp, 0x3a, 4), 0);
	assert_int_equal(bp[BP_E820_ENTRIES], 5);          /* + the framebuffer, then ECAM */
	e = bp + BP_E820_TABLE + 2 * BP_E820_ENTRY_SIZE;
	assert_int_equal(get(e, 8, 8), MiB(251));         /* RAM ends below it */
	e += BP_E820_ENTRY_SIZE;
	assert_int_equal(get(e, 0, 8), MiB(252));
	assert_int_equal(get(e, 8, 8), MiB(4));
	assert_int_equal(get(e, 16, 4), E820_RESERVED);
	/* overlapping the planned RAM, too small, or too wide: refused */
	plan.fb.gpa = MiB(250);
	assert_false(boot_params_build(bp, img, IMG_LEN, &bz, &plan, &err));
	plan.fb.gpa = MiB(252);
	plan.fb.height = 2000;
	assert_false(boot_params_build(bp, img, IMG_LEN, &bz, &plan, &err));
	plan.fb.height = 736;
	plan.fb.width = 20000;
	assert_false(boot_params_build(bp, img, IMG_LEN, &bz, &plan, &err));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_plan_bad),
		cmocka_unit_test(test_plan_fallback),
		cmocka_unit_test(test_boot_params),
		cmocka_unit_test(test_boot_params_fb),
		cmocka_unit_test(test_real_kernel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
