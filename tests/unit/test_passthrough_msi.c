/* hv/dev/pci/passthrough_msi.c: plain MSI of a passed-through function
 * with the host faked (its configuration space an array, the host vector
 * pool, the IOMMU's IRTEs and the VM's APICs recorded): the capability
 * found through the host's list and shown by the filter, one host vector
 * while the guest enables MSI with the hypervisor's message in the host
 * capability (remappable through IRTE 0 when remapping is on), delivery
 * of the guest's message, pending while masked and sent on unmask,
 * hostile messages dropped and counted, an exhausted pool, a refused
 * IRTE, the VM's reset. */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "fake_pt_host.h"
#include <bulkhead/apic_bus.h>
#include <bulkhead/iommu.h>
#include <bulkhead/passthrough_msi.h>
#include <bulkhead/pci_cfg_filter.h>
#include <bulkhead/pci_func_priv.h>
#include <bulkhead/sched.h>
#include <bulkhead/dev.h>
#include <bulkhead/vm.h>
#include <bulkhead/x86/host_msi.h>
#include <bulkhead/x86/host_pci.h>

static struct host_pci_fn hf = { .bus = 0, .dev = 6, .fn = 0 };
static struct vm vm;
static struct pci_cfg_filter filt;
static struct pt_msi m;

#define CAP 0x50U /* 32-bit with per-vector masking: data 58h, mask 5ch, pending 60h */

/* The guest's configuration write, as passthrough_bus.c passes it on. */
static void gw(u32 off, u32 size, u32 v)
{
	if (pci_cfg_filter_write(&filt, off, size, v) & PCI_CFG_FX_MSI)
		pt_msi_changed(&m);
}

static u32 gr(u32 off)
{
	return pci_cfg_filter_read(&filt, off, 4);
}

/* Fires host interrupt k of the pool, as the handler would, then the
 * scheduler's poll. */
static void fire(unsigned k)
{
	fake_pool_fire(k);
	assert_true(pt_msi_due(&m));
	pt_msi_poll(&m);
	assert_false(pt_msi_due(&m));
}

/* A function with power management at 0x70 first in the list and MSI
 * at 0x50: 32-bit, per-vector masking, 2 vectors capable, the host's
 * Enable left on by firmware. */
static int setup(void **state)
{
	static const u64 size[6] = { 0x4000 };
	u8 hdr[64];

	(void)state;
	memset(fake_cfg, 0, sizeof(fake_cfg));
	fake_cfg_put32(0x00, 0x11e81234);
	fake_cfg_put32(0x04, 0x00100006);
	fake_cfg_put32(0x34, 0x70);
	fake_cfg_put32(0x70, 0x00035001);       /* PM, next 0x50 */
	fake_cfg_put32(CAP, 0x01030005);        /* MSI, next 0, PVM, MMC 2, Enable */
	fake_cfg_put32(CAP + 0x0c, 0xffffffff); /* host mask: all masked */
	memcpy(hdr, fake_cfg, 64);
	fake_cfg_guard = CAP, fake_cfg_writable = 0x00710000U; /* Enable and MME */
	fake_pool_left = 2, fake_nsent = 0, fake_kicks = 0;
	fake_intremap = fake_irte_fail = false;
	fake_irte_limit = 4; /* one MSI vector: only the first few IRTEs */
	memset(fake_irte, 0, sizeof(fake_irte));
	memset(fake_pool_fn, 0, sizeof(fake_pool_fn));
	strcpy(vm.name, "t");
	pci_cfg_filter_init(&filt, hdr, size);
	assert_true(pt_msi_probe(&m, NULL, &vm, &hf, &filt));
	return 0;
}

static void guest_program(u32 addr, u32 data)
{
	gw(CAP + 4, 4, addr);
	gw(CAP + 8, 4, data);
}

static void test_capability(void **state)
{
	(void)state;
	assert_int_equal(m.cap, CAP);
	assert_int_equal(fake_cfg[CAP + 2] & 1, 0); /* host MSI off at probe */
	assert_int_equal(gr(0x34) & 0xff, CAP);
	assert_int_equal(gr(CAP), 0x01000005); /* off, MMC 0: one vector */
	assert_false(pt_msi_due(&m));
}

static void test_no_msi(void **state)
{
	(void)state;
	fake_cfg_put32(CAP, 0x00000009); /* a vendor capability */
	assert_false(pt_msi_probe(&m, NULL, &vm, &hf, &filt));
	assert_int_equal(m.cap, 0);
	pt_msi_poll(&m);
	pt_msi_stop(&m);
	pt_msi_reset(&m);
	assert_false(pt_msi_due(&m));
}

static void test_deliver(void **state)
{
	(void)state;
	guest_program(0xfee00000U, 0x41);
	assert_int_equal(fake_pool_left, 2); /* nothing until Enable */
	gw(CAP + 2, 2, 0x0071);         /* Enable, MME 7 asked: 0 kept */
	assert_int_equal(fake_pool_left, 1);
	assert_int_equal(m.host_vec, 0x30);
	assert_int_equal(host_pci_read32(0, 6, 0, CAP) >> 16 & 0x71U, 1); /* on, MME 0 */
	assert_int_equal(host_pci_read32(0, 6, 0, CAP + 4), 0xfee00000U);
	assert_int_equal(host_pci_read32(0, 6, 0, CAP + 8), 0x30);     /* pool's, not guest's */
	assert_int_equal(host_pci_read32(0, 6, 0, CAP + 0xc), 0);      /* host unmasked */
	fire(0);
	fire(0);
	assert_int_equal(fake_nsent, 2);
	assert_int_equal(fake_sent[0].vector, 0x41);
	assert_int_equal(m.delivered, 2);
	assert_int_equal(fake_kicks, 2);
	/* the guest moves its message while enabled: the new one is used */
	gw(CAP + 8, 2, 0x42);
	fire(0);
	assert_int_equal(fake_sent[2].vector, 0x42);
	/* disable: host off, vector back, a late note is not delivered */
	gw(CAP + 2, 2, 0);
	assert_int_equal(host_pci_read32(0, 6, 0, CAP) >> 16 & 1U, 0);
	assert_int_equal(fake_pool_left, 2);
	assert_int_equal(m.host_vec, 0);
	pt_msi_poll(&m);
	assert_int_equal(fake_nsent, 3);
}

