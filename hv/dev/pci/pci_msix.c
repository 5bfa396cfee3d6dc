/* MSI-X (PCI Local Bus 3.0 6.8.2): the capability's Message Control
 * (enable, function mask), the table (address, data, vector control per
 * vector) and the Pending Bit Array in a memory BAR, and messages sent to
 * the VM's local APICs (SDM vol. 3 10.11.1-10.11.2).
 *
 * What a guest gets for bad values: table and PBA accesses other than an
 * aligned dword or qword are refused (the bus reads all ones and drops
 * the write); reserved bits read zero (address bits 1:0, vector control
 * bits 31:1); the PBA is read-only. A message whose address is not in the
 * 0xFEExxxxx range, or whose delivery mode is not fixed or lowest
 * priority, is not sent (counted in msix.dropped); the vector's pending
 * bit is not kept either, as the device did "send" it. */
#include <bulkhead/apic_bus.h>
#include <bulkhead/dev.h>
#include <bulkhead/pci_func_priv.h>
#include <bulkhead/string.h>

#define MSIX_CTRL_WRITABLE (MSIX_CTRL_ENABLE | MSIX_CTRL_FMASK)
#define MSI_ADDR_BASE      0xfee00000U   /* 10.11.1: bits 31:20 = 0xFEE */
#define MSI_ADDR_MASK      0xfff00000U
#define MSI_ADDR_DEST(a)   (((a) >> 12) & 0xffU)  /* Destination ID, 19:12 */
#define MSI_ADDR_DM        (1U << 2)             /* 1: logical */
#define MSI_DATA_VECTOR(d) ((d) & 0xffU)
#define MSI_DATA_MODE(d)   (((d) >> 8) & 7U)      /* Delivery Mode, 10:8 */

static bool masked(const struct pci_msix *m, u16 v)
{
	return (m->ctrl & MSIX_CTRL_FMASK) || (m->e[v].ctrl & MSIX_VEC_MASKED);
}

bool pci_msix_msg(u32 addr_lo, u32 addr_hi, u32 data, struct apic_msg *msg)
{
	*msg = (struct apic_msg){
		.dest = MSI_ADDR_DEST(addr_lo),
		.logical = addr_lo & MSI_ADDR_DM,
		.mode = (u8)MSI_DATA_MODE(data),
		.vector = (u8)MSI_DATA_VECTOR(data),
		.level = false, /* messages are edges; the trigger bit 15 is not honoured */
	};
	return !addr_hi && (addr_lo & MSI_ADDR_MASK) == MSI_ADDR_BASE &&
	       (msg->mode == APIC_FIXED || msg->mode == APIC_LOWEST);
}

