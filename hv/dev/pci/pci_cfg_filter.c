/* A passed-through function's configuration space as its VM sees it
 * (pci_cfg_filter.h has the allow-list). Pure logic. */
#include <bulkhead/pci_cfg_filter.h>
#include <bulkhead/string.h>

#define HDR_BAR0        0x10U
#define HDR_SUBSYS      0x2cU
#define HDR_INT_LINE    0x3cU
#define BAR_IO          0x1U
#define BAR_TYPE_MASK   0x6U
#define BAR_TYPE_64     0x4U
#define BAR_FLAGS       0xfU  /* memory BAR: space, type, prefetchable */
#define STATUS_PASSED   0x06a0U /* 66 MHz (5), fast back-to-back (7), DEVSEL (9-10) */
#define CMD_WRITABLE    (PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_INTX_OFF)
#define STATUS_CAPS     (1U << 4)
#define HDR_CAP_PTR     0x34U
#define CAP_ID_MSIX     0x11U
#define MSIX_WRITABLE   (PCI_CFG_MSIX_ENABLE | PCI_CFG_MSIX_FMASK)
#define MSIX_BIR_MASK   0x7U
#define CAP_ID_MSI      0x05U
#define MSIX_CAP_LEN    12U
#define MSI_RO_KEPT     (PCI_CFG_MSI_64 | PCI_CFG_MSI_PVM)

static u32 host32(const struct pci_cfg_filter *f, u32 off)
{
	return (u32)f->host[off] | (u32)f->host[off + 1] << 8 | (u32)f->host[off + 2] << 16 |
	       (u32)f->host[off + 3] << 24;
}

static bool pow2(u64 v)
{
	return v && !(v & (v - 1));
}

void pci_cfg_filter_init(struct pci_cfg_filter *f, const u8 host[64],
			 const u64 size[PCI_CFG_FILTER_BARS])
{
	memset(f, 0, sizeof(*f));
	memcpy(f->host, host, sizeof(f->host));
	for (u32 i = 0; i < PCI_CFG_FILTER_BARS; i++) {
		u32 reg = host32(f, HDR_BAR0 + 4 * i);
		u64 sz = size[i];
		bool is64 = (reg & BAR_TYPE_MASK) == BAR_TYPE_64;

		if ((reg & BAR_IO) || !pow2(sz) || sz < 16)
			continue; /* I/O, unimplemented or nonsense: reads 0 */
		if (is64 && (i == PCI_CFG_FILTER_BARS - 1 || sz >= (1ULL << 63)))
			continue;
		if (!is64 && sz > (1ULL << 31))
			continue;
		f->size[i] = sz;
		f->kind[i] = is64 ? PCI_CFG_BAR_MEM64 : PCI_CFG_BAR_MEM32;
		f->mask[i] = (u32)~(sz - 1) & ~BAR_FLAGS;
		f->bar[i] = reg & BAR_FLAGS;
		if (is64) {
			i++;
			f->kind[i] = PCI_CFG_BAR_MEM64_HIGH;
			f->mask[i] = (u32)(~(sz - 1) >> 32);
			f->bar[i] = 0;
		}
	}
}

static bool bad_access(u32 off, u32 size)
{
	return (size != 1 && size != 2 && size != 4) || (off & (size - 1)) || off + size > 256;
}

u32 pci_cfg_filter_msi_data_off(const struct pci_cfg_filter *f)
{
	return f->msi_ctrl & PCI_CFG_MSI_64 ? 0x0cU : 0x08U;
}

/* The MSI capability's dword at rel (4-aligned) from its start. */
static u32 msi_read(const struct pci_cfg_filter *f, u32 rel)
{
	u32 d = pci_cfg_filter_msi_data_off(f);
	bool pvm = f->msi_ctrl & PCI_CFG_MSI_PVM;

	if (rel == 0)
		return CAP_ID_MSI | (u32)f->msi_ctrl << 16; /* next 0, MMC 0, MME 0 */
	if (rel == 4)
		return f->msi_addr_lo;
	if (rel == 8 && d == 0x0cU)
		return f->msi_addr_hi;
	if (rel == d)
		return f->msi_data;
	if (pvm && rel == d + 4)
		return f->msi_mask;
	if (pvm && rel == d + 8)
		return f->msi_pending;
	return 0;
}

