/* MSI-X mediation for a passed-through function (passthrough_msix.h;
 * PCI 3.0 6.8.2: capability 6.8.2.1-6.8.2.5, table entries 6.8.2.6-
 * 6.8.2.9, PBA 6.8.2.10). Guest address and data are kept, never written
 * to the device: the host table holds only the hypervisor's own messages
 * (host_msi.h), so whatever the guest writes the device can raise only
 * the pool's vectors. A guest message the VM's APICs would not accept is
 * dropped and counted when it would be delivered. */
#include <bulkhead/console.h>
#include <bulkhead/dev.h>
#include <bulkhead/amd_vi_ir.h>
#include <bulkhead/iommu.h>
#include <bulkhead/apic_bus.h>
#include <bulkhead/mm.h>
#include <bulkhead/passthrough_msix.h>
#include <bulkhead/pci_cfg_filter.h>
#include <bulkhead/pci_func_priv.h>
#include <bulkhead/sched.h>
#include <bulkhead/vm.h>
#include <bulkhead/x86/host_msi.h>
#include <bulkhead/x86/host_pci.h>

#define HOST_STATUS      0x06U
#define HOST_CAP_PTR     0x34U
#define STATUS_CAPS      (1U << 4)
#define CAP_ID_MSIX      0x11U
#define CAP_WALK_MAX     48U     /* (256 - 64) / 4: a loop ends here */
#define BIR_MASK         0x7U
#define PAGE_MASK_4K     (PAGE_SIZE - 1)
#define HOST_MMIO_LIMIT  (1ULL << 32) /* identity-mapped for sure */

static u32 hread(const struct pt_msix *m, u32 reg)
{
	return host_pci_read32(m->hf->bus, m->hf->dev, m->hf->fn, (u8)reg);
}

static void hwrite(const struct pt_msix *m, u32 reg, u32 v)
{
	host_pci_write32(m->hf->bus, m->hf->dev, m->hf->fn, (u8)reg, v);
}

static volatile u32 *host_entry(const struct pt_msix *m, u32 i, u32 field)
{
	return (volatile u32 *)phys_to_virt(m->host_bar[m->bir] + m->table_off + 16U * i +
					    4U * field);
}

/* Host Message Control: enable with the function unmasked, or all off. */
static void host_ctrl(struct pt_msix *m, bool on)
{
	u32 v = hread(m, m->cap);
	u32 ctrl = (v >> 16) & ~(u32)(PCI_CFG_MSIX_ENABLE | PCI_CFG_MSIX_FMASK);

	if (on)
		ctrl |= PCI_CFG_MSIX_ENABLE;
	hwrite(m, m->cap, (v & 0xffffU) | ctrl << 16);
	m->host_on = on;
}

static u64 holes_end(u64 off, u64 len)
{
	return (off + len + PAGE_MASK_4K) & ~PAGE_MASK_4K;
}

