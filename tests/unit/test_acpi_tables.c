/* hv/dev/acpi_{tables,aml,dsdt}.c: every table found by walking from the
 * RSDP as an OS does, checked field by field at the spec's byte offsets
 * (ACPI 6.5 chapter 5), not through the builder's structs. */
#include <string.h>
#include "unit.h"
#include <bulkhead/acpi_tables.h>
#include <bulkhead/pc_platform.h>

#define AREA_LEN (PC_ACPI_TABLES_END - PC_ACPI_RSDP_GPA)

static u8 area[AREA_LEN];
static const char *err;
static u64 rsdp;

static u8 r8(const u8 *p) { return *p; }
static u16 r16(const u8 *p) { u16 v; memcpy(&v, p, 2); return v; }
static u32 r32(const u8 *p) { u32 v; memcpy(&v, p, 4); return v; }
static u64 r64(const u8 *p) { u64 v; memcpy(&v, p, 8); return v; }

static const u8 *at(u64 gpa)
{
	assert_true(gpa >= PC_ACPI_RSDP_GPA && gpa < PC_ACPI_TABLES_END);
	return area + (gpa - PC_ACPI_RSDP_GPA);
}

static u8 sum(const u8 *p, u64 len)
{
	u8 s = 0;

	while (len--)
		s = (u8)(s + *p++);
	return s;
}

static bool build(u32 nr_cpus)
{
	struct acpi_platform p = { .nr_cpus = nr_cpus };

	memset(area, 0xa5, sizeof(area));
	return acpi_tables_build(area, PC_ACPI_RSDP_GPA, sizeof(area), &p, &rsdp, &err);
}

/* A table by its address: signature, length inside the area, checksum,
 * revision, OEM fields. */
static const u8 *table(u64 gpa, const char *sig, u8 revision)
{
	const u8 *t = at(gpa);
	u32 len = r32(t + 4);

	assert_memory_equal(t, sig, 4);
	assert_true(len >= 36 && gpa + len <= PC_ACPI_TABLES_END);
	assert_int_equal(sum(t, len), 0);
	assert_int_equal(r8(t + 8), revision);
	assert_memory_equal(t + 10, "BLKHD ", 6);
	assert_memory_equal(t + 16, "BULKHEAD", 8);
	assert_true(IS_ALIGNED(gpa, 8));
	return t;
}

static const u8 *xsdt_find(const char *sig, u64 *gpa)
{
	const u8 *x = at(r64(at(rsdp) + 24));

	for (u32 off = 36; off < r32(x + 4); off += 8) {
		const u8 *t = at(r64(x + off));
		if (!memcmp(t, sig, 4)) {
			*gpa = r64(x + off);
			return t;
		}
	}
	fail_msg("%s not in the XSDT", sig);
	return NULL;
}

static void test_rsdp_xsdt(void **state)
{
	const u8 *r, *x;

	(void)state;
	assert_true(build(2));
	assert_int_equal(rsdp, PC_ACPI_RSDP_GPA);
	r = at(rsdp);
	assert_memory_equal(r, "RSD PTR ", 8);
	assert_int_equal(sum(r, 20), 0);         /* ACPI 1.0 checksum */
	assert_int_equal(r8(r + 15), 2);         /* revision */
	assert_int_equal(r32(r + 20), 36);       /* length */
	assert_int_equal(sum(r, 36), 0);         /* extended checksum */
	assert_int_equal(r32(r + 16), 0);        /* no RSDT */
	x = table(r64(r + 24), "XSDT", 1);
	assert_int_equal(r32(x + 4), 36 + 4 * 8);
	assert_true(r64(r + 24) >= PC_ACPI_TABLES_GPA);
	assert_memory_equal(at(r64(x + 36)), "FACP", 4); /* FADT first */
	assert_memory_equal(at(r64(x + 44)), "APIC", 4);
	assert_memory_equal(at(r64(x + 52)), "HPET", 4);
	assert_memory_equal(at(r64(x + 60)), "MCFG", 4);
}

