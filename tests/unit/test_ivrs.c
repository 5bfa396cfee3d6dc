/* hv/arch/x86/iommu/ivrs.c: IVRS parsing (AMD IOMMU spec 48882, 5.2), and
 * acpi_read finding the IVRS and the MCFG through the XSDT. */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <bulkhead/acpi.h>
#include <bulkhead/amd_vi_ivrs.h>

static u8 t[1024];
static u32 len;
static struct ivrs_info info;
static const char *err;

static void put16(u8 *p, u16 v) { memcpy(p, &v, 2); }
static void put32(u8 *p, u32 v) { memcpy(p, &v, 4); }
static void put64(u8 *p, u64 v) { memcpy(p, &v, 8); }

static void fix_checksum(u8 *p, u32 n)
{
	u8 sum = 0;

	p[9] = 0;
	for (u32 i = 0; i < n; i++)
		sum = (u8)(sum + p[i]);
	p[9] = (u8)-sum;
}

static void finish(void)
{
	put32(t + 4, len);
	fix_checksum(t, len);
}

static u8 *block(u8 type, u32 hdr_len, u64 base, u16 seg, u16 devid)
{
	u8 *b = t + len;

	memset(b, 0, hdr_len);
	b[0] = type;
	put16(b + 2, (u16)hdr_len);
	put16(b + 4, devid);
	put64(b + 8, base);
	put16(b + 16, seg);
	len += hdr_len;
	return b;
}

static void entry(u8 *blk, u8 type, u16 id, u16 alias)
{
	u16 blen;
	u32 n = type < 64 ? 4 : 8;
	u8 *e = t + len;

	memset(e, 0, n);
	e[0] = type;
	put16(e + 1, id);
	if (n == 8)
		put16(e + 5, alias);
	len += n;
	memcpy(&blen, blk + 2, 2);
	put16(blk + 2, (u16)(blen + n));
}

/* An IVRS as firmware writes it: an IVHD 10h and an IVHD 11h for the same
 * IOMMU (only the 11h is to be used), an IVMD between them. */
static void build(void)
{
	u8 *b10, *b11, *ivmd;

	memset(t, 0, sizeof(t));
	memcpy(t, "IVRS", 4);
	t[8] = 2;
	put32(t + 36, 48U << 15 | 40U << 8); /* VA size 48, PA size 40 */
	len = 48;
	b10 = block(0x10, 24, 0xfed80000, 0, 0x0010);
	entry(b10, 1, 0, 0); /* all */
	ivmd = t + len;
	ivmd[0] = 0x20;
	put16(ivmd + 2, 32);
	len += 32;
	b11 = block(0x11, 40, 0xfed80000, 0, 0x0010);
	entry(b11, 0, 0, 0);             /* padding */
	entry(b11, 2, 0x0008, 0);        /* 00:01.0 */
	entry(b11, 3, 0x0100, 0);        /* bus 1 */
	entry(b11, 4, 0x01ff, 0);
	entry(b11, 67, 0x0200, 0x0018);  /* bus 2 behind a PCIe-to-PCI bridge 00:03.0 */
	entry(b11, 4, 0x02ff, 0);
	entry(b11, 66, 0x0300, 0x0020);
	entry(b11, 72, 0x00a0, 0);       /* an IOAPIC */
	finish();
}

static int setup(void **state)
{
	(void)state;
	build();
	return 0;
}

static void test_parse(void **state)
{
	const struct ivrs_range *r;

	(void)state;
	assert_true(ivrs_parse(t, len, &info, &err));
	assert_int_equal(info.nr_iommus, 1);
	assert_int_equal(info.iommus[0].base, 0xfed80000);
	assert_int_equal(info.iommus[0].segment, 0);
	assert_int_equal(info.iommus[0].devid, 0x0010);
	assert_int_equal(info.iommus[0].ivhd_type, 0x11);
	assert_int_equal(info.va_size, 48);
	assert_int_equal(info.nr_ranges, 4); /* the 10h block's "all" is not used */
	assert_int_equal(info.nr_special, 1);
	r = ivrs_find(&info, 0, 0x0008);
	assert_non_null(r);
	assert_true(r->first == 8 && r->last == 8 && !r->has_alias);
	r = ivrs_find(&info, 0, 0x0150);
	assert_true(r && r->first == 0x100 && r->last == 0x1ff && !r->has_alias);
	r = ivrs_find(&info, 0, 0x02ff);
	assert_true(r && r->has_alias && r->alias == 0x0018);
	r = ivrs_find(&info, 0, 0x0300);
	assert_true(r && r->has_alias && r->alias == 0x0020);
	assert_null(ivrs_find(&info, 0, 0x0009));
	assert_null(ivrs_find(&info, 1, 0x0008));
}

static void test_only_type_10(void **state)
{
	u8 *b;

	(void)state;
	memset(t + 48, 0, sizeof(t) - 48);
	len = 48;
	b = block(0x10, 24, 0xfed80000, 0, 2);
	entry(b, 1, 0, 0);
	entry(b, 2, 0x0018, 0); /* a later entry narrows one device */
	finish();
	assert_true(ivrs_parse(t, len, &info, &err));
	assert_int_equal(info.iommus[0].ivhd_type, 0x10);
	assert_int_equal(info.nr_ranges, 2);
	assert_true(ivrs_find(&info, 0, 0xffff) == &info.ranges[0]);
	assert_true(ivrs_find(&info, 0, 0x0018) == &info.ranges[1]);
}

