/* hv/dev/pci/passthrough_msix.c: MSI-X of a passed-through function with
 * the host faked (its configuration space an array, its BAR a buffer, the
 * host vector pool and the VM's APICs recorded): the capability found
 * through the host's list and shown by the filter, the trapped pages, the
 * virtual table, a host vector per unmasked entry with the hypervisor's
 * message in the host table, delivery of the guest's message, pending
 * while masked and sent on unmask, hostile messages dropped and counted,
 * an exhausted pool, and the stop. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "unit.h"
#include "fake_pt_host.h"
#include <bulkhead/apic_bus.h>
#include <bulkhead/iommu.h>
#include <bulkhead/passthrough_msix.h>
#include <bulkhead/pci_cfg_filter.h>
#include <bulkhead/pci_func_priv.h>
#include <bulkhead/sched.h>
#include <bulkhead/dev.h>
#include <bulkhead/vm.h>
#include <bulkhead/x86/host_msi.h>
#include <bulkhead/x86/host_pci.h>

/* its BAR 0, below 4 GiB as the hypervisor needs it (it reaches host MMIO
 * through its identity map of the first 4 GiB) */
static u32 *bar0;
#define BAR0_AT 0x40000000UL
static struct host_pci_fn hf = { .bus = 0, .dev = 5, .fn = 0 };
static struct vm vm;
static struct pci_cfg_filter filt;
static struct pt_msix m;

static u32 host_entry(u32 i, u32 field)
{
	return bar0[(0x2000 + 16 * i + 4 * field) / 4];
}

#define T 0x2000U /* the table's offset in BAR 0 */

static u32 rd(u64 off, u32 size)
{
	u64 v = 0;

	assert_int_equal(pt_msix_access(&m, 0, off, size, &v, false), BUS_OK);
	return (u32)v;
}

static void wr(u64 off, u32 val)
{
	u64 v = val;

	assert_int_equal(pt_msix_access(&m, 0, off, 4, &v, true), BUS_OK);
}

/* QEMU's nvme: a power management capability at 0x60 first in the list,
 * MSI-X at 0x40 with 65 entries, table at BAR 0 + 0x2000, PBA + 0x3000. */