void pci_msix_send(struct pci_func *f, const struct msix_entry *e)
{
	struct apic_msg msg;

	if (!pci_msix_msg(e->addr_lo, e->addr_hi, e->data, &msg)) {
		__atomic_add_fetch(&f->msix.dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	dev_apic_send(f->dh, &msg);
}

/* Sends what became deliverable: pending vectors no longer masked. */
static void flush_pending(struct pci_func *f)
{
	struct pci_msix *m = &f->msix;

	for (u16 v = 0; v < m->nvec; v++) {
		struct msix_entry e;
		bool go = false;

		spin_lock(&f->lock);
		if ((m->ctrl & MSIX_CTRL_ENABLE) && !masked(m, v) && (m->pending & (1ULL << v))) {
			m->pending &= ~(1ULL << v);
			e = m->e[v];
			go = true;
		}
		spin_unlock(&f->lock);
		if (go)
			pci_msix_send(f, &e);
	}
}

bool pci_func_add_msix(struct pci_func *f, u16 nvec, u32 bar, u32 table_off, u32 pba_off)
{
	u64 table_len = (u64)nvec * MSIX_ENTRY_SIZE, pba_len = 8, size;
	u8 body[10];
	u8 at;

	if (!f || f->msix.e || nvec == 0 || nvec > PCI_FUNC_MSIX_MAX || bar >= PCI_FUNC_BARS ||
	    (f->bar[bar].kind != PCI_BAR_MEM32 && f->bar[bar].kind != PCI_BAR_MEM64) ||
	    (table_off & 7) || (pba_off & 7))
		return false;
	size = f->bar[bar].size;
	if (table_off > size || table_len > size - table_off || pba_off > size ||
	    pba_len > size - pba_off ||
	    (pba_off < table_off + table_len && table_off < pba_off + pba_len))
		return false;
	pci_cfg_put(body, 0, 2, nvec - 1U);             /* Table Size, N-1 */
	pci_cfg_put(body, 2, 4, table_off | bar);       /* Table Offset | BIR */
	pci_cfg_put(body, 6, 4, pba_off | bar);         /* PBA Offset | BIR */
	f->msix.e = dev_alloc(f->dh, (u64)nvec * sizeof(*f->msix.e));
	if (!f->msix.e)
		return false;
	at = pci_func_add_cap(f, PCI_CAP_ID_MSIX, body, sizeof(body));
	if (!at)
		return false; /* the entries stay in the arena, unused */
	f->msix.cap = at;
	f->msix.bar = (u8)bar;
	f->msix.table_off = table_off;
	f->msix.pba_off = pba_off;
	f->msix.nvec = nvec;
	pci_msix_reset(f);
	return true;
}

bool pci_func_msix_enabled(const struct pci_func *f)
{
	return f->msix.nvec && (__atomic_load_n(&f->msix.ctrl, __ATOMIC_RELAXED) & MSIX_CTRL_ENABLE);
}

void pci_func_msix_notify(struct pci_func *f, u16 vector)
{
	struct pci_msix *m = &f->msix;
	struct msix_entry e;
	bool go = false;

	if (!pci_func_msix_enabled(f)) {
		if (pci_func_msi_enabled(f))
			pci_msi_notify(f, vector);
		else
			pci_func_intx(f, true);
		return;
	}
	if (vector >= m->nvec)
		return;
	spin_lock(&f->lock);
	if (masked(m, vector)) {
		m->pending |= 1ULL << vector;
	} else {
		e = m->e[vector];
		go = true;
	}
	spin_unlock(&f->lock);
	if (go)
		pci_msix_send(f, &e);
}

/* Capability bytes: off 2-3 is Message Control, the rest is the image. */
u8 pci_msix_cfg_read(struct pci_func *f, u32 off)
{
	u16 ctrl = (u16)(f->msix.nvec - 1U) | f->msix.ctrl;

	if (off == 2 || off == 3)
		return (u8)(ctrl >> (8 * (off - 2)));
	return f->cfg[f->msix.cap + off];
}

void pci_msix_cfg_write(struct pci_func *f, u32 off, u8 val)
{
	if (off != 3)
		return; /* the table size and everything else are read-only */
	spin_lock(&f->lock);
	f->msix.ctrl = (u16)(val << 8) & MSIX_CTRL_WRITABLE;
	spin_unlock(&f->lock);
	/* 6.8.2.3: with MSI-X enabled the function does not use INTx */
	pci_func_update_intx(f);
	flush_pending(f);
}

void msix_entry_write(struct msix_entry *e, u32 field, u32 val)
{
	switch (field) {
	case 0:
		e->addr_lo = val & ~3U; /* dword aligned: bits 1:0 read zero */
		break;
	case 1:
		e->addr_hi = val;
		break;
	case 2:
		e->data = val;
		break;
	default:
		e->ctrl = val & MSIX_VEC_MASKED;
		break;
	}
}

static void table_write(struct pci_func *f, u32 v, u32 field, u32 val)
{
	spin_lock(&f->lock);
	msix_entry_write(&f->msix.e[v], field, val);
	spin_unlock(&f->lock);
	if (field == 3)
		flush_pending(f);
}

static u32 table_read(struct pci_func *f, u32 v, u32 field)
{
	const struct msix_entry *e = &f->msix.e[v];
	u32 r;

	spin_lock(&f->lock);
	r = field == 0 ? e->addr_lo : field == 1 ? e->addr_hi : field == 2 ? e->data : e->ctrl;
	spin_unlock(&f->lock);
	return r;
}

bool pci_msix_bar_access(struct pci_func *f, u32 bar, u64 off, u32 size, u64 *val, bool write,
			 enum bus_result *res)
{
	struct pci_msix *m = &f->msix;
	u64 t = off - m->table_off, p = off - m->pba_off;

	if (!m->nvec || bar != m->bar)
		return false;
	if (off >= m->table_off && t < (u64)m->nvec * MSIX_ENTRY_SIZE) {
		*res = BUS_BAD_ACCESS;
		if ((size != 4 && size != 8) || (off & (size - 1)))
			return true;
		for (u32 i = 0; i < size / 4; i++) {
			u32 v = (u32)((t + 4 * i) / MSIX_ENTRY_SIZE), field = (u32)((t + 4 * i) % 16) / 4;

			if (write)
				table_write(f, v, field, (u32)(*val >> (32 * i)));
			else
				*val = (i ? *val : 0) | (u64)table_read(f, v, field) << (32 * i);
		}
		*res = BUS_OK;
		return true;
	}
	if (off >= m->pba_off && p < 8) {
		*res = BUS_BAD_ACCESS;
		if ((size != 4 && size != 8) || (off & (size - 1)))
			return true;
		if (!write)
			*val = (u64)(__atomic_load_n(&m->pending, __ATOMIC_RELAXED) >> (8 * p)) &
			       (size == 8 ? ~0ULL : 0xffffffffULL);
		*res = BUS_OK;
		return true;
	}
	return false;
}

/* 6.8.2.3, 6.8.2.9: MSI-X disabled, function unmasked, every vector
 * masked, nothing pending. */
void pci_msix_reset(struct pci_func *f)
{
	struct pci_msix *m = &f->msix;

	spin_lock(&f->lock);
	m->ctrl = 0;
	m->pending = 0;
	for (u32 i = 0; i < m->nvec; i++)
		m->e[i] = (struct msix_entry){ .ctrl = MSIX_VEC_MASKED };
	spin_unlock(&f->lock);
}
