/* hv/arch/x86/iommu/iommu.c over a fake AMD-Vi (the amd_vi_hw.h calls
 * recorded): no IOMMU means every call answers IOMMU_NONE; attach writes a
 * translating entry for the device and its IVRS alias, detach puts blocked
 * ones back (the alias only when its last user goes), a requestor ID of
 * another domain is refused, and every map and unmap flushes the domain. */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <bulkhead/amd_vi.h>
#include <bulkhead/amd_vi_hw.h>
#include <bulkhead/amd_vi_ir.h>
#include <bulkhead/iommu.h>
#include <bulkhead/mm.h>

#define EMPTY_ROOT 0x5000ULL

/* The fake hardware */
static u64 dtes[AMD_VI_NR_DEVIDS][4];
static unsigned nr_flushes, nr_dte_writes;
static u16 last_flushed;
static bool hw_ok = true;

bool amd_vi_hw_init(u64 base, const char **err)
{
	u64 blocked[4];

	assert_int_equal(base, 0xfed80000);
	amd_vi_dte_blocked(blocked, EMPTY_ROOT);
	for (u32 i = 0; i < AMD_VI_NR_DEVIDS; i++)
		memcpy(dtes[i], blocked, sizeof(blocked));
	*err = "fake failure";
	return hw_ok;
}

bool amd_vi_hw_set_dte(u16 devid, const u64 dte[4])
{
	memcpy(dtes[devid], dte, 32);
	nr_dte_writes++;
	return true;
}

bool amd_vi_hw_flush_domain(u16 domid)
{
	last_flushed = domid;
	nr_flushes++;
	return true;
}

static unsigned nr_irt_invalidations;
static u16 last_irt_invalidated;
bool amd_vi_hw_invalidate_irt(u16 devid)
{
	last_irt_invalidated = devid;
	nr_irt_invalidations++;
	return true;
}

u64 amd_vi_hw_empty_root(void)
{
	return EMPTY_ROOT;
}

unsigned amd_vi_hw_poll_events(unsigned max_lines)
{
	(void)max_lines;
	return 0;
}

/* Table pages: the identity-mapped hypervisor's pages become heap pages. */
u64 mm_alloc_pages(u64 npages)
{
	void *p = aligned_alloc(4096, npages * 4096);

	assert_non_null(p);
	memset(p, 0, npages * 4096);
	return (u64)(uintptr_t)p;
}

void mm_free_pages(u64 pa, u64 npages)
{
	(void)npages;
	free((void *)(uintptr_t)pa);
}

/* An IVRS: one IOMMU; 00:00.0-00:1f.7 direct, bus 1 behind a PCIe-to-PCI
 * bridge 00:1e.0 whose DMA arrives as 00:1e.0. */
static u8 ivrs[256];

static void build_ivrs_ioapic(struct acpi_info *ai, struct phys_view *v, bool ioapic)
{
	u8 *b = ivrs + 48;
	u32 len;

	memset(ivrs, 0, sizeof(ivrs));
	memcpy(ivrs, "IVRS", 4);
	b[0] = 0x10;
	b[4] = 0x10; /* the IOMMU is 00:02.0 */
	u64 base = 0xfed80000;
	memcpy(b + 8, &base, 8);
	u8 *e = b + 24;
	e[0] = 3; e[1] = 0x00; e[2] = 0x00;                   /* start 00:00.0 */
	e[4] = 4; e[5] = 0xff; e[6] = 0x00;                   /* end 00:1f.7 */
	e[8] = 67; e[9] = 0x00; e[10] = 0x01; e[13] = 0xf0; e[14] = 0x00; /* alias range 01:00.0 -> 00:1e.0 */
	e[16] = 4; e[17] = 0xff; e[18] = 0x01;                /* end 01:1f.7 */
	u16 blen = 24 + 20;
	if (ioapic) { /* special entry, variety IOAPIC at 00:14.0 (what QEMU's intremap adds) */
		e[20] = 72; e[25] = 0xa0; e[26] = 0x00; e[27] = 1;
		blen += 8;
	}
	memcpy(b + 2, &blen, 2);
	len = 48 + blen;
	memcpy(ivrs + 4, &len, 4);
	*v = (struct phys_view){ ivrs, 0x100000, sizeof(ivrs) };
	memset(ai, 0, sizeof(*ai));
	ai->ivrs_pa = 0x100000;
	ai->ivrs_len = len;
}

static void build_ivrs(struct acpi_info *ai, struct phys_view *v)
{
	build_ivrs_ioapic(ai, v, false);
}

static bool translating(u16 devid, u16 domid)
{
	return (dtes[devid][0] & 3) == 3 && (dtes[devid][0] >> 61 & 3) == 3 &&
	       (dtes[devid][1] & 0xffff) == domid;
}

static bool blocked(u16 devid)
{
	u64 want[4];

	amd_vi_dte_blocked(want, EMPTY_ROOT);
	return !memcmp(dtes[devid], want, sizeof(want));
}

