/* hv/arch/x86/acpi.c: RSDP discovery, XSDT/RSDT walk, MADT CPU count, and
 * refusal of corrupt tables. */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <bulkhead/acpi.h>

#define MEM_SIZE 0x110000ULL
#define RSDP_PA 0xe0040ULL
#define XSDT_PA 0x100000ULL
#define MADT_PA 0x100400ULL
#define FACP_PA 0x100200ULL

static u8 *mem;
static struct phys_view view;
static struct acpi_info info;
static const char *err;

static void fix_checksum(u8 *p, u32 len, u32 at)
{
	u8 sum = 0;

	p[at] = 0;
	for (u32 i = 0; i < len; i++)
		sum = (u8)(sum + p[i]);
	p[at] = (u8)-sum;
}

static void header(u64 pa, const char *sig, u32 len)
{
	memcpy(mem + pa, sig, 4);
	memcpy(mem + pa + 4, &len, 4);
	mem[pa + 8] = 1;
	memcpy(mem + pa + 10, "BULKHD", 6);
}

static void finish_table(u64 pa)
{
	u32 len;

	memcpy(&len, mem + pa + 4, 4);
	fix_checksum(mem + pa, len, 9);
}

/* MADT with 3 LAPICs (one disabled, one online-capable), an IOAPIC and an x2APIC. */
static void build_madt(void)
{
	u8 *m = mem + MADT_PA;
	u32 off = 44, lapic = 0xfee00000, flags;

	header(MADT_PA, "APIC", 0);
	memcpy(m + 36, &lapic, 4);
	for (int i = 0; i < 3; i++) {
		m[off] = 0; m[off + 1] = 8; m[off + 2] = (u8)i; m[off + 3] = (u8)i;
		flags = i == 0 ? 1 : i == 1 ? 0 : 2;
		memcpy(m + off + 4, &flags, 4);
		off += 8;
	}
	m[off] = 1; m[off + 1] = 12; off += 12;
	m[off] = 9; m[off + 1] = 16; flags = 1;
	memcpy(m + off + 8, &flags, 4);
	off += 16;
	memcpy(m + 4, &off, 4);
	finish_table(MADT_PA);
}

static int setup(void **state)
{
	u8 *r;
	u64 x;
	u32 len = 36;

	(void)state;
	free(mem); /* tests call setup again to start over */
	mem = calloc(1, MEM_SIZE);
	view = (struct phys_view){ mem, 0, MEM_SIZE };
	build_madt();
	header(FACP_PA, "FACP", 36);
	finish_table(FACP_PA);
	header(XSDT_PA, "XSDT", 36 + 16);
	x = FACP_PA;
	memcpy(mem + XSDT_PA + 36, &x, 8);
	x = MADT_PA;
	memcpy(mem + XSDT_PA + 44, &x, 8);
	finish_table(XSDT_PA);
	r = mem + RSDP_PA;
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "BULKHD", 6);
	r[15] = 2;
	memcpy(r + 20, &len, 4);
	x = XSDT_PA;
	memcpy(r + 24, &x, 8);
	fix_checksum(r, 20, 8);
	fix_checksum(r, 36, 32);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(mem);
	mem = NULL;
	return 0;
}

static void test_scan_and_count(void **state)
{
	(void)state;
	assert_true(acpi_read(&view, NULL, 0, &info, &err));
	assert_int_equal(info.rsdp, RSDP_PA);
	assert_int_equal(info.revision, 2);
	assert_int_equal(info.nr_cpus, 3); /* enabled + online-capable + x2APIC */
	assert_int_equal(info.nr_ioapics, 1);
	assert_int_equal(info.lapic_base, 0xfee00000);
}

static void test_rsdp_from_loader(void **state)
{
	u8 copy[36];

	(void)state;
	memcpy(copy, mem + RSDP_PA, 36);
	memset(mem + RSDP_PA, 0, 36); /* not findable by scanning */
	assert_false(acpi_read(&view, NULL, 0, &info, &err));
	assert_non_null(strstr(err, "no RSDP"));
	assert_true(acpi_read(&view, copy, sizeof(copy), &info, &err));
	assert_int_equal(info.nr_cpus, 3);
	copy[0] = 'X';
	assert_false(acpi_read(&view, copy, sizeof(copy), &info, &err));
	assert_true(acpi_read(&view, mem + RSDP_PA + 0, 0, &info, &err) == false);
}

static void test_corrupt_tables(void **state)
{
	(void)state;
	mem[MADT_PA + 50] ^= 0xff; /* MADT checksum now wrong: table ignored */
	assert_false(acpi_read(&view, NULL, 0, &info, &err));
	assert_non_null(strstr(err, "no valid MADT"));
	setup(state);
	mem[XSDT_PA + 20] ^= 1; /* XSDT checksum */
	assert_false(acpi_read(&view, NULL, 0, &info, &err));
	assert_non_null(strstr(err, "XSDT/RSDT"));
	setup(state);
	mem[MADT_PA + 44 + 1] = 200; /* entry runs past the table */
	finish_table(MADT_PA);
	assert_false(acpi_read(&view, NULL, 0, &info, &err));
	assert_non_null(strstr(err, "runs past"));
	setup(state);
	mem[MADT_PA + 44 + 1] = 0; /* zero-length entry: would loop forever */
	finish_table(MADT_PA);
	assert_false(acpi_read(&view, NULL, 0, &info, &err));
	setup(state);
	u32 huge = 0x7fffffff; /* table length past memory */
	memcpy(mem + MADT_PA + 4, &huge, 4);
	assert_false(acpi_read(&view, NULL, 0, &info, &err));
	setup(state);
	u64 bad = ~0ULL - 10; /* XSDT entry pointing nowhere */
	memcpy(mem + XSDT_PA + 44, &bad, 8);
	finish_table(XSDT_PA);
	assert_false(acpi_read(&view, NULL, 0, &info, &err));
}

static void test_rsdt_revision0(void **state)
{
	u8 *r = mem + RSDP_PA;
	u32 rsdt = 0x100800, madt = MADT_PA;

	(void)state;
	header(rsdt, "RSDT", 40);
	memcpy(mem + rsdt + 36, &madt, 4);
	finish_table(rsdt);
	r[15] = 0;
	memcpy(r + 16, &rsdt, 4);
	fix_checksum(r, 20, 8);
	assert_true(acpi_read(&view, NULL, 0, &info, &err));
	assert_int_equal(info.revision, 0);
	assert_int_equal(info.nr_cpus, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scan_and_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rsdp_from_loader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rsdt_revision0, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