static int setup(void **state)
{
	static const u64 size[6] = { 0x4000 };
	u64 bars[6] = { 0 };
	u8 hdr[64];

	(void)state;
	if (!bar0) {
		void *p = mmap((void *)BAR0_AT, 0x4000, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

		assert_true(p == (void *)BAR0_AT);
		bar0 = p;
	}
	bars[0] = BAR0_AT;
	memset(fake_cfg, 0, sizeof(fake_cfg));
	memset(bar0, 0xa5, 0x4000);
	fake_cfg_put32(0x00, 0x00101b36);
	fake_cfg_put32(0x04, 0x00100006); /* capability list */
	fake_cfg_put32(0x10, 0x00000004); /* 64-bit memory BAR */
	fake_cfg_put32(0x34, 0x60);
	fake_cfg_put32(0x60, 0x00034001); /* PM, next 0x40 */
	fake_cfg_put32(0x40, 0x00400011); /* MSI-X, next 0, 65 entries */
	fake_cfg_put32(0x44, 0x2000);
	fake_cfg_put32(0x48, 0x3000);
	memcpy(hdr, fake_cfg, 64);
	fake_cfg_guard = 0x40, fake_cfg_writable = 0xc0000000U; /* MSI-X Enable, Function Mask */
	fake_pool_left = 2, fake_pool_used = 0, fake_nsent = 0, fake_kicks = 0;
	fake_intremap = fake_irte_fail = false;
	memset(fake_irte, 0, sizeof(fake_irte));
	memset(fake_pool_fn, 0, sizeof(fake_pool_fn));
	strcpy(vm.name, "t");
	pci_cfg_filter_init(&filt, hdr, size);
	assert_true(pt_msix_probe(&m, NULL, &vm, &hf, bars, &filt));
	return 0;
}

/* Guest: Enable with the function masked, program entries, unmask the
 * function (what Linux does, 6.8.2). */
static void guest_enable(void)
{
	assert_int_equal(pci_cfg_filter_write(&filt, 0x42, 2, 0xc000), PCI_CFG_FX_MSIX);
	pt_msix_ctrl_changed(&m);
	for (u32 i = 0; i < 3; i++) {
		wr(T + 16 * i, 0xfee00000U | i << 12); /* APIC ID i */
		wr(T + 16 * i + 4, 0);
		wr(T + 16 * i + 8, 0x40 + i);          /* fixed, vector 0x40 + i */
	}
	assert_int_equal(pci_cfg_filter_write(&filt, 0x42, 2, 0x8000), PCI_CFG_FX_MSIX);
	pt_msix_ctrl_changed(&m);
}

static void test_capability(void **state)
{
	u64 lo, hi;

	(void)state;
	assert_int_equal(m.nvec, 32);
	assert_int_equal(m.host_nvec, 65);
	assert_int_equal(pci_cfg_filter_read(&filt, 0x34, 1), 0x40);
	assert_int_equal(pci_cfg_filter_read(&filt, 0x40, 4), 0x001f0011); /* 32 offered */
	assert_true(pt_msix_hole(&m, 0, 0, &lo, &hi));
	assert_int_equal(lo, 0x2000);
	assert_int_equal(hi, 0x3000); /* 65 entries: 1040 bytes */
	assert_true(pt_msix_hole(&m, 0, 1, &lo, &hi));
	assert_int_equal(lo, 0x3000);
	assert_int_equal(hi, 0x4000);
	assert_false(pt_msix_hole(&m, 2, 0, &lo, &hi));
	assert_false(m.host_on);
	assert_int_equal(fake_cfg[0x43] & 0xc0, 0);
}

static void test_no_msix(void **state)
{
	static const u64 size[6] = { 0x4000 };
	u64 bars[6] = { BAR0_AT };
	u64 lo, hi;

	(void)state;
	fake_cfg_put32(0x60, 0x00006001); /* PM pointing to itself: the walk must end */
	fake_cfg_put32(0x34, 0x60);
	pci_cfg_filter_init(&filt, fake_cfg, size);
	assert_false(pt_msix_probe(&m, NULL, &vm, &hf, bars, &filt));
	assert_false(pt_msix_hole(&m, 0, 0, &lo, &hi));
	assert_int_equal(pci_cfg_filter_read(&filt, 0x34, 1), 0);
	fake_cfg_put32(0x34, 0x40);
	fake_cfg_put32(0x44, 0x3c00); /* the table runs past the BAR */
	pci_cfg_filter_init(&filt, fake_cfg, size);
	assert_false(pt_msix_probe(&m, NULL, &vm, &hf, bars, &filt));
	assert_int_equal(pci_cfg_filter_read(&filt, 0x34, 1), 0);
}

static void test_table(void **state)
{
	u64 v = 0;

	(void)state;
	assert_int_equal(rd(T + 12, 4), 1); /* masked after reset */
	wr(T, 0xfee01003U);
	assert_int_equal(rd(T, 4), 0xfee01000U); /* bits 1:0 read 0 */
	wr(T + 12, 0xfffffffeU);
	assert_int_equal(rd(T + 12, 4), 0);          /* reserved bits read 0 */
	assert_int_equal(pt_msix_access(&m, 0, T, 8, &v, false), BUS_OK);
	assert_int_equal(v, 0xfee01000ULL);
	/* the guest's message never reaches the host table */
	assert_int_equal(host_entry(0, 0), 0xa5a5a5a5U);
	/* entries past the 32 offered: 0, writes dropped */
	wr(0x2000 + 16 * 40, 0x1234);
	assert_int_equal(rd(T, 4), 0xfee01000U);
	v = 0;
	assert_int_equal(pt_msix_access(&m, 0, 0x2000 + 16 * 40, 4, &v, false), BUS_OK);
	assert_int_equal(v, 0);
	assert_int_equal(host_entry(40, 0), 0xa5a5a5a5U);
	/* bad sizes and alignment refused */
	assert_int_equal(pt_msix_access(&m, 0, 0x2000 + 2, 2, &v, false), BUS_BAD_ACCESS);
	assert_int_equal(pt_msix_access(&m, 0, 0x2000 + 4, 8, &v, false), BUS_BAD_ACCESS);
	/* the rest of the pages reaches the host BAR */
	v = 0x11223344;
	assert_int_equal(pt_msix_access(&m, 0, 0x2800, 4, &v, true), BUS_OK);
	assert_int_equal(bar0[0x2800 / 4], 0x11223344U);
	v = 0;
	assert_int_equal(pt_msix_access(&m, 0, 0x2802, 2, &v, false), BUS_OK);
	assert_int_equal(v, 0x1122);
}

static void test_deliver(void **state)
{
	(void)state;
	guest_enable();
	assert_true(m.host_on);
	assert_int_equal(fake_cfg[0x43] & 0xc0, 0x80); /* host: enabled, unmasked */
	assert_int_equal(host_entry(0, 3), 1);    /* host entries masked */
	assert_int_equal(fake_pool_used, 0);           /* nothing unmasked yet */
	wr(T + 12, 0);                                /* unmask entry 0 */
	assert_int_equal(fake_pool_used, 1);
	assert_int_equal(host_entry(0, 0), 0xfee00000U);
	assert_int_equal(host_entry(0, 1), 0);
	assert_int_equal(host_entry(0, 2), HOST_MSI_VECTOR_FIRST);
	assert_int_equal(host_entry(0, 3), 0);
	fake_pool_fire(0);
	assert_int_equal(fake_kicks, 1);
	assert_true(pt_msix_due(&m));
	assert_int_equal(fake_nsent, 0); /* the scheduler's poll delivers */
	pt_msix_poll(&m);
	assert_false(pt_msix_due(&m));
	assert_int_equal(fake_nsent, 1);
	assert_int_equal(fake_sent[0].vector, 0x40);
	assert_int_equal(fake_sent[0].dest, 0);
	assert_int_equal(fake_sent[0].mode, APIC_FIXED);
	assert_int_equal(m.delivered, 1);
}

static void test_pending(void **state)
{
	(void)state;
	guest_enable();
	wr(T + 16 + 12, 0); /* entry 1 */
	wr(T + 16 + 12, 1); /* masked again: its host vector stays */
	assert_int_equal(fake_pool_used, 1);
	fake_pool_fire(0);
	pt_msix_poll(&m);
	assert_int_equal(fake_nsent, 0);
	assert_int_equal(rd(0x3000, 4), 2); /* the PBA: entry 1 pending */
	wr(0x3000, 0);                      /* PBA writes dropped */
	assert_int_equal(rd(0x3000, 4), 2);
	wr(T + 16 + 12, 0);                     /* unmask: sent */
	assert_int_equal(fake_nsent, 1);
	assert_int_equal(fake_sent[0].vector, 0x41);
	assert_int_equal(fake_sent[0].dest, 1);
	assert_int_equal(rd(0x3000, 4), 0);
	/* function mask: pending, sent when it clears */
	assert_int_equal(pci_cfg_filter_write(&filt, 0x43, 1, 0xc0), PCI_CFG_FX_MSIX);
	pt_msix_ctrl_changed(&m);
	fake_pool_fire(0);
	pt_msix_poll(&m);
	assert_int_equal(fake_nsent, 1);
	assert_int_equal(pci_cfg_filter_write(&filt, 0x43, 1, 0x80), PCI_CFG_FX_MSIX);
	pt_msix_ctrl_changed(&m);
	assert_int_equal(fake_nsent, 2);
}

static void test_hostile(void **state)
{
	(void)state;
	guest_enable();
	wr(T, 0xfec00000U);  /* not an interrupt's address */
	wr(T + 12, 0);
	fake_pool_fire(0);
	pt_msix_poll(&m);
	assert_int_equal(fake_nsent, 0);
	assert_int_equal(m.dropped, 1);
	wr(T, 0xfee00000U);
	wr(T + 8, 0x0700 | 0x40); /* ExtINT */
	fake_pool_fire(0);
	pt_msix_poll(&m);
	wr(T + 4, 1);             /* above 4 GiB */
	wr(T + 8, 0x40);
	fake_pool_fire(0);
	pt_msix_poll(&m);
	assert_int_equal(fake_nsent, 0);
	assert_int_equal(m.dropped, 3);
	/* the host entry still holds the hypervisor's message */
	assert_int_equal(host_entry(0, 0), 0xfee00000U);
	assert_int_equal(host_entry(0, 2), HOST_MSI_VECTOR_FIRST);
}

static void test_pool_and_stop(void **state)
{
	(void)state;
	guest_enable();
	wr(T + 12, 0);
	wr(T + 16 + 12, 0);
	wr(T + 32 + 12, 0); /* the pool (2) is empty: entry 2 stays silent */
	assert_int_equal(fake_pool_used, 2);
	assert_int_equal(m.refused, 1);
	assert_int_equal(host_entry(2, 3), 1);
	pt_msix_stop(&m);
	assert_false(m.host_on);
	assert_int_equal(fake_cfg[0x43] & 0xc0, 0);
	assert_int_equal(fake_pool_left, 2);
	assert_int_equal(host_entry(0, 3), 1);
	assert_int_equal(host_entry(1, 3), 1);
	/* the guest clears Enable: the same */
	guest_enable();
	wr(T + 12, 0);
	assert_true(m.host_on);
	assert_int_equal(pci_cfg_filter_write(&filt, 0x43, 1, 0), PCI_CFG_FX_MSIX);
	pt_msix_ctrl_changed(&m);
	assert_false(m.host_on);
	assert_int_equal(fake_pool_left, 2);
	/* the VM's reset: the guest's view back to reset too */
	guest_enable();
	wr(T + 12, 0);
	pt_msix_reset(&m);
	assert_int_equal(fake_pool_left, 2);
	assert_int_equal(pci_cfg_filter_read(&filt, 0x42, 2), 0x1f);
	assert_int_equal(rd(T + 12, 4), 1);
	assert_int_equal(rd(T, 4), 0);
}

/* With interrupt remapping the host entry holds the remappable form
 * (address FEE0_0000h, data = its IRTE index = the entry) and the IRTE the
 * pool's vector; stopping invalidates it; a refused IRTE leaves the entry
 * silent with its vector given back. */
static void test_remapped(void **state)
{
	(void)state;
	fake_intremap = true;
	guest_enable();
	wr(T + 16 + 12, 0); /* unmask entry 1 */
	assert_int_equal(fake_pool_used, 1);
	assert_int_equal(host_entry(1, 0), 0xfee00000U);
	assert_int_equal(host_entry(1, 1), 0);
	assert_int_equal(host_entry(1, 2), 1); /* the IRTE index, not the vector */
	assert_int_equal(host_entry(1, 3), 0);
	assert_true(fake_irte[1].valid);
	assert_int_equal(fake_irte[1].vector, HOST_MSI_VECTOR_FIRST);
	assert_int_equal(fake_irte[1].apic, 0);
	assert_int_equal(fake_irte[1].bdf, 5 << 3);
	assert_false(fake_irte[0].valid || fake_irte[HOST_MSI_VECTOR_FIRST].valid);
	fake_pool_fire(0); /* the pool's first vector: entry 1's */
	pt_msix_poll(&m);
	assert_int_equal(fake_nsent, 1);
	assert_int_equal(fake_sent[0].vector, 0x41); /* the guest's message */
	pt_msix_stop(&m);
	assert_false(fake_irte[1].valid);
	assert_int_equal(fake_pool_left, 2);
	/* the IOMMU refuses: silent, vector back */
	fake_irte_fail = true;
	guest_enable();
	wr(T + 12, 0);
	assert_int_equal(fake_pool_left, 2);
	assert_int_equal(host_entry(0, 3), 1);
	assert_false(m.host_vec[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_capability, setup),
		cmocka_unit_test_setup(test_no_msix, setup),
		cmocka_unit_test_setup(test_table, setup),
		cmocka_unit_test_setup(test_deliver, setup),
		cmocka_unit_test_setup(test_pending, setup),
		cmocka_unit_test_setup(test_hostile, setup),
		cmocka_unit_test_setup(test_pool_and_stop, setup),
		cmocka_unit_test_setup(test_remapped, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