/* Runs first: the API before iommu_init found anything. */
static void test_no_iommu(void **state)
{
	const char *why = NULL;
	struct acpi_info ai;
	struct phys_view v = { NULL, 0, 0 };

	(void)state;
	assert_int_equal(iommu_passthrough_allowed(&why), IOMMU_NONE);
	memset(&ai, 0, sizeof(ai));
	iommu_init(&ai, &v); /* no IVRS */
	assert_false(iommu_present());
	assert_int_equal(iommu_passthrough_allowed(&why), IOMMU_NONE);
	assert_non_null(strstr(why, "no IVRS"));
	assert_null(iommu_domain_create());
	assert_int_equal(iommu_attach(NULL, 8), IOMMU_NONE);
	assert_int_equal(iommu_detach(8), IOMMU_NONE);
	assert_int_equal(iommu_map(NULL, 0, 0, 4096, IOMMU_READ), IOMMU_NONE);
	assert_int_equal(iommu_poll_events(), 0);
	/* an IVRS whose IOMMU cannot be enabled: still none */
	build_ivrs(&ai, &v);
	hw_ok = false;
	iommu_init(&ai, &v);
	assert_false(iommu_present());
	assert_int_equal(iommu_passthrough_allowed(&why), IOMMU_NONE);
	assert_non_null(strstr(why, "could not be enabled"));
	hw_ok = true;
}

static void test_attach_detach(void **state)
{
	struct iommu_domain *a, *b;
	const char *why;
	struct acpi_info ai;
	struct phys_view v;

	(void)state;
	build_ivrs(&ai, &v);
	iommu_init(&ai, &v);
	assert_true(iommu_present());
	assert_int_equal(iommu_passthrough_allowed(&why), IOMMU_OK);
	a = iommu_domain_create();
	b = iommu_domain_create();
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a->id != b->id && a->id > 0 && a->id < 256 && b->id < 256);

	/* a device on bus 0: its own entry only */
	assert_int_equal(iommu_attach(a, 0x0020), IOMMU_OK);
	assert_true(translating(0x0020, a->id));
	assert_int_equal(dtes[0x0020][0] & AMD_VI_DTE_ROOT_MASK, a->pt.root);
	assert_true(blocked(0x0021) && blocked(0x00f0));
	assert_int_equal(iommu_attach(b, 0x0020), IOMMU_BUSY);
	assert_true(translating(0x0020, a->id));

	/* two devices behind the bridge: alias 00:1e.0 follows them */
	assert_int_equal(iommu_attach(a, 0x0108), IOMMU_OK);
	assert_int_equal(iommu_attach(a, 0x0110), IOMMU_OK);
	assert_true(translating(0x0108, a->id) && translating(0x00f0, a->id));
	assert_int_equal(iommu_attach(b, 0x0118), IOMMU_BUSY); /* its alias is a's */
	assert_true(blocked(0x0118));
	assert_int_equal(iommu_attach(b, 0x00f0), IOMMU_BUSY); /* the alias itself */
	assert_int_equal(a->nr_devices, 3);
	assert_false(iommu_domain_destroy(a)); /* devices attached */

	assert_int_equal(iommu_detach(0x0108), IOMMU_OK);
	assert_true(blocked(0x0108) && translating(0x00f0, a->id)); /* 0x0110 still uses it */
	assert_int_equal(iommu_detach(0x0110), IOMMU_OK);
	assert_true(blocked(0x0110) && blocked(0x00f0));
	assert_int_equal(iommu_attach(b, 0x0118), IOMMU_OK);
	assert_true(translating(0x00f0, b->id));
	assert_int_equal(iommu_detach(0x0118), IOMMU_OK);
	assert_int_equal(iommu_detach(0x0020), IOMMU_OK);
	assert_true(blocked(0x0020));
	assert_int_equal(iommu_detach(0x0020), IOMMU_OK); /* twice: nothing to do */
	assert_int_equal(a->nr_devices, 0);
	assert_true(iommu_domain_destroy(a));
	assert_true(iommu_domain_destroy(b));
	assert_false(iommu_domain_destroy(b));
}

/* With the IOAPIC in the IVRS: attach gives the device and its alias a
 * remapping table of invalid entries (IV, IntCtl remap, 2048 entries);
 * iommu_irte_set makes one entry valid and invalidates the IOMMU's copy;
 * detach blocks and frees. Without it, no remapping and no tables. */
