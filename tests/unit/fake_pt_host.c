/* The host of a passed-through function, faked for the unit tests of its
 * MSI and MSI-X mediation: its configuration space an array, the host
 * vector pool, the IOMMU's interrupt remapping entries and the VM's APIC
 * messages recorded (fake_pt_host.h); pci_msix.c's emulated side, linked
 * but never used there, aborts. */
#include <stdlib.h>
#include "unit.h"
#include <bulkhead/dev.h>
#include <bulkhead/pci_func_priv.h>
#include <bulkhead/sched.h>
#include <bulkhead/x86/host_pci.h>
#include "fake_pt_host.h"

u8 fake_cfg[256];
u8 fake_cfg_guard;
u32 fake_cfg_writable;
unsigned fake_pool_left, fake_pool_used;
host_msi_fn fake_pool_fn[4];
void *fake_pool_ctx[4];
u32 fake_pool_tag[4];
bool fake_intremap, fake_irte_fail;
unsigned fake_irte_limit = 256; /* the IRTE indexes a test may see */
struct fake_irte fake_irte[256];
struct apic_msg fake_sent[8];
unsigned fake_nsent, fake_kicks;

void fake_cfg_put32(u32 off, u32 v)
{
	for (u32 i = 0; i < 4; i++)
		fake_cfg[off + i] = (u8)(v >> (8 * i));
}

u32 host_pci_read32(u8 bus, u8 dev, u8 fn, u8 reg)
{
	(void)bus, (void)dev, (void)fn;
	return (u32)fake_cfg[reg] | (u32)fake_cfg[reg + 1] << 8 | (u32)fake_cfg[reg + 2] << 16 |
	       (u32)fake_cfg[reg + 3] << 24;
}

void host_pci_write32(u8 bus, u8 dev, u8 fn, u8 reg, u32 v)
{
	if (fake_cfg_guard && reg == fake_cfg_guard)
		v = (v & fake_cfg_writable) | (host_pci_read32(bus, dev, fn, reg) & ~fake_cfg_writable);
	fake_cfg_put32(reg, v);
}

bool host_msi_alloc(host_msi_fn fn, void *ctx, u32 tag, u8 *vector, u32 *addr, u32 *data)
{
	unsigned k = 0;

	if (!fake_pool_left)
		return false;
	while (fake_pool_fn[k])
		k++;
	assert_true(k < 4);
	fake_pool_left--;
	fake_pool_used++;
	fake_pool_fn[k] = fn, fake_pool_ctx[k] = ctx, fake_pool_tag[k] = tag;
	*vector = (u8)(HOST_MSI_VECTOR_FIRST + k);
	*addr = 0xfee00000U;
	*data = *vector;
	return true;
}

void host_msi_free(u8 vector)
{
	fake_pool_fn[vector - HOST_MSI_VECTOR_FIRST] = NULL;
	fake_pool_left++;
}

void fake_pool_fire(unsigned k)
{
	assert_non_null(fake_pool_fn[k]);
	fake_pool_fn[k](fake_pool_ctx[k], fake_pool_tag[k]);
}

bool iommu_intremap(void) { return fake_intremap; }

enum iommu_result iommu_irte_set(u16 bdf, u16 index, u8 vector, u8 apic_id)
{
	assert_true(fake_intremap && index < fake_irte_limit);
	if (fake_irte_fail)
		return IOMMU_HW_TIMEOUT;
	fake_irte[index].valid = true;
	fake_irte[index].vector = vector, fake_irte[index].apic = apic_id;
	fake_irte[index].bdf = bdf;
	return IOMMU_OK;
}

enum iommu_result iommu_irte_clear(u16 bdf, u16 index)
{
	assert_true(fake_intremap && index < fake_irte_limit && fake_irte[index].bdf == bdf);
	fake_irte[index].valid = false;
	return IOMMU_OK;
}

void dev_apic_send(struct dev_host *h, const struct apic_msg *msg)
{
	(void)h;
	if (fake_nsent < 8)
		fake_sent[fake_nsent] = *msg;
	fake_nsent++;
}

void sched_kick_vm(const struct vm *v)
{
	(void)v;
	fake_kicks++;
}

/* pci_msix.c's emulated side, not used by these tests */
void *dev_alloc(struct dev_host *h, u64 size) { (void)h, (void)size; abort(); }
u8 pci_func_add_cap(struct pci_func *f, u8 id, const void *body, u32 len)
{ (void)f, (void)id, (void)body, (void)len; abort(); }
bool pci_func_msi_enabled(const struct pci_func *f) { (void)f; abort(); }
void pci_msi_notify(struct pci_func *f, u16 v) { (void)f, (void)v; abort(); }
void pci_func_intx(struct pci_func *f, bool on) { (void)f, (void)on; abort(); }
void pci_func_update_intx(struct pci_func *f) { (void)f; abort(); }
void pci_cfg_put(u8 *c, u32 off, u32 size, u32 val) { (void)c, (void)off, (void)size, (void)val; abort(); }