static void test_pending(void **state)
{
	(void)state;
	guest_program(0xfee00000U, 0x44);
	gw(CAP + 0xc, 4, 1); /* masked before Enable */
	gw(CAP + 2, 2, 1);
	fire(0);
	assert_int_equal(fake_nsent, 0);
	assert_int_equal(gr(CAP + 0x10), 1); /* pending */
	gw(CAP + 0x10, 4, 0);                /* read-only */
	assert_int_equal(gr(CAP + 0x10), 1);
	gw(CAP + 0xc, 4, 0);                 /* unmask: sent once */
	assert_int_equal(fake_nsent, 1);
	assert_int_equal(fake_sent[0].vector, 0x44);
	assert_int_equal(gr(CAP + 0x10), 0);
	gw(CAP + 0xc, 4, 1);
	gw(CAP + 0xc, 4, 0);
	assert_int_equal(fake_nsent, 1);
	/* pending, then disabled: dropped (6.8.1.3) */
	gw(CAP + 0xc, 4, 1);
	fire(0);
	gw(CAP + 2, 2, 0);
	assert_int_equal(gr(CAP + 0x10), 0);
	gw(CAP + 0xc, 4, 0);
	assert_int_equal(fake_nsent, 1);
}

static void test_hostile(void **state)
{
	(void)state;
	guest_program(0x00001000U, 0x45); /* not an interrupt address */
	gw(CAP + 2, 2, 1);
	fire(0);
	fire(0);
	assert_int_equal(fake_nsent, 0);
	assert_int_equal(m.dropped, 2);
	/* MSI-X cannot be on at the same time: the filter refuses */
	assert_int_equal(filt.msix_cap, 0);
}

static void test_pool_empty(void **state)
{
	(void)state;
	fake_pool_left = 0;
	guest_program(0xfee00000U, 0x41);
	gw(CAP + 2, 2, 1);
	assert_int_equal(m.host_vec, 0);
	assert_int_equal(m.refused, 1);
	assert_int_equal(host_pci_read32(0, 6, 0, CAP) >> 16 & 1U, 0); /* host stays off */
	gw(CAP + 2, 2, 0);
	gw(CAP + 2, 2, 1);
	assert_int_equal(m.refused, 2);
}

static void test_remapped(void **state)
{
	(void)state;
	fake_intremap = true;
	guest_program(0xfee00000U, 0x41);
	gw(CAP + 2, 2, 1);
	assert_true(fake_irte[0].valid);
	assert_int_equal(fake_irte[0].vector, 0x30);
	assert_int_equal(fake_irte[0].bdf, host_pci_bdf(&hf));
	assert_int_equal(host_pci_read32(0, 6, 0, CAP + 4), 0xfee00000U);
	assert_int_equal(host_pci_read32(0, 6, 0, CAP + 8), 0); /* the IRTE's index */
	fire(0);
	assert_int_equal(fake_sent[0].vector, 0x41);
	gw(CAP + 2, 2, 0);
	assert_false(fake_irte[0].valid);
	assert_int_equal(fake_pool_left, 2);
	/* the IOMMU refuses: silent, vector back, host off */
	fake_irte_fail = true;
	gw(CAP + 2, 2, 1);
	assert_int_equal(m.host_vec, 0);
	assert_int_equal(fake_pool_left, 2);
	assert_int_equal(host_pci_read32(0, 6, 0, CAP) >> 16 & 1U, 0);
}

static void test_reset(void **state)
{
	(void)state;
	guest_program(0xfee00000U, 0x41);
	gw(CAP + 0xc, 4, 1);
	gw(CAP + 2, 2, 1);
	fire(0);
	pt_msi_reset(&m);
	assert_int_equal(fake_pool_left, 2);
	assert_int_equal(host_pci_read32(0, 6, 0, CAP) >> 16 & 1U, 0);
	assert_int_equal(gr(CAP), 0x01000005);
	assert_int_equal(gr(CAP + 4), 0);
	assert_int_equal(gr(CAP + 8), 0);
	assert_int_equal(gr(CAP + 0xc), 0);
	assert_int_equal(gr(CAP + 0x10), 0);
	/* the VM's stop with MSI on: vector back */
	guest_program(0xfee00000U, 0x41);
	gw(CAP + 2, 2, 1);
	assert_int_equal(fake_pool_left, 1);
	pt_msi_stop(&m);
	assert_int_equal(fake_pool_left, 2);
	assert_false(pt_msi_due(&m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_capability, setup),
		cmocka_unit_test_setup(test_no_msi, setup),
		cmocka_unit_test_setup(test_deliver, setup),
		cmocka_unit_test_setup(test_pending, setup),
		cmocka_unit_test_setup(test_hostile, setup),
		cmocka_unit_test_setup(test_pool_empty, setup),
		cmocka_unit_test_setup(test_remapped, setup),
		cmocka_unit_test_setup(test_reset, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