bool pt_msix_probe(struct pt_msix *m, struct dev_host *dh, struct vm *vm,
		   const struct host_pci_fn *hf, const u64 host_bar[6], struct pci_cfg_filter *filt)
{
	u32 at = 0, v = 0, table, pba;

	*m = (struct pt_msix){ .dh = dh, .vm = vm, .hf = hf, .filt = filt };
	for (u32 i = 0; i < 6; i++)
		m->host_bar[i] = host_bar[i];
	if (hread(m, 0x04) >> 16 & STATUS_CAPS)
		at = hread(m, HOST_CAP_PTR) & 0xfcU;
	for (u32 n = 0; at >= 0x40 && n < CAP_WALK_MAX; n++) {
		v = hread(m, at);
		if ((v & 0xffU) == CAP_ID_MSIX)
			break;
		at = (v >> 8) & 0xfcU;
	}
	if (at < 0x40 || (v & 0xffU) != CAP_ID_MSIX) {
		printf("vm %s: passthrough %02x:%02x.%u has no MSI-X capability\n",
		       vm->name, hf->bus, hf->dev, hf->fn);
		return false;
	}
	table = hread(m, at + 4);
	pba = hread(m, at + 8);
	m->host_nvec = ((v >> 16) & 0x7ffU) + 1U;
	m->nvec = m->host_nvec < PT_MSIX_MAX ? m->host_nvec : PT_MSIX_MAX;
	m->bir = (u8)(table & BIR_MASK);
	m->pba_bir = (u8)(pba & BIR_MASK);
	m->table_off = table & ~BIR_MASK;
	m->pba_off = pba & ~BIR_MASK;
	/* the host's whole table must lie in the BAR: its pages are trapped */
	if (!pci_cfg_filter_msix(filt, at, m->host_nvec, table, pba) ||
	    !pci_cfg_filter_msix(filt, at, m->nvec, table, pba) || !m->host_bar[m->bir] ||
	    m->host_bar[m->bir] + holes_end(m->table_off, 16ULL * m->host_nvec) > HOST_MMIO_LIMIT ||
	    m->host_bar[m->pba_bir] + holes_end(m->pba_off, (m->host_nvec + 63U) / 64U * 8U) >
		    HOST_MMIO_LIMIT) {
		printf("vm %s: passthrough %02x:%02x.%u: MSI-X table or PBA outside its BARs or "
		       "above 4 GiB: not mediated, no interrupts\n", vm->name, hf->bus, hf->dev,
		       hf->fn);
		filt->msix_cap = 0;
		return false;
	}
	m->cap = (u8)at;
	for (u32 i = 0; i < PT_MSIX_MAX; i++)
		m->e[i].ctrl = MSIX_VEC_MASKED; /* 6.8.2.9: masked after reset */
	host_ctrl(m, false);
	printf("vm %s: passthrough %02x:%02x.%u MSI-X at %#x: %u of %u entries, table BAR %u "
	       "+%#x, PBA BAR %u +%#x\n", vm->name, hf->bus, hf->dev, hf->fn, at, m->nvec,
	       m->host_nvec, m->bir, m->table_off, m->pba_bir, m->pba_off);
	return true;
}

bool pt_msix_hole(const struct pt_msix *m, u32 bar, u32 which, u64 *lo, u64 *hi)
{
	if (!m->cap)
		return false;
	if (which == 0 && bar == m->bir) {
		*lo = m->table_off & ~PAGE_MASK_4K;
		*hi = holes_end(m->table_off, 16ULL * m->host_nvec);
		return true;
	}
	if (which == 1 && bar == m->pba_bir) {
		*lo = m->pba_off & ~PAGE_MASK_4K;
		*hi = holes_end(m->pba_off, (m->host_nvec + 63U) / 64U * 8U);
		return true;
	}
	return false;
}

static void pt_msix_fired(void *ctx, u32 tag)
{
	struct pt_msix *m = ctx;

	__atomic_or_fetch(&m->fired, 1ULL << (tag % 64), __ATOMIC_SEQ_CST);
	sched_kick_vm(m->vm);
}

static bool guest_on(const struct pt_msix *m)
{
	return m->filt->msix_ctrl & PCI_CFG_MSIX_ENABLE;
}

static bool masked(const struct pt_msix *m, u32 i)
{
	return (m->filt->msix_ctrl & PCI_CFG_MSIX_FMASK) || (m->e[i].ctrl & MSIX_VEC_MASKED);
}

/* Gives entry i a host vector and programs the host entry (masked while
 * it is written); host MSI-X on. */
static void arm(struct pt_msix *m, u32 i)
{
	u32 addr, data;
	u8 vec;

	if (m->host_vec[i])
		return;
	if (!host_msi_alloc(pt_msix_fired, m, i, &vec, &addr, &data)) {
		if (m->refused++ == 0)
			printf("vm %s: passthrough %02x:%02x.%u MSI-X entry %u: no host vector left "
			       "(pool of %u): it stays silent\n", m->vm->name, m->hf->bus,
			       m->hf->dev, m->hf->fn, i, HOST_MSI_VECTORS);
		return;
	}
	if (iommu_intremap()) {
		/* the remappable form (AMD-Vi 2.2.5.2): the entry's own IRTE */
		enum iommu_result r = iommu_irte_set(host_pci_bdf(m->hf), (u16)i, vec,
						      (u8)(addr >> 12));

		if (r != IOMMU_OK) {
			host_msi_free(vec);
			printf("vm %s: passthrough %02x:%02x.%u MSI-X entry %u: its remapping entry "
			       "was refused (%d): it stays silent\n", m->vm->name, m->hf->bus,
			       m->hf->dev, m->hf->fn, i, r);
			return;
		}
		addr = AMD_VI_IR_MSI_ADDR;
		data = i;
	}
	m->host_vec[i] = vec;
	*host_entry(m, i, 3) = MSIX_VEC_MASKED;
	*host_entry(m, i, 0) = addr;
	*host_entry(m, i, 1) = 0;
	*host_entry(m, i, 2) = data;
	*host_entry(m, i, 3) = 0;
	if (!m->host_on)
		host_ctrl(m, true);
	printf("vm %s: passthrough %02x:%02x.%u MSI-X entry %u unmasked: host vector %#x%s\n",
	       m->vm->name, m->hf->bus, m->hf->dev, m->hf->fn, i, vec,
	       iommu_intremap() ? ", remapped (IRTE = entry)" : "");
}

