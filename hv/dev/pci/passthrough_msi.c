/* Plain MSI mediation for a passed-through function (passthrough_msi.h;
 * PCI 3.0 6.8.1: capability 6.8.1.1-6.8.1.7). As with MSI-X
 * (passthrough_msix.c) the guest's address and data are kept, never
 * written to the device: the host capability holds only the hypervisor's
 * own message (host_msi.h), one vector (Multiple Message Enable 0). A
 * guest message the VM's APICs would not accept is dropped and counted
 * when it would be delivered. */
#include <bulkhead/amd_vi_ir.h>
#include <bulkhead/apic_bus.h>
#include <bulkhead/console.h>
#include <bulkhead/dev.h>
#include <bulkhead/iommu.h>
#include <bulkhead/passthrough_msi.h>
#include <bulkhead/pci_cfg_filter.h>
#include <bulkhead/pci_func_priv.h>
#include <bulkhead/sched.h>
#include <bulkhead/vm.h>
#include <bulkhead/x86/host_msi.h>
#include <bulkhead/x86/host_pci.h>

#define HOST_CAP_PTR  0x34U
#define STATUS_CAPS   (1U << 4)
#define CAP_ID_MSI    0x05U
#define CAP_WALK_MAX  48U        /* (256 - 64) / 4: a loop ends here */
#define CTRL_MME      (7U << 4)
#define IRTE_INDEX    0U         /* MSI's one vector; MSI-X is off meanwhile */

static u32 hread(const struct pt_msi *m, u32 reg)
{
	return host_pci_read32(m->hf->bus, m->hf->dev, m->hf->fn, (u8)reg);
}

static void hwrite(const struct pt_msi *m, u32 reg, u32 v)
{
	host_pci_write32(m->hf->bus, m->hf->dev, m->hf->fn, (u8)reg, v);
}

static u32 host_data_off(const struct pt_msi *m)
{
	return m->host_ctrl & PCI_CFG_MSI_64 ? 0x0cU : 0x08U;
}

/* Host Message Control: Enable on (one vector) or off. */
static void host_enable(const struct pt_msi *m, bool on)
{
	u32 v = hread(m, m->cap);
	u32 ctrl = (v >> 16) & ~(u32)(PCI_CFG_MSI_ENABLE | CTRL_MME);

	if (on)
		ctrl |= PCI_CFG_MSI_ENABLE;
	hwrite(m, m->cap, (v & 0xffffU) | ctrl << 16);
}

bool pt_msi_probe(struct pt_msi *m, struct dev_host *dh, struct vm *vm,
		  const struct host_pci_fn *hf, struct pci_cfg_filter *filt)
{
	u32 at = 0, v = 0;

	*m = (struct pt_msi){ .dh = dh, .vm = vm, .hf = hf, .filt = filt };
	if (hread(m, 0x04) >> 16 & STATUS_CAPS)
		at = hread(m, HOST_CAP_PTR) & 0xfcU;
	for (u32 n = 0; at >= 0x40 && n < CAP_WALK_MAX; n++) {
		v = hread(m, at);
		if ((v & 0xffU) == CAP_ID_MSI)
			break;
		at = (v >> 8) & 0xfcU;
	}
	if (at < 0x40 || (v & 0xffU) != CAP_ID_MSI) {
		if (!filt->msix_cap)
			printf("vm %s: passthrough %02x:%02x.%u has neither MSI-X nor MSI: no "
			       "interrupts\n", vm->name, hf->bus, hf->dev, hf->fn);
		return false;
	}
	m->host_ctrl = v >> 16;
	if (!pci_cfg_filter_msi(filt, at, m->host_ctrl)) {
		printf("vm %s: passthrough %02x:%02x.%u: MSI capability at %#x cannot be "
		       "mediated: hidden\n", vm->name, hf->bus, hf->dev, hf->fn, at);
		return false;
	}
	m->cap = (u8)at;
	host_enable(m, false);
	printf("vm %s: passthrough %02x:%02x.%u MSI at %#x: 1 vector offered, %s%s\n", vm->name,
	       hf->bus, hf->dev, hf->fn, at, m->host_ctrl & PCI_CFG_MSI_64 ? "64-bit" : "32-bit",
	       m->host_ctrl & PCI_CFG_MSI_PVM ? ", per-vector masking" : "");
	return true;
}

static void pt_msi_fired(void *ctx, u32 tag)
{
	struct pt_msi *m = ctx;

	(void)tag;
	__atomic_store_n(&m->fired, 1U, __ATOMIC_SEQ_CST);
	sched_kick_vm(m->vm);
}

static bool guest_on(const struct pt_msi *m)
{
	return m->filt->msi_ctrl & PCI_CFG_MSI_ENABLE;
}

static bool guest_masked(const struct pt_msi *m)
{
	return (m->filt->msi_ctrl & PCI_CFG_MSI_PVM) && (m->filt->msi_mask & 1U);
}

/* A host vector and the host capability programmed with its message,
 * then enabled (6.8.1.3: software sets the message before Enable). */