/* PCI Firmware 3.0 4.1.2: one allocation, the ECAM of bus 0. */
static void test_mcfg(void **state)
{
	const u8 *t;
	u64 gpa;

	(void)state;
	assert_true(build(1));
	t = xsdt_find("MCFG", &gpa);
	assert_int_equal(r32(t + 4), 44 + 16);
	assert_int_equal(r8(t + 8), 1);
	assert_int_equal(sum(t, 60), 0);
	assert_int_equal(r64(t + 44), 0xe0000000ULL);
	assert_int_equal(r16(t + 52), 0); /* segment */
	assert_int_equal(r8(t + 54), 0);  /* buses 0..0 */
	assert_int_equal(r8(t + 55), 0);
}

/* IA-PC HPET 1.0a 3.2.4: the event timer block at PC_HPET_BASE in system
 * memory, its ID the low dword of the block's capabilities register
 * (hv/dev/hpet.c returns PC_HPET_ID there). */
static void test_hpet(void **state)
{
	const u8 *t;
	u64 gpa;

	(void)state;
	assert_true(build(1));
	t = xsdt_find("HPET", &gpa);
	t = table(gpa, "HPET", 1);
	assert_int_equal(r32(t + 4), 56);
	assert_int_equal(r32(t + 36), PC_HPET_ID);
	assert_int_equal(r32(t + 36) & 0xff, 1);                        /* REV_ID */
	assert_int_equal((r32(t + 36) >> 8) & 0x1f, PC_HPET_TIMERS - 1); /* last timer */
	assert_true(r32(t + 36) & (1U << 15));                          /* legacy route */
	assert_int_equal(r8(t + 40), 0);              /* GAS: system memory */
	assert_int_equal(r8(t + 41), 0);              /* bit width, offset, access size */
	assert_int_equal(r8(t + 42), 0);
	assert_int_equal(r8(t + 43), 0);
	assert_int_equal(r64(t + 44), PC_HPET_BASE);
	assert_int_equal(r8(t + 52), 0);              /* HPET number */
	assert_int_equal(r16(t + 53), PC_HPET_MIN_TICK);
	assert_int_equal(r8(t + 55), 0);              /* no page protection claimed */
}

static void test_madt(void **state)
{
	u64 gpa;
	const u8 *m, *e;

	(void)state;
	assert_true(build(3));
	m = xsdt_find("APIC", &gpa);
	table(gpa, "APIC", 5);
	assert_int_equal(r32(m + 36), PC_LAPIC_BASE);
	assert_int_equal(r32(m + 40), 1); /* PCAT_COMPAT */
	assert_int_equal(r32(m + 4), 44 + 3 * 8 + 12 + 2 * 10 + 6);
	e = m + 44;
	for (u32 i = 0; i < 3; i++, e += 8) {
		assert_int_equal(e[0], 0);     /* Processor Local APIC */
		assert_int_equal(e[1], 8);
		assert_int_equal(e[2], i);     /* ACPI processor UID */
		assert_int_equal(e[3], i);     /* APIC ID */
		assert_int_equal(r32(e + 4), 1); /* enabled */
	}
	assert_int_equal(e[0], 1);             /* I/O APIC */
	assert_int_equal(e[1], 12);
	assert_int_equal(e[2], PC_IOAPIC_ID);
	assert_int_equal(r32(e + 4), PC_IOAPIC_BASE);
	assert_int_equal(r32(e + 8), 0);       /* GSI base */
	e += 12;
	assert_int_equal(e[0], 2);             /* override: ISA IRQ 0 -> GSI 2 */
	assert_int_equal(e[1], 10);
	assert_int_equal(e[2], 0);
	assert_int_equal(e[3], 0);
	assert_int_equal(r32(e + 4), PC_PIT_GSI);
	assert_int_equal(r16(e + 8), 0x5);     /* active high, edge */
	e += 10;
	assert_int_equal(e[0], 2);             /* override: SCI, level high */
	assert_int_equal(e[3], PC_SCI_IRQ);
	assert_int_equal(r32(e + 4), PC_SCI_IRQ);
	assert_int_equal(r16(e + 8), 0xd);
	e += 10;
	assert_int_equal(e[0], 4);             /* Local APIC NMI */
	assert_int_equal(e[1], 6);
	assert_int_equal(e[2], 0xff);          /* all processors */
	assert_int_equal(e[5], 1);             /* LINT1 */
}