static void deliver(struct pt_msix *m, u32 i)
{
	struct apic_msg msg;

	if (!pci_msix_msg(m->e[i].addr_lo, m->e[i].addr_hi, m->e[i].data, &msg)) {
		if (m->dropped++ == 0)
			printf("vm %s: passthrough %02x:%02x.%u MSI-X entry %u: message %#x:%#x data "
			       "%#x is no interrupt: dropped (counted)\n", m->vm->name, m->hf->bus,
			       m->hf->dev, m->hf->fn, i, m->e[i].addr_hi, m->e[i].addr_lo,
			       m->e[i].data);
		return;
	}
	if (m->delivered++ == 0)
		printf("vm %s: passthrough %02x:%02x.%u MSI-X entry %u: first interrupt delivered "
		       "(vector %#x)\n", m->vm->name, m->hf->bus, m->hf->dev, m->hf->fn, i,
		       msg.vector);
	dev_apic_send(m->dh, &msg);
}

/* Sends the pending entries no longer masked. */
static void flush(struct pt_msix *m)
{
	if (!guest_on(m))
		return;
	for (u32 i = 0; i < m->nvec; i++) {
		if ((m->pending & (1ULL << i)) && !masked(m, i)) {
			m->pending &= ~(1ULL << i);
			deliver(m, i);
		}
	}
}

void pt_msix_stop(struct pt_msix *m)
{
	u32 n = 0;

	if (!m->cap)
		return;
	host_ctrl(m, false);
	for (u32 i = 0; i < PT_MSIX_MAX; i++) {
		if (!m->host_vec[i])
			continue;
		*host_entry(m, i, 3) = MSIX_VEC_MASKED;
		if (iommu_intremap() && iommu_irte_clear(host_pci_bdf(m->hf), (u16)i) != IOMMU_OK)
			printf("vm %s: passthrough %02x:%02x.%u MSI-X entry %u: the IOMMU did not "
			       "confirm its remapping entry cleared\n", m->vm->name, m->hf->bus,
			       m->hf->dev, m->hf->fn, i);
		host_msi_free(m->host_vec[i]);
		m->host_vec[i] = 0;
		n++;
	}
	__atomic_store_n(&m->fired, 0, __ATOMIC_SEQ_CST);
	if (n)
		printf("vm %s: passthrough %02x:%02x.%u MSI-X off on the host, %u host vector(s) "
		       "given back (%lu delivered, %lu dropped)\n", m->vm->name, m->hf->bus,
		       m->hf->dev, m->hf->fn, n, m->delivered, m->dropped);
}

void pt_msix_reset(struct pt_msix *m)
{
	if (!m->cap)
		return;
	pt_msix_stop(m);
	m->filt->msix_ctrl = 0;
	m->pending = 0;
	for (u32 i = 0; i < PT_MSIX_MAX; i++)
		m->e[i] = (struct msix_entry){ .ctrl = MSIX_VEC_MASKED };
}

void pt_msix_ctrl_changed(struct pt_msix *m)
{
	if (!m->cap)
		return;
	if (!guest_on(m)) {
		pt_msix_stop(m); /* 6.8.2.3: disabled, the function sends none */
		return;
	}
	/* The host's MSI-X follows the guest's Enable at once (a device may
	 * look at it when its queues are set up: enabled only at the first
	 * unmask, QEMU's nvme stayed silent), with every host entry masked
	 * but those armed. */
	if (!m->host_on) {
		for (u32 i = 0; i < m->host_nvec; i++)
			if (i >= PT_MSIX_MAX || !m->host_vec[i])
				*host_entry(m, i, 3) = MSIX_VEC_MASKED;
		host_ctrl(m, true);
	}
	for (u32 i = 0; i < m->nvec; i++)
		if (!(m->e[i].ctrl & MSIX_VEC_MASKED))
			arm(m, i);
	flush(m);
}