/* The guest's write into the MSI capability's dword at rel, bytes be. */
static unsigned msi_write(struct pci_cfg_filter *f, u32 rel, u32 be, u32 v)
{
	u32 d = pci_cfg_filter_msi_data_off(f);
	bool pvm = f->msi_ctrl & PCI_CFG_MSI_PVM;

	if (rel == 0 && (be & 0x00ff0000U)) {
		u16 old = f->msi_ctrl;
		bool on = (v >> 16) & PCI_CFG_MSI_ENABLE;

		if (on && (f->msix_ctrl & PCI_CFG_MSIX_ENABLE)) {
			f->dropped++; /* 6.8.1.3, 6.8.2.3: not with MSI-X on */
			on = false;
		}
		/* MME (6:4) stays 0: one vector; the rest is read-only */
		f->msi_ctrl = (u16)((old & MSI_RO_KEPT) | (on ? PCI_CFG_MSI_ENABLE : 0));
		return f->msi_ctrl != old ? PCI_CFG_FX_MSI : 0;
	}
	if (rel == 4) {
		f->msi_addr_lo = ((f->msi_addr_lo & ~be) | (v & be)) & ~3U;
		return 0;
	}
	if (rel == 8 && d == 0x0cU) {
		f->msi_addr_hi = (f->msi_addr_hi & ~be) | (v & be);
		return 0;
	}
	if (rel == d && (be & 0xffffU)) {
		f->msi_data = (u16)((f->msi_data & ~be) | (v & be));
		return 0;
	}
	if (pvm && rel == d + 4 && (be & 1U)) {
		u32 old = f->msi_mask;

		f->msi_mask = ((old & ~be) | (v & be)) & 1U;
		return f->msi_mask != old ? PCI_CFG_FX_MSI : 0;
	}
	f->dropped++;
	return 0;
}

/* The dword at off (4-aligned) as the guest reads it. */
static u32 read_dword(const struct pci_cfg_filter *f, u32 off)
{
	switch (off) {
	case 0x00:
	case 0x08:
	case HDR_SUBSYS:
		return host32(f, off);
	case 0x04:
		return f->command | (host32(f, 0x04) >> 16 & STATUS_PASSED) << 16 |
		       (f->msix_cap || f->msi_cap ? STATUS_CAPS << 16 : 0);
	case HDR_CAP_PTR:
		return f->msix_cap ? f->msix_cap : f->msi_cap;
	case 0x0c:
		return f->cache_line | (u32)(f->host[0x0e] & 0x7fU) << 16;
	case HDR_INT_LINE:
		return f->int_line;
	default:
		if (off >= HDR_BAR0 && off < HDR_BAR0 + 4 * PCI_CFG_FILTER_BARS)
			return f->bar[(off - HDR_BAR0) / 4];
		if (f->msix_cap && off == f->msix_cap)
			return CAP_ID_MSIX | (u32)f->msi_cap << 8 |
			       (u32)((f->msix_nvec - 1U) | f->msix_ctrl) << 16;
		if (f->msix_cap && off == f->msix_cap + 4U)
			return f->msix_table;
		if (f->msix_cap && off == f->msix_cap + 8U)
			return f->msix_pba;
		if (f->msi_cap && off >= f->msi_cap)
			return msi_read(f, off - f->msi_cap);
		return 0;
	}
}

u32 pci_cfg_filter_read(const struct pci_cfg_filter *f, u32 off, u32 size)
{
	u32 v;

	if (bad_access(off, size))
		return ~0U;
	v = read_dword(f, off & ~3U) >> (8 * (off & 3));
	return size == 4 ? v : v & ((1U << (8 * size)) - 1);
}

static u32 msi_len(const struct pci_cfg_filter *f)
{
	return pci_cfg_filter_msi_data_off(f) + (f->msi_ctrl & PCI_CFG_MSI_PVM ? 12U : 4U);
}

static unsigned write_bar(struct pci_cfg_filter *f, u32 i, u32 be, u32 v)
{
	u32 flags = f->kind[i] == PCI_CFG_BAR_MEM64_HIGH ? 0 : f->bar[i] & BAR_FLAGS;
	u32 old = f->bar[i];

	if (f->kind[i] == PCI_CFG_BAR_NONE) {
		f->dropped++;
		return 0;
	}
	f->bar[i] = (((old & ~be) | (v & be)) & f->mask[i]) | flags;
	return f->bar[i] != old ? PCI_CFG_FX_BARS : 0;
}