static void expect_gas_io(const u8 *g, u64 port, u8 bits)
{
	assert_int_equal(g[0], 1); /* System I/O */
	assert_int_equal(g[1], bits);
	assert_int_equal(g[2], 0);
	assert_int_equal(r64(g + 4), port);
}

static void test_fadt_facs(void **state)
{
	u64 gpa;
	const u8 *f, *facs;
	u32 flags;

	(void)state;
	assert_true(build(1));
	f = xsdt_find("FACP", &gpa);
	table(gpa, "FACP", 6);
	assert_int_equal(r32(f + 4), 276);
	assert_int_equal(r8(f + 131), 5);              /* FADT minor version */
	/* FACS: 32-bit FIRMWARE_CTRL only, 64-byte aligned, 64 bytes */
	assert_int_equal(r64(f + 132), 0);
	assert_true(IS_ALIGNED(r32(f + 36), 64));
	facs = at(r32(f + 36));
	assert_memory_equal(facs, "FACS", 4);
	assert_int_equal(r32(facs + 4), 64);
	assert_int_equal(r8(facs + 32), 2);
	/* DSDT: X_DSDT, and the same in the 32-bit field */
	assert_int_equal(r32(f + 40), r64(f + 140));
	table(r64(f + 140), "DSDT", 2);
	assert_int_equal(r16(f + 46), PC_SCI_IRQ);
	assert_int_equal(r32(f + 48), PC_SMI_CMD);
	assert_int_equal(r32(f + 48), 0);
	assert_int_equal(r32(f + 56), PC_PM1A_EVT);
	assert_int_equal(r32(f + 60), 0);
	assert_int_equal(r32(f + 64), PC_PM1A_CNT);
	assert_int_equal(r32(f + 76), PC_PM_TMR);
	assert_int_equal(r32(f + 80), PC_GPE0_BLK);
	assert_int_equal(r8(f + 88), 4);
	assert_int_equal(r8(f + 89), 2);
	assert_int_equal(r8(f + 91), 4);
	assert_int_equal(r8(f + 92), PC_GPE0_LEN);
	assert_true(r16(f + 96) > 100);                /* no C2 */
	assert_true(r16(f + 98) > 1000);               /* no C3 */
	assert_int_equal(r8(f + 108), 0x32);           /* CMOS century index */
	assert_int_equal(r16(f + 109), 0x5);           /* legacy devices, no VGA, no 8042 */
	flags = r32(f + 112);
	assert_true(flags & (1U << 0));                /* WBINVD */
	assert_true(flags & (1U << 2));                /* PROC_C1 */
	assert_true(flags & (1U << 4));                /* no fixed power button */
	assert_true(flags & (1U << 5));                /* no fixed sleep button */
	assert_false(flags & (1U << 7));               /* no RTC wake from S4 */
	assert_false(flags & (1U << 8));               /* 24-bit PM timer */
	assert_true(flags & (1U << 10));               /* RESET_REG_SUP */
	assert_false(flags & (1U << 20));              /* not hardware-reduced */
	expect_gas_io(f + 116, PC_RESET_CONTROL, 8);
	assert_int_equal(r8(f + 128), PC_RESET_VALUE);
	expect_gas_io(f + 148, PC_PM1A_EVT, 32);
	expect_gas_io(f + 172, PC_PM1A_CNT, 16);
	expect_gas_io(f + 208, PC_PM_TMR, 32);
	expect_gas_io(f + 220, PC_GPE0_BLK, PC_GPE0_LEN * 8);
	assert_int_equal(r8(f + 160), 0);              /* no PM1b */
	assert_int_equal(r8(f + 244), 0);              /* no sleep control reg */
}

static void test_fadt_power_button(void **state)
{
	struct acpi_platform p = { .nr_cpus = 1, .fixed_power_button = true };
	u64 gpa;

	(void)state;
	assert_true(acpi_tables_build(area, PC_ACPI_RSDP_GPA, sizeof(area), &p, &rsdp, &err));
	assert_false(r32(xsdt_find("FACP", &gpa) + 112) & (1U << 4));
}

static const u8 *find(const u8 *hay, u32 len, const void *needle, u32 n)
{
	for (u32 i = 0; i + n <= len; i++)
		if (!memcmp(hay + i, needle, n))
			return hay + i;
	return NULL;
}

