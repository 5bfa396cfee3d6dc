/* hv/loader/guest_image.c: Multiboot v1 kernel headers, the a.out kludge and
 * ELF32/ELF64 program headers, and every way they can be wrong. */
#include <string.h>
#include "unit.h"
#include <bulkhead/guest_image.h>

#define RAM_LO 0x100000ULL
#define RAM_HI 0x1000000ULL

static u8 img[16384];
static struct guest_image gi;
static const char *err;

static void put32(u64 off, u32 v) { memcpy(img + off, &v, 4); }
static void put16(u64 off, u16 v) { memcpy(img + off, &v, 2); }
static void put64(u64 off, u64 v) { memcpy(img + off, &v, 8); }

static void mb_header(u64 off, u32 flags)
{
	put32(off, 0x1badb002);
	put32(off + 4, flags);
	put32(off + 8, -(0x1badb002U + flags));
}

static bool parse(u64 len)
{
	return guest_image_parse(img, len, RAM_LO, RAM_HI, &gi, &err);
}

static void expect_fail(u64 len, const char *want)
{
	assert_false(parse(len));
	if (!strstr(err, want))
		print_message("error '%s', want '%s'\n", err, want);
	assert_non_null(strstr(err, want));
}

static int setup(void **state)
{
	(void)state;
	memset(img, 0, sizeof(img));
	return 0;
}

/* Like bulkhead.elf: header at file offset 0x1000 = address 0x100000. */
static void kludge_image(void)
{
	mb_header(0x1000, 0x10003);
	put32(0x100c, 0x100000); /* header_addr */
	put32(0x1010, 0x100000); /* load_addr */
	put32(0x1014, 0x102000); /* load_end_addr */
	put32(0x1018, 0x105000); /* bss_end_addr */
	put32(0x101c, 0x100020); /* entry */
}

static void test_kludge(void **state)
{
	(void)state;
	kludge_image();
	assert_true(parse(0x3000));
	assert_int_equal(gi.entry, 0x100020);
	assert_int_equal(gi.nr_segs, 1);
	assert_int_equal(gi.seg[0].file_off, 0x1000);
	assert_int_equal(gi.seg[0].file_len, 0x2000);
	assert_int_equal(gi.seg[0].mem_len, 0x5000);
	assert_int_equal(gi.highest, 0x105000);
}

static void test_kludge_bad(void **state)
{
	(void)state;
	kludge_image();
	expect_fail(0x2800, "past the end of the file"); /* load_end beyond the file */
	kludge_image();
	put32(0x1010, 0x0fe000); /* header_addr - load_addr > header offset */
	expect_fail(0x3000, "inconsistent");
	kludge_image();
	put32(0x1014, 0x100000); /* loads nothing at all */
	put32(0x1018, 0);
	expect_fail(0x3000, "loads nothing");
	kludge_image();
	put32(0x1018, 0x101000); /* bss end before load end */
	expect_fail(0x3000, "inconsistent");
	kludge_image();
	put32(0x100c, 0x10000);  /* below RAM_LO */
	put32(0x1010, 0x10000);
	put32(0x1014, 0x12000);
	put32(0x1018, 0x12000);
	expect_fail(0x3000, "outside the guest's RAM");
	kludge_image();
	put32(0x1018, 0xfffff000); /* bss to the top of 4 GiB */
	expect_fail(0x3000, "outside the guest's RAM");
	kludge_image();
	put32(0x1008, 0); /* checksum broken: no header found */
	expect_fail(0x3000, "no multiboot header");
	setup(NULL);
	mb_header(0x40, 0x00000004); /* wants a video mode */
	expect_fail(0x1000, "video");
}

static void elf64_image(void)
{
	memcpy(img, "\177ELF\2\1\1", 7);
	put64(24, 0x200000);     /* entry */
	put64(32, 64);           /* phoff */
	put16(54, 56);           /* phentsize */
	put16(56, 2);            /* phnum */
	/* PT_LOAD: file 0x1000+0x800 -> 0x200000, memsz 0x3000 */
	put32(64, 1);
	put64(64 + 8, 0x1000);
	put64(64 + 24, 0x200000);
	put64(64 + 32, 0x800);
	put64(64 + 40, 0x3000);
	/* a PT_NOTE, ignored */
	put32(120, 4);
	mb_header(0x200, 0x3); /* ELF, no kludge */
}

static void test_elf64(void **state)
{
	(void)state;
	elf64_image();
	assert_true(parse(0x2000));
	assert_int_equal(gi.entry, 0x200000);
	assert_int_equal(gi.nr_segs, 1);
	assert_int_equal(gi.seg[0].gpa, 0x200000);
	assert_int_equal(gi.seg[0].file_len, 0x800);
	assert_int_equal(gi.seg[0].mem_len, 0x3000);
}

static void test_elf32(void **state)
{
	(void)state;
	memcpy(img, "\177ELF\1\1\1", 7);
	put32(24, 0x100010);
	put32(28, 52);
	put16(42, 32);
	put16(44, 1);
	put32(52, 1);
	put32(52 + 4, 0x400);
	put32(52 + 12, 0x100000);
	put32(52 + 16, 0x100);
	put32(52 + 20, 0x200);
	mb_header(0x100, 0x2);
	assert_true(parse(0x1000));
	assert_int_equal(gi.entry, 0x100010);
	assert_int_equal(gi.seg[0].file_off, 0x400);
}

static void test_elf_bad(void **state)
{
	(void)state;
	elf64_image();
	put64(64 + 32, 0x4000); /* filesz > memsz */
	expect_fail(0x2000, "past the end");
	elf64_image();
	put64(64 + 8, 0x1f00); /* segment runs past the file */
	expect_fail(0x2000, "past the end");
	elf64_image();
	put16(56, 400); /* program headers past the file */
	expect_fail(0x2000, "program headers");
	elf64_image();
	put16(54, 8); /* phentsize too small */
	expect_fail(0x2000, "program headers");
	elf64_image();
	put32(64, 4); /* nothing loadable */
	expect_fail(0x2000, "nothing to load");
	elf64_image();
	put16(56, 2);
	put32(120, 1); /* second PT_LOAD overlapping the first */
	put64(120 + 8, 0x1000);
	put64(120 + 24, 0x201000);
	put64(120 + 32, 0x10);
	put64(120 + 40, 0x10);
	expect_fail(0x2000, "overlap");
	elf64_image();
	put64(64 + 24, ~0ULL - 0x100); /* gpa + memsz wraps */
	expect_fail(0x2000, "outside the guest's RAM");
	elf64_image();
	img[5] = 2; /* big endian */
	expect_fail(0x2000, "little-endian ELF");
	elf64_image();
	mb_header(0x10, 0x3); /* header fits, but the ELF header is truncated */
	expect_fail(48, "little-endian ELF");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_kludge, setup),
		cmocka_unit_test_setup(test_kludge_bad, setup),
		cmocka_unit_test_setup(test_elf64, setup),
		cmocka_unit_test_setup(test_elf32, setup),
		cmocka_unit_test_setup(test_elf_bad, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