static void expect_refused(const char *what)
{
	assert_false(ivrs_parse(t, len, &info, &err));
	assert_non_null(strstr(err, what));
}

static void test_bad_tables(void **state)
{
	u32 good = len;
	u8 *b;

	/* offsets: IVHD 10h at 48 (28 bytes), IVMD at 76 (32), IVHD 11h at 108
	 * with its device entries from 148 */
	(void)state;
	assert_false(ivrs_parse(t, 47, &info, &err));
	assert_non_null(strstr(err, "not an IVRS"));
	assert_false(ivrs_parse(t, good - 1, &info, &err));
	assert_non_null(strstr(err, "length disagrees"));
	put16(t + 48 + 2, 0xfff0); /* first block past the table */
	expect_refused("runs past");
	build();
	put16(t + 48 + 2, 2); /* a block shorter than its own length field */
	expect_refused("runs past");
	build();
	t[148] = 200; /* an undefined variable-length entry type */
	expect_refused("malformed IVHD device entry");
	build();
	t[156] = 4; /* the range start becomes an end */
	expect_refused("without a start");
	build();
	put64(t + 108 + 8, 0xfed80100); /* unaligned base */
	expect_refused("16 KiB aligned");

	/* No IVHD at all */
	memset(t + 48, 0, sizeof(t) - 48);
	len = 48;
	finish();
	expect_refused("no IVHD");

	/* A range start never closed */
	b = block(0x10, 24, 0xfed80000, 0, 2);
	entry(b, 3, 0x0100, 0);
	finish();
	expect_refused("without an end");

	/* A reversed range */
	entry(b, 4, 0x00ff, 0);
	finish();
	expect_refused("ends before it starts");
}

static void test_too_many(void **state)
{
	u8 *b;

	(void)state;
	memset(t + 48, 0, sizeof(t) - 48);
	len = 48;
	b = block(0x10, 24, 0xfed80000, 0, 2);
	for (u16 i = 0; i <= IVRS_MAX_RANGES; i++)
		entry(b, 2, i, 0);
	finish();
	expect_refused("too many device ranges");
}

/* acpi_read: the IVRS and the MCFG are found beside the MADT. */
static void test_acpi_finds_ivrs_and_mcfg(void **state)
{
	enum { SIZE = 0x4000, XSDT = 0x100, MADT = 0x200, MCFG = 0x300, IVRS = 0x400 };
	u8 *m = calloc(1, SIZE), rsdp[36] = "RSD PTR ";
	struct phys_view v = { m, 0, SIZE };
	struct acpi_info ai;
	u32 n;

	(void)state;
	/* XSDT with three entries */
	memcpy(m + XSDT, "XSDT", 4);
	put32(m + XSDT + 4, 36 + 24);
	put64(m + XSDT + 36, MADT);
	put64(m + XSDT + 44, MCFG);
	put64(m + XSDT + 52, IVRS);
	fix_checksum(m + XSDT, 60);
	/* MADT with one enabled local APIC */
	memcpy(m + MADT, "APIC", 4);
	put32(m + MADT + 4, 52);
	m[MADT + 44] = 0;
	m[MADT + 45] = 8;
	put32(m + MADT + 48, 1);
	fix_checksum(m + MADT, 52);
	/* MCFG: a segment 1 entry first (ignored), then segment 0 buses 0-255 */
	memcpy(m + MCFG, "MCFG", 4);
	put32(m + MCFG + 4, 44 + 32);
	put64(m + MCFG + 44, 0xc0000000);
	put16(m + MCFG + 52, 1);
	put64(m + MCFG + 60, 0xb0000000);
	m[MCFG + 60 + 11] = 0xff;
	fix_checksum(m + MCFG, 76);
	/* the IVRS built above */
	memcpy(m + IVRS, t, len);
	rsdp[15] = 2;
	n = 36;
	memcpy(rsdp + 20, &n, 4);
	put64(rsdp + 24, XSDT);
	{
		u8 s = 0;
		for (int i = 0; i < 20; i++)
			s = (u8)(s + rsdp[i]);
		rsdp[8] = (u8)-s;
		s = 0;
		for (int i = 0; i < 36; i++)
			s = (u8)(s + rsdp[i]);
		rsdp[32] = (u8)-s;
	}
	assert_true(acpi_read(&v, rsdp, sizeof(rsdp), &ai, &err));
	assert_int_equal(ai.nr_cpus, 1);
	assert_int_equal(ai.ecam_base, 0xb0000000);
	assert_int_equal(ai.ecam_bus_start, 0);
	assert_int_equal(ai.ecam_bus_end, 255);
	assert_int_equal(ai.ivrs_pa, IVRS);
	assert_int_equal(ai.ivrs_len, len);
	/* a corrupt IVRS is not reported at all */
	m[IVRS + 60] ^= 1;
	assert_true(acpi_read(&v, rsdp, sizeof(rsdp), &ai, &err));
	assert_int_equal(ai.ivrs_pa, 0);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_parse, setup),
		cmocka_unit_test_setup(test_only_type_10, setup),
		cmocka_unit_test_setup(test_bad_tables, setup),
		cmocka_unit_test_setup(test_too_many, setup),
		cmocka_unit_test_setup(test_acpi_finds_ivrs_and_mcfg, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