static void arm(struct pt_msi *m)
{
	u32 addr, data, d = host_data_off(m);
	u8 vec;

	if (m->host_vec)
		return;
	if (!host_msi_alloc(pt_msi_fired, m, 0, &vec, &addr, &data)) {
		if (m->refused++ == 0)
			printf("vm %s: passthrough %02x:%02x.%u MSI: no host vector left (pool of "
			       "%u): it stays silent\n", m->vm->name, m->hf->bus, m->hf->dev,
			       m->hf->fn, HOST_MSI_VECTORS);
		return;
	}
	if (iommu_intremap()) {
		/* the remappable form (AMD-Vi 2.2.5.2): data selects the IRTE */
		enum iommu_result r = iommu_irte_set(host_pci_bdf(m->hf), IRTE_INDEX, vec,
						      (u8)(addr >> 12));

		if (r != IOMMU_OK) {
			host_msi_free(vec);
			printf("vm %s: passthrough %02x:%02x.%u MSI: its remapping entry was "
			       "refused (%d): it stays silent\n", m->vm->name, m->hf->bus,
			       m->hf->dev, m->hf->fn, r);
			return;
		}
		addr = AMD_VI_IR_MSI_ADDR;
		data = IRTE_INDEX;
	}
	m->host_vec = vec;
	hwrite(m, m->cap + 4U, addr);
	if (m->host_ctrl & PCI_CFG_MSI_64)
		hwrite(m, m->cap + 8U, 0);
	hwrite(m, m->cap + d, data & 0xffffU);
	if (m->host_ctrl & PCI_CFG_MSI_PVM)
		hwrite(m, m->cap + d + 4U, 0); /* unmasked: the guest's mask is virtual */
	host_enable(m, true);
	printf("vm %s: passthrough %02x:%02x.%u MSI enabled: host vector %#x%s\n", m->vm->name,
	       m->hf->bus, m->hf->dev, m->hf->fn, vec,
	       iommu_intremap() ? ", remapped (IRTE 0)" : "");
}

static void deliver(struct pt_msi *m)
{
	const struct pci_cfg_filter *f = m->filt;
	struct apic_msg msg;

	if (!pci_msix_msg(f->msi_addr_lo, f->msi_ctrl & PCI_CFG_MSI_64 ? f->msi_addr_hi : 0,
			  f->msi_data, &msg)) {
		if (m->dropped++ == 0)
			printf("vm %s: passthrough %02x:%02x.%u MSI: message %#x:%#x data %#x is no "
			       "interrupt: dropped (counted)\n", m->vm->name, m->hf->bus,
			       m->hf->dev, m->hf->fn, f->msi_addr_hi, f->msi_addr_lo, f->msi_data);
		return;
	}
	if (m->delivered++ == 0)
		printf("vm %s: passthrough %02x:%02x.%u MSI: first interrupt delivered (vector "
		       "%#x)\n", m->vm->name, m->hf->bus, m->hf->dev, m->hf->fn, msg.vector);
	dev_apic_send(m->dh, &msg);
}

void pt_msi_stop(struct pt_msi *m)
{
	if (!m->cap)
		return;
	host_enable(m, false);
	if (m->host_vec) {
		if (iommu_intremap() &&
		    iommu_irte_clear(host_pci_bdf(m->hf), IRTE_INDEX) != IOMMU_OK)
			printf("vm %s: passthrough %02x:%02x.%u MSI: the IOMMU did not confirm its "
			       "remapping entry cleared\n", m->vm->name, m->hf->bus, m->hf->dev,
			       m->hf->fn);
		host_msi_free(m->host_vec);
		printf("vm %s: passthrough %02x:%02x.%u MSI off on the host, host vector %#x "
		       "given back (%lu delivered, %lu dropped)\n", m->vm->name, m->hf->bus,
		       m->hf->dev, m->hf->fn, m->host_vec, m->delivered, m->dropped);
		m->host_vec = 0;
	}
	__atomic_store_n(&m->fired, 0U, __ATOMIC_SEQ_CST);
}

void pt_msi_reset(struct pt_msi *m)
{
	struct pci_cfg_filter *f = m->filt;

	if (!m->cap)
		return;
	pt_msi_stop(m);
	f->msi_ctrl &= (u16)(PCI_CFG_MSI_64 | PCI_CFG_MSI_PVM);
	f->msi_addr_lo = f->msi_addr_hi = f->msi_mask = f->msi_pending = 0;
	f->msi_data = 0;
}

void pt_msi_changed(struct pt_msi *m)
{
	if (!m->cap)
		return;
	if (!guest_on(m)) {
		pt_msi_stop(m); /* 6.8.1.3: disabled, the function sends none */
		m->filt->msi_pending = 0;
		return;
	}
	arm(m);
	if ((m->filt->msi_pending & 1U) && !guest_masked(m)) {
		m->filt->msi_pending = 0; /* 6.8.1.8: sent once unmasked */
		deliver(m);
	}
}

bool pt_msi_due(const struct pt_msi *m)
{
	return m->cap && __atomic_load_n(&m->fired, __ATOMIC_SEQ_CST);
}

void pt_msi_poll(struct pt_msi *m)
{
	if (!m->cap || !__atomic_exchange_n(&m->fired, 0U, __ATOMIC_SEQ_CST) || !guest_on(m))
		return;
	if (guest_masked(m))
		m->filt->msi_pending = 1U;
	else
		deliver(m);
}