unsigned pci_cfg_filter_write(struct pci_cfg_filter *f, u32 off, u32 size, u32 val)
{
	u32 shift = 8 * (off & 3), be, v, d = off & ~3U;
	unsigned fx = 0;

	if (bad_access(off, size)) {
		f->dropped++;
		return 0;
	}
	be = (size == 4 ? ~0U : ((1U << (8 * size)) - 1)) << shift;
	v = val << shift;
	if (d == 0x04 && (be & 0xffffU)) {
		u16 old = f->command;

		f->command = (u16)(((old & ~be) | (v & be)) & CMD_WRITABLE);
		fx |= (f->command ^ old) & PCI_CMD_MEM ? PCI_CFG_FX_MEM : 0;
		fx |= (f->command ^ old) & PCI_CMD_MASTER ? PCI_CFG_FX_MASTER : 0;
		return fx; /* a status byte in the same write is ignored */
	}
	if (d == 0x04)
		return 0; /* status only: RW1C error bits that read 0 */
	if (d == 0x0c && (be & 0xffU)) {
		f->cache_line = (u8)v;
		return 0;
	}
	if (d == HDR_INT_LINE && (be & 0xffU)) {
		f->int_line = (u8)v;
		return 0;
	}
	if (d >= HDR_BAR0 && d < HDR_BAR0 + 4 * PCI_CFG_FILTER_BARS)
		return write_bar(f, (d - HDR_BAR0) / 4, be, v);
	if (f->msix_cap && d == f->msix_cap && (be & 0xff000000U)) {
		u16 old = f->msix_ctrl;

		/* Message Control's upper byte; the ID, next pointer and Table
		 * Size are read-only and a write to them changes nothing */
		f->msix_ctrl = (u16)((v >> 16) & MSIX_WRITABLE);
		if ((f->msix_ctrl & PCI_CFG_MSIX_ENABLE) && (f->msi_ctrl & PCI_CFG_MSI_ENABLE)) {
			f->msix_ctrl &= (u16)~PCI_CFG_MSIX_ENABLE; /* never both */
			f->dropped++;
		}
		return f->msix_ctrl != old ? PCI_CFG_FX_MSIX : 0;
	}
	if (f->msi_cap && d >= f->msi_cap && d < f->msi_cap + msi_len(f))
		return msi_write(f, d - f->msi_cap, be, v);
	f->dropped++;
	return 0;
}

bool pci_cfg_filter_bar(const struct pci_cfg_filter *f, u32 idx, u64 *gpa, u64 *size)
{
	if (idx >= PCI_CFG_FILTER_BARS ||
	    (f->kind[idx] != PCI_CFG_BAR_MEM32 && f->kind[idx] != PCI_CFG_BAR_MEM64))
		return false;
	*gpa = f->bar[idx] & ~BAR_FLAGS;
	if (f->kind[idx] == PCI_CFG_BAR_MEM64)
		*gpa |= (u64)f->bar[idx + 1] << 32;
	*size = f->size[idx];
	return true;
}

void pci_cfg_filter_place(struct pci_cfg_filter *f, u32 idx, u64 addr)
{
	if (idx >= PCI_CFG_FILTER_BARS ||
	    (f->kind[idx] != PCI_CFG_BAR_MEM32 && f->kind[idx] != PCI_CFG_BAR_MEM64))
		return;
	f->bar[idx] = ((u32)addr & f->mask[idx]) | (f->bar[idx] & BAR_FLAGS);
	if (f->kind[idx] == PCI_CFG_BAR_MEM64)
		f->bar[idx + 1] = (u32)(addr >> 32) & f->mask[idx + 1];
}

/* Does [off, off + len) lie inside passed memory BAR bir, qword aligned? */
static bool msix_fits(const struct pci_cfg_filter *f, u32 bir, u32 off, u64 len)
{
	if (bir >= PCI_CFG_FILTER_BARS ||
	    (f->kind[bir] != PCI_CFG_BAR_MEM32 && f->kind[bir] != PCI_CFG_BAR_MEM64))
		return false;
	return !(off & 7U) && off <= f->size[bir] && len <= f->size[bir] - off;
}

bool pci_cfg_filter_msix(struct pci_cfg_filter *f, u32 cap, u32 nvec, u32 table, u32 pba)
{
	u64 pba_len = (nvec + 63U) / 64U * 8U;

	if (cap < 0x40U || cap > 0xf4U || (cap & 3U) || nvec == 0 || nvec > PCI_CFG_MSIX_MAX)
		return false;
	if (f->msi_cap && cap < f->msi_cap + msi_len(f) && f->msi_cap < cap + MSIX_CAP_LEN)
		return false;
	if (!msix_fits(f, table & MSIX_BIR_MASK, table & ~MSIX_BIR_MASK, (u64)nvec * 16U) ||
	    !msix_fits(f, pba & MSIX_BIR_MASK, pba & ~MSIX_BIR_MASK, pba_len))
		return false;
	f->msix_cap = (u8)cap;
	f->msix_nvec = (u16)nvec;
	f->msix_table = table;
	f->msix_pba = pba;
	f->msix_ctrl = 0;
	return true;
}

bool pci_cfg_filter_msi(struct pci_cfg_filter *f, u32 cap, u32 host_ctrl)
{
	u16 ctrl = (u16)(host_ctrl & MSI_RO_KEPT);
	u32 len = (ctrl & PCI_CFG_MSI_64 ? 0x0cU : 0x08U) + (ctrl & PCI_CFG_MSI_PVM ? 12U : 4U);

	if (cap < 0x40U || (cap & 3U) || cap + len > 0x100U)
		return false;
	if (f->msix_cap && cap < f->msix_cap + MSIX_CAP_LEN && f->msix_cap < cap + len)
		return false;
	f->msi_cap = (u8)cap;
	f->msi_ctrl = ctrl;
	f->msi_addr_lo = f->msi_addr_hi = f->msi_mask = f->msi_pending = 0;
	f->msi_data = 0;
	return true;
}