static void test_intremap(void **state)
{
	struct iommu_domain *d;
	struct acpi_info ai;
	struct phys_view v;
	const u32 *t;
	u64 irt;

	(void)state;
	build_ivrs(&ai, &v);
	iommu_init(&ai, &v);
	assert_false(iommu_intremap());
	assert_int_equal(dtes[0x00a0][2], 0);
	d = iommu_domain_create();
	assert_int_equal(iommu_attach(d, 0x0020), IOMMU_OK);
	assert_int_equal(dtes[0x0020][2], 0);
	assert_int_equal(iommu_irte_set(0x0020, 0, 0x30, 0), IOMMU_NONE);
	assert_int_equal(iommu_detach(0x0020), IOMMU_OK);
	assert_true(iommu_domain_destroy(d));

	build_ivrs_ioapic(&ai, &v, true);
	iommu_init(&ai, &v);
	assert_true(iommu_intremap());
	assert_int_equal(dtes[0x00a0][2], 1);   /* the IOAPIC's interrupts: IV, IntCtl abort */
	assert_int_equal(dtes[0x00a0][0] & 0x6000000000000003ULL, 3); /* and no DMA */
	d = iommu_domain_create();
	assert_int_equal(iommu_attach(d, 0x0020), IOMMU_OK);
	assert_true(translating(0x0020, d->id));
	assert_int_equal(dtes[0x0020][2] & 1, 1);            /* IV */
	assert_int_equal(dtes[0x0020][2] >> 1 & 0xf, 11);    /* 2048 entries */
	assert_int_equal(dtes[0x0020][2] >> 60 & 3, 2);      /* IntCtl: remapped */
	assert_int_equal(dtes[0x0020][2] >> 56 & 7, 0);      /* no INIT/ExtInt/NMI pass */
	irt = dtes[0x0020][2] & AMD_VI_DTE2_IRT_MASK;
	assert_true(irt != 0);
	t = (const u32 *)(uintptr_t)irt;
	for (u32 i = 0; i < AMD_VI_IRT_ENTRIES; i++)
		assert_int_equal(t[i], 0);                   /* every entry invalid */
	nr_irt_invalidations = 0;
	assert_int_equal(iommu_irte_set(0x0020, 3, 0x31, 2), IOMMU_OK);
	assert_int_equal(t[3], amd_vi_irte(0x31, 2));
	assert_int_equal(t[2] | t[4] | t[0x31], 0);
	assert_true(nr_irt_invalidations == 1 && last_irt_invalidated == 0x0020);
	assert_int_equal(iommu_irte_set(0x0020, 256, 0x31, 0), IOMMU_BAD_ARGS);
	assert_int_equal(iommu_irte_set(0x0021, 0, 0x31, 0), IOMMU_NONE); /* not attached */
	assert_int_equal(iommu_irte_clear(0x0020, 3), IOMMU_OK);
	assert_int_equal(t[3], 0);
	/* behind the bridge: the alias's entry remaps through the same table */
	assert_int_equal(iommu_attach(d, 0x0108), IOMMU_OK);
	assert_true(dtes[0x0108][2] & 1);
	assert_int_equal(dtes[0x00f0][2], dtes[0x0108][2]);
	nr_irt_invalidations = 0;
	assert_int_equal(iommu_irte_set(0x0108, 0, 0x32, 0), IOMMU_OK);
	assert_int_equal(nr_irt_invalidations, 2); /* the device and its alias */
	assert_int_equal(iommu_detach(0x0108), IOMMU_OK);
	assert_int_equal(iommu_detach(0x0020), IOMMU_OK);
	assert_true(blocked(0x0020) && blocked(0x0108) && blocked(0x00f0));
	assert_int_equal(iommu_irte_set(0x0020, 3, 0x31, 0), IOMMU_NONE); /* table freed */
	assert_true(iommu_domain_destroy(d));
}

static void test_map_flushes(void **state)
{
	struct iommu_domain *d = iommu_domain_create();
	unsigned before;
	u64 pa, size;
	unsigned acc;

	(void)state;
	assert_non_null(d);
	before = nr_flushes;
	assert_int_equal(iommu_map(d, 0x200000, 0x40000000, 0x200000, IOMMU_READ | IOMMU_WRITE),
			 IOMMU_OK);
	assert_true(nr_flushes == before + 1 && last_flushed == d->id);
	assert_true(io_pt_translate(&d->pt, 0x201000, &pa, &acc, &size) && pa == 0x40001000);
	assert_int_equal(iommu_map(d, 0x200000, 0, 4096, IOMMU_READ), IOMMU_EXISTS);
	assert_int_equal(iommu_map(d, 0x123, 0, 4096, IOMMU_READ), IOMMU_BAD_ARGS);
	assert_int_equal(nr_flushes, before + 1); /* nothing changed: no flush */
	assert_int_equal(iommu_unmap(d, 0x200000, 0x1000), IOMMU_OK);
	assert_true(nr_flushes == before + 2 && last_flushed == d->id);
	assert_false(io_pt_translate(&d->pt, 0x200000, &pa, &acc, &size));
	assert_int_equal(iommu_map((struct iommu_domain *)&nr_flushes, 0, 0, 4096, IOMMU_READ),
			 IOMMU_BAD_ARGS); /* not a domain */
	assert_true(iommu_domain_destroy(d));
	assert_int_equal(iommu_map(d, 0, 0, 4096, IOMMU_READ), IOMMU_BAD_ARGS); /* destroyed */
	for (int i = 0; i < IOMMU_MAX_DOMAINS; i++)
		assert_non_null(iommu_domain_create());
	assert_null(iommu_domain_create());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_iommu),
		cmocka_unit_test(test_attach_detach),
		cmocka_unit_test(test_intremap),
		cmocka_unit_test(test_map_flushes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