bool pt_msix_due(const struct pt_msix *m)
{
	return m->cap && __atomic_load_n(&m->fired, __ATOMIC_SEQ_CST);
}

void pt_msix_poll(struct pt_msix *m)
{
	u64 f;

	if (!m->cap)
		return;
	f = __atomic_exchange_n(&m->fired, 0, __ATOMIC_SEQ_CST);
	for (u32 i = 0; f && i < m->nvec; i++) {
		if (!(f & (1ULL << i)) || !guest_on(m))
			continue;
		if (masked(m, i))
			m->pending |= 1ULL << i; /* 6.8.2.10: sent on unmask */
		else
			deliver(m, i);
	}
}

static void table_write(struct pt_msix *m, u32 i, u32 field, u32 val)
{
	struct msix_entry *e = &m->e[i];

	msix_entry_write(e, field, val);
	if (field == 3) {
		if (!(e->ctrl & MSIX_VEC_MASKED) && guest_on(m))
			arm(m, i);
		flush(m);
	}
}

static u32 table_read(const struct pt_msix *m, u32 i, u32 field)
{
	const struct msix_entry *e = &m->e[i];

	return field == 0 ? e->addr_lo : field == 1 ? e->addr_hi : field == 2 ? e->data : e->ctrl;
}

/* Another register on a trapped page: the host BAR's, same size. */
static enum bus_result forward(struct pt_msix *m, u32 bar, u64 off, u32 size, u64 *val,
			       bool write)
{
	void *p = phys_to_virt(m->host_bar[bar] + off);

	if ((size != 1 && size != 2 && size != 4 && size != 8) || (off & (size - 1)))
		return BUS_BAD_ACCESS;
	if (write) {
		switch (size) {
		case 1: *(volatile u8 *)p = (u8)*val; break;
		case 2: *(volatile u16 *)p = (u16)*val; break;
		case 4: *(volatile u32 *)p = (u32)*val; break;
		default: *(volatile u64 *)p = *val; break;
		}
	} else {
		switch (size) {
		case 1: *val = *(volatile u8 *)p; break;
		case 2: *val = *(volatile u16 *)p; break;
		case 4: *val = *(volatile u32 *)p; break;
		default: *val = *(volatile u64 *)p; break;
		}
	}
	return BUS_OK;
}

enum bus_result pt_msix_access(struct pt_msix *m, u32 bar, u64 off, u32 size, u64 *val,
			       bool write)
{
	u64 t = off - m->table_off, p = off - m->pba_off;
	bool in_table = bar == m->bir && off >= m->table_off && t < 16ULL * m->host_nvec;
	bool in_pba = bar == m->pba_bir && off >= m->pba_off &&
		      p < (m->host_nvec + 63U) / 64U * 8U;

	if (!in_table && !in_pba)
		return forward(m, bar, off, size, val, write);
	/* 6.8.2: the table and the PBA take aligned dwords and qwords */
	if ((size != 4 && size != 8) || (off & (size - 1)))
		return BUS_BAD_ACCESS;
	if (in_table) {
		for (u32 k = 0; k < size / 4; k++) {
			u32 i = (u32)((t + 4 * k) / 16), field = (u32)((t + 4 * k) % 16) / 4;

			if (i >= m->nvec) { /* beyond what the guest is offered */
				if (!write)
					*val = k ? *val : 0;
				continue;
			}
			if (write)
				table_write(m, i, field, (u32)(*val >> (32 * k)));
			else
				*val = (k ? *val : 0) | (u64)table_read(m, i, field) << (32 * k);
		}
		return BUS_OK;
	}
	if (!write) /* the PBA is read-only; writes are dropped */
		*val = p >= 8 ? 0 : (m->pending >> (8 * p)) & (size == 8 ? ~0ULL : 0xffffffffULL);
	return BUS_OK;
}