static void test_dsdt(void **state)
{
	u64 gpa;
	const u8 *f, *d;
	u32 len;
	/* Name (\_S5, Package (4) { 5, 5, 0, 0 }) */
	const u8 s5[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04,
			  0x0a, PC_SLP_TYP_S5, 0x0a, PC_SLP_TYP_S5, 0x00, 0x00 };
	/* Name (_HID, EisaId ("PNP0A08")) Name (_CID, EisaId ("PNP0A03")) */
	const u8 hid_cid[] = { 0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x08,
			       0x08, '_', 'C', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03 };
	/* WordBusNumber 0-0; DWordMemory 0xc0000000-0xcfffffff; WordIO 0xd000-0xdfff */
	const u8 bus0[] = { 0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
	const u8 mem[] = { 0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0xc0,
			   0xff, 0xff, 0xff, 0xcf, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x10 };
	const u8 io[] = { 0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0, 0, 0x00, 0xd0, 0xff, 0xdf, 0, 0,
			  0x00, 0x10 };
	/* _PRT: Package () { 0x1ffff, Zero, Zero, 17 } (slot 1, INTA#) and
	 * Package () { 0x1fffff, 3, Zero, 18 } (slot 31, INTD#) */
	const u8 prt_1a[] = { 0x12, 0x0b, 0x04, 0x0c, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00,
			      0x0a, 17 };
	const u8 prt_31d[] = { 0x12, 0x0c, 0x04, 0x0c, 0xff, 0xff, 0x1f, 0x00, 0x0a, 0x03, 0x00,
			       0x0a, 18 };
	const u8 prt_0[] = { 0x0c, 0xff, 0xff, 0x00, 0x00 };
	const u8 com1_io[] = { 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08, 0x22, 0x10, 0x00 };
	const u8 rtc_io[] = { 0x47, 0x01, 0x70, 0x00, 0x70, 0x00, 0x01, 0x02, 0x79, 0x00 };

	(void)state;
	assert_true(build(4));
	f = xsdt_find("FACP", &gpa);
	d = table(r64(f + 140), "DSDT", 2);
	len = r32(d + 4);
	assert_non_null(find(d, len, s5, sizeof(s5)));
	assert_non_null(find(d, len, "PCI0", 4));
	assert_non_null(find(d, len, hid_cid, sizeof(hid_cid)));
	assert_non_null(find(d, len, bus0, sizeof(bus0)));
	assert_non_null(find(d, len, mem, sizeof(mem)));
	assert_non_null(find(d, len, io, sizeof(io)));
	assert_non_null(find(d, len, "_PRT", 4));
	assert_non_null(find(d, len, prt_1a, sizeof(prt_1a)));
	assert_non_null(find(d, len, prt_31d, sizeof(prt_31d)));
	assert_null(find(d, len, prt_0, sizeof(prt_0))); /* the host bridge's slot: no entry */
	assert_non_null(find(d, len, com1_io, sizeof(com1_io)));
	assert_non_null(find(d, len, rtc_io, sizeof(rtc_io)));
	assert_non_null(find(d, len, "C003", 4));
	assert_null(find(d, len, "C004", 4));
	assert_null(find(d, len, "MCFG", 4));
}

static void test_many_cpus(void **state)
{
	u64 gpa;
	const u8 *m;

	(void)state;
	assert_true(build(ACPI_TABLES_MAX_CPUS));
	m = xsdt_find("APIC", &gpa);
	assert_int_equal(r32(m + 4), 44 + 255 * 8 + 12 + 20 + 6);
	assert_int_equal(m[44 + 254 * 8 + 3], 254);
	assert_false(build(ACPI_TABLES_MAX_CPUS + 1));
	assert_non_null(strstr(err, "vCPU count"));
	assert_false(build(0));
	assert_non_null(strstr(err, "vCPU count"));
}

static void test_small_buffer(void **state)
{
	struct acpi_platform p = { .nr_cpus = 2 };
	u64 r = 0x1234, fadt, dsdt, need;

	(void)state;
	assert_true(build(2));
	/* the end of the DSDT is the end of everything */
	dsdt = r64(xsdt_find("FACP", &fadt) + 140);
	need = dsdt + r32(at(dsdt) + 4) - PC_ACPI_RSDP_GPA;
	for (u64 len = 0; len < need; len += (len < 0x100 ? 1 : 7)) {
		err = NULL;
		assert_false(acpi_tables_build(area, PC_ACPI_RSDP_GPA, len, &p, &r, &err));
		assert_non_null(strstr(err, "too small"));
		assert_int_equal(r, 0x1234);
	}
	assert_true(acpi_tables_build(area, PC_ACPI_RSDP_GPA, need, &p, &r, &err));
	assert_false(acpi_tables_build(NULL, PC_ACPI_RSDP_GPA, need, &p, &r, &err));
	assert_false(acpi_tables_build(area, PC_ACPI_RSDP_GPA + 8, need, &p, &r, &err));
	assert_non_null(strstr(err, "aligned"));
	assert_false(acpi_tables_build(area, GiB(4) - 0x1000, 0x2000, &p, &r, &err));
	assert_non_null(strstr(err, "4 GiB"));
	assert_false(acpi_tables_build(area, PC_ACPI_RSDP_GPA, need, NULL, &r, &err));
}

/* The AML writer: PkgLength widths, name strings, sticky errors. */
static void test_aml(void **state)
{
	static u8 buf[0x2000];
	struct aml a;

	(void)state;
	aml_init(&a, buf, sizeof(buf));
	aml_scope(&a, "\\_SB");
	aml_close(&a);
	assert_true(a.ok);
	assert_int_equal(a.len, 7);
	assert_memory_equal(buf, "\x10\x06\x5c_SB_", 7);

	aml_init(&a, buf, sizeof(buf));
	aml_package(&a, 1);
	aml_string(&a, "0123456789012345678901234567890123456789012345678901234567890");
	aml_close(&a); /* body 1 + 63 = 64 bytes: two-byte PkgLength */
	assert_true(a.ok);
	assert_int_equal(a.len, 1 + 2 + 64);
	assert_int_equal(buf[1], 0x40 | ((66) & 0xf));
	assert_int_equal(buf[2], 66 >> 4);
	assert_int_equal(buf[3], 1);

	aml_init(&a, buf, sizeof(buf));
	aml_scope(&a, "\\_SB.PCI0.COM1");
	aml_close(&a);
	assert_memory_equal(buf + 2, "\x5c\x2f\x03_SB_PCI0COM1", 15);

	aml_init(&a, buf, sizeof(buf));
	aml_int(&a, 0x100);
	aml_int(&a, 0x10000);
	aml_int(&a, 0x100000000ULL);
	assert_memory_equal(buf, "\x0b\x00\x01\x0c\x00\x00\x01\x00\x0e\x00\x00\x00\x00\x01\x00\x00\x00", 17);

	const char *bad[] = { "TOOLONG", "1ABC", "A.", "\\_SB..X", "a" };
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		aml_init(&a, buf, sizeof(buf));
		aml_name(&a, bad[i]);
		assert_false(a.ok);
	}
	aml_init(&a, buf, sizeof(buf));
	aml_eisaid(&a, "pnp0a03");
	assert_false(a.ok);
	aml_init(&a, buf, sizeof(buf));
	aml_close(&a); /* nothing open */
	assert_false(a.ok);

	/* too deep, then too small: ok stays false, nothing written past cap */
	aml_init(&a, buf, sizeof(buf));
	for (unsigned i = 0; i <= AML_MAX_DEPTH; i++)
		aml_scope(&a, "X");
	assert_false(a.ok);
	aml_init(&a, buf, 5);
	aml_scope(&a, "\\_SB");
	assert_false(a.ok);
	assert_true(a.len <= 5);
	aml_int(&a, 0);
	assert_false(a.ok);

	/* a PkgLength that must widen when the buffer is exactly full */
	aml_init(&a, buf, 3 + 64);
	aml_package(&a, 0);
	for (unsigned i = 0; i < 64; i++)
		aml_int(&a, 0);
	assert_true(a.ok);
	aml_close(&a);
	assert_false(a.ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsdp_xsdt),
		cmocka_unit_test(test_mcfg),
		cmocka_unit_test(test_madt),
		cmocka_unit_test(test_hpet),
		cmocka_unit_test(test_fadt_facs),
		cmocka_unit_test(test_fadt_power_button),
		cmocka_unit_test(test_dsdt),
		cmocka_unit_test(test_many_cpus),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_aml),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
