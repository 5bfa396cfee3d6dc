/* Plain MSI (PCI Local Bus 3.0 6.8.1): the capability with a 64-bit
 * message address and per-vector masking (Figure 6-9), 1, 2, 4, 8, 16 or
 * 32 vectors. Vector v of the MME vectors the guest enabled sends the
 * message data with its low log2(MME) bits replaced by v (6.8.3.4); a
 * masked vector sets its pending bit and is sent once unmasked; vectors
 * at or above the enabled count are dropped. Messages go out as MSI-X's
 * do (pci_msix.c: only 0xFEExxxxx, fixed or lowest priority). MSI-X, when
 * enabled, takes precedence; either keeps INTx quiet. */
#include <bulkhead/pci_func_priv.h>

#define MSI_CTRL_ENABLE  (1U << 0)
#define MSI_CTRL_MME     (7U << 4)    /* Multiple Message Enable */
#define MSI_CTRL_64BIT   (1U << 7)
#define MSI_CTRL_PVM     (1U << 8)    /* per-vector masking capable */
#define MSI_ADDR_LO      4U
#define MSI_ADDR_HI      8U
#define MSI_DATA         12U
#define MSI_MASK         16U
#define MSI_PENDING      20U
#define MSI_CAP_LEN      24U

static u32 enabled_vectors(const struct pci_msi *m)
{
	u32 mme = (m->ctrl & MSI_CTRL_MME) >> 4;

	return 1U << MIN(mme, (u32)m->log2n); /* more than offered: as many as offered */
}

bool pci_func_add_msi(struct pci_func *f, u8 log2_nvec)
{
	u8 body[MSI_CAP_LEN - 2] = { 0 };
	u8 at;

	if (!f || f->msi.cap || log2_nvec > 5)
		return false;
	pci_cfg_put(body, 0, 2, MSI_CTRL_64BIT | MSI_CTRL_PVM | (u32)log2_nvec << 1);
	at = pci_func_add_cap(f, PCI_CAP_ID_MSI, body, sizeof(body));
	if (!at)
		return false;
	f->msi.cap = at;
	f->msi.log2n = log2_nvec;
	pci_msi_reset(f);
	return true;
}

bool pci_func_msi_enabled(const struct pci_func *f)
{
	return f->msi.cap && (__atomic_load_n(&f->msi.ctrl, __ATOMIC_RELAXED) & MSI_CTRL_ENABLE);
}

static struct msix_entry message(const struct pci_msi *m, u32 v)
{
	u32 low = enabled_vectors(m) - 1;

	return (struct msix_entry){ .addr_lo = m->addr_lo, .addr_hi = m->addr_hi,
				    .data = (m->data & ~low) | v };
}

/* Sends what became deliverable: pending vectors now unmasked. */
static void flush_pending(struct pci_func *f)
{
	struct pci_msi *m = &f->msi;

	for (u32 v = 0; v < 32; v++) {
		struct msix_entry e;
		bool go = false;

		spin_lock(&f->lock);
		if ((m->ctrl & MSI_CTRL_ENABLE) && v < enabled_vectors(m) &&
		    (m->pending & ~m->mask & (1U << v))) {
			m->pending &= ~(1U << v);
			e = message(m, v);
			go = true;
		}
		spin_unlock(&f->lock);
		if (go)
			pci_msix_send(f, &e);
	}
}

void pci_msi_notify(struct pci_func *f, u16 vector)
{
	struct pci_msi *m = &f->msi;
	struct msix_entry e;
	bool go = false;

	spin_lock(&f->lock);
	if (vector < enabled_vectors(m)) {
		if (m->mask & (1U << vector)) {
			m->pending |= 1U << vector;
		} else {
			e = message(m, vector);
			go = true;
		}
	}
	spin_unlock(&f->lock);
	if (go)
		pci_msix_send(f, &e);
}

static u32 reg(const struct pci_msi *m, u32 off)
{
	switch (off) {
	case 0:
		return (u32)(MSI_CTRL_64BIT | MSI_CTRL_PVM | (u32)m->log2n << 1 | m->ctrl) << 16;
	case MSI_ADDR_LO:
		return m->addr_lo;
	case MSI_ADDR_HI:
		return m->addr_hi;
	case MSI_DATA:
		return m->data;
	case MSI_MASK:
		return m->mask;
	default:
		return m->pending;
	}
}

u8 pci_msi_cfg_read(struct pci_func *f, u32 off)
{
	u32 r;

	if (off < 2)
		return f->cfg[f->msi.cap + off]; /* ID and next pointer */
	spin_lock(&f->lock);
	r = reg(&f->msi, off & ~3U);
	spin_unlock(&f->lock);
	return (u8)(r >> (8 * (off & 3)));
}

/* Writable: enable and MME, address (bits 1:0 read zero), upper address,
 * data (16 bits), mask bits of the vectors offered. */
void pci_msi_cfg_write(struct pci_func *f, u32 off, u8 val)
{
	struct pci_msi *m = &f->msi;
	u32 sh = 8 * (off & 3), nmask = (u32)((1ULL << (1U << m->log2n)) - 1);
	u32 r;

	if (off < 2 || off >= MSI_PENDING || (off >= MSI_DATA + 2 && off < MSI_MASK))
		return;
	spin_lock(&f->lock);
	r = (reg(m, off & ~3U) & ~(0xffU << sh)) | (u32)val << sh;
	switch (off & ~3U) {
	case 0:
		m->ctrl = (u16)(r >> 16) & (MSI_CTRL_ENABLE | MSI_CTRL_MME);
		break;
	case MSI_ADDR_LO:
		m->addr_lo = r & ~3U;
		break;
	case MSI_ADDR_HI:
		m->addr_hi = r;
		break;
	case MSI_DATA:
		m->data = (u16)r;
		break;
	default:
		m->mask = r & nmask;
		break;
	}
	spin_unlock(&f->lock);
	pci_func_update_intx(f);
	flush_pending(f);
}

/* 6.8.1.3: MSI disabled, vectors unmasked, nothing pending. */
void pci_msi_reset(struct pci_func *f)
{
	struct pci_msi *m = &f->msi;

	spin_lock(&f->lock);
	m->ctrl = 0;
	m->addr_lo = m->addr_hi = 0;
	m->data = 0;
	m->mask = 0;
	m->pending = 0;
	spin_unlock(&f->lock);
}
