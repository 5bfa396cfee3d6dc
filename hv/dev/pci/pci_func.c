/* An emulated PCI function's type 0 configuration header (PCI Local Bus
 * 3.0 6.1-6.2): identity, command and status, six BARs that the guest
 * sizes (6.2.5.1) and moves, the capability list (6.7), interrupt line
 * and pin (6.2.4), and INTx. Every guest access is taken apart into bytes,
 * so any size, alignment or value is handled the same way: read-only
 * bytes keep their value, unused registers read zero.
 *
 * BAR registers: the low bits of a memory BAR say 32-bit (0) or 64-bit
 * (0x4), non-prefetchable; an I/O BAR has bit 0 set and 16 address bits
 * (the upper 16 are hardwired to zero, 6.2.5.1). Address bits below the
 * size are hardwired to zero, which is what sizing reads back. */
#include <bulkhead/dev.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/pci_func_priv.h>
#include <bulkhead/string.h>

#define BAR_MEM64_TYPE 0x4U
#define BAR_IO_SPACE   0x1U
#define IO_BAR_MASK    0xffffULL

/* The dword the guest reads from BAR register idx. */
static u32 bar_reg(const struct pci_func *f, u32 idx)
{
	const struct pci_bar *b = &f->bar[idx];

	if (b->part == BAR_PART_HIGH)
		return (u32)(f->bar[idx - 1].addr >> 32);
	switch (b->kind) {
	case PCI_BAR_MEM32:
		return (u32)b->addr;
	case PCI_BAR_MEM64:
		return (u32)b->addr | BAR_MEM64_TYPE;
	case PCI_BAR_IO:
		return (u32)b->addr | BAR_IO_SPACE;
	default:
		return 0;
	}
}

static void bar_set_reg(struct pci_func *f, u32 idx, u32 v)
{
	struct pci_bar *b = &f->bar[idx];

	if (b->part == BAR_PART_HIGH) {
		b = &f->bar[idx - 1];
		b->addr = ((u64)v << 32 | (b->addr & 0xffffffffULL)) & ~(b->size - 1);
		return;
	}
	switch (b->kind) {
	case PCI_BAR_MEM32:
		b->addr = v & ~(b->size - 1) & 0xffffffffULL;
		break;
	case PCI_BAR_MEM64:
		b->addr = ((b->addr & ~0xffffffffULL) | v) & ~(b->size - 1);
		break;
	case PCI_BAR_IO:
		b->addr = v & ~(b->size - 1) & IO_BAR_MASK;
		break;
	default:
		break;
	}
}

static u16 status(const struct pci_func *f)
{
	u16 s = f->cap_last ? PCI_STATUS_CAPS : 0;

	return f->intx ? (u16)(s | PCI_STATUS_INTX) : s;
}

static u8 cfg_byte(struct pci_func *f, u32 off)
{
	if (off >= PCI_BAR0 && off < PCI_BAR0 + 4 * PCI_FUNC_BARS)
		return (u8)(bar_reg(f, (off - PCI_BAR0) / 4) >> (8 * (off & 3)));
	if (f->msix.nvec && off >= f->msix.cap && off < f->msix.cap + 12U)
		return pci_msix_cfg_read(f, off - f->msix.cap);
	if (f->msi.cap && off >= f->msi.cap && off < f->msi.cap + 24U)
		return pci_msi_cfg_read(f, off - f->msi.cap);
	switch (off) {
	case PCI_COMMAND:
	case PCI_COMMAND + 1:
		return (u8)(f->command >> (8 * (off - PCI_COMMAND)));
	case PCI_STATUS:
	case PCI_STATUS + 1:
		return (u8)(status(f) >> (8 * (off - PCI_STATUS)));
	case 0x0c:
		return f->cache_line;
	case PCI_INT_LINE:
		return f->int_line;
	default:
		return f->cfg[off];
	}
}

static void cfg_set_byte(struct pci_func *f, u32 off, u8 v)
{
	if (off >= PCI_BAR0 && off < PCI_BAR0 + 4 * PCI_FUNC_BARS) {
		u32 idx = (off - PCI_BAR0) / 4, sh = 8 * (off & 3);
		u32 r = bar_reg(f, idx);

		bar_set_reg(f, idx, (r & ~(0xffU << sh)) | (u32)v << sh);
		if (bar_reg(f, idx) != r)
			pci_host_decode_changed(f->host);
	} else if (f->msix.nvec && off >= f->msix.cap && off < f->msix.cap + 12U) {
		pci_msix_cfg_write(f, off - f->msix.cap, v);
	} else if (f->msi.cap && off >= f->msi.cap && off < f->msi.cap + 24U) {
		pci_msi_cfg_write(f, off - f->msi.cap, v);
	} else if (off == PCI_COMMAND || off == PCI_COMMAND + 1) {
		u32 sh = 8 * (off - PCI_COMMAND);
		u16 c = (u16)((f->command & ~(0xffU << sh)) | (u32)v << sh);

		u16 was = f->command;

		f->command = c & PCI_CMD_WRITABLE;
		if ((was ^ f->command) & (PCI_CMD_IO | PCI_CMD_MEM))
			pci_host_decode_changed(f->host);
		pci_func_update_intx(f);
	} else if (off == 0x0c) {
		f->cache_line = v;
	} else if (off == PCI_INT_LINE) {
		f->int_line = v;
	}
	/* everything else: read-only (identity, status, ROM BAR: none) */
}

/* Configuration accesses from the host bridge: off + size <= 256, size 1,
 * 2 or 4 inside one dword (pci.h). The owner's hooks come first. */
static u32 func_cfg_read(void *dev, u32 off, u32 size)
{
	struct pci_func *f = dev;
	u32 v = 0;

	if (f->hooks && f->hooks->cfg_read && f->hooks->cfg_read(f->hooks_dev, off, size, &v))
		return v;
	for (u32 i = 0; i < size && off + i < PCI_CFG_SIZE; i++)
		v |= (u32)cfg_byte(f, off + i) << (8 * i);
	return v;
}

static void func_cfg_write(void *dev, u32 off, u32 size, u32 val)
{
	struct pci_func *f = dev;

	if (f->hooks && f->hooks->cfg_write && f->hooks->cfg_write(f->hooks_dev, off, size, val))
		return;
	for (u32 i = 0; i < size && off + i < PCI_CFG_SIZE; i++)
		cfg_set_byte(f, off + i, (u8)(val >> (8 * i)));
}

static const struct pci_func_ops func_ops = { func_cfg_read, func_cfg_write, NULL, NULL };

struct pci_func *pci_func_create(struct dev_host *h, u16 bdf, const struct pci_func_id *id,
				 const char **err)
{
	struct pci_host *host = pci_host_of(h);
	struct pci_func *f;

	if (!host || !id || PCI_BDF_BUS(bdf) != 0 || PCI_BDF_FN(bdf) != 0 || PCI_BDF_SLOT(bdf) == 0 ||
	    id->int_pin > 4) {
		*err = "PCI function: no host bridge, or a bad address or interrupt pin";
		return NULL;
	}
	f = dev_alloc(h, sizeof(*f));
	if (!f) {
		*err = "PCI function: out of device memory";
		return NULL;
	}
	f->host = host;
	f->dh = h;
	f->bdf = bdf;
	f->id = *id;
	f->cap_end = PCI_CAP_START;
	pci_cfg_put(f->cfg, PCI_VENDOR_ID, 2, id->vendor);
	pci_cfg_put(f->cfg, PCI_DEVICE_ID, 2, id->device);
	pci_cfg_put(f->cfg, PCI_REVISION, 1, id->revision);
	pci_cfg_put(f->cfg, PCI_CLASS_PROG, 3, id->class_code);
	pci_cfg_put(f->cfg, PCI_HEADER_TYPE, 1, 0); /* type 0, single function */
	pci_cfg_put(f->cfg, PCI_SUBSYS_VENDOR, 2, id->subsys_vendor);
	pci_cfg_put(f->cfg, PCI_SUBSYS_VENDOR + 2, 2, id->subsys);
	pci_cfg_put(f->cfg, PCI_INT_PIN, 1, id->int_pin);
	if (!pci_host_add_func(host, f, bdf, &func_ops, &f->index)) {
		*err = "PCI function: address taken or the bus is full";
		return NULL;
	}
	pci_func_reset(f);
	return f;
}

bool pci_func_add_bar(struct pci_func *f, u32 idx, enum pci_bar_kind kind, u64 size,
		      const struct bus_dev_ops *ops, void *dev, const char *name)
{
	bool io = kind == PCI_BAR_IO;
	u64 min = io ? 4 : 16, max = io ? PC_PCI_IO_SIZE : PC_PCI_MMIO_SIZE;
	struct pci_bar *b;
	u64 addr;

	if (!f || idx >= PCI_FUNC_BARS || (kind == PCI_BAR_MEM64 && idx + 1 >= PCI_FUNC_BARS) ||
	    kind == PCI_BAR_NONE || kind > PCI_BAR_IO || size < min || size > max ||
	    (size & (size - 1)))
		return false;
	b = &f->bar[idx];
	if (b->kind != PCI_BAR_NONE || b->part != BAR_PART_NONE ||
	    (kind == PCI_BAR_MEM64 && (f->bar[idx + 1].kind || f->bar[idx + 1].part)))
		return false;
	if (!pci_host_place(f->host, io, size, &addr))
		return false;
	*b = (struct pci_bar){ .kind = kind, .part = BAR_PART_LOW, .size = size, .addr = addr,
			       .fw_addr = addr, .ops = ops, .dev = dev, .name = name };
	if (kind == PCI_BAR_MEM64)
		f->bar[idx + 1].part = BAR_PART_HIGH;
	return true;
}

u8 pci_func_add_cap(struct pci_func *f, u8 cap_id, const void *body, u32 body_len)
{
	u32 at;

	if (!f || (!body && body_len) || body_len > PCI_CFG_SIZE)
		return 0;
	at = f->cap_end;
	if (at + 2 + body_len > PCI_CFG_SIZE)
		return 0;
	f->cfg[at] = cap_id;
	f->cfg[at + 1] = 0;
	if (body_len)
		memcpy(&f->cfg[at + 2], body, body_len);
	if (f->cap_last)
		f->cfg[f->cap_last + 1] = (u8)at;
	else
		f->cfg[PCI_CAP_PTR] = (u8)at;
	f->cap_last = (u8)at;
	/* the next one dword-aligned: the bottom two bits of a pointer are
	 * reserved (6.7) */
	f->cap_end = (u16)ALIGN_UP(at + 2 + body_len, 4U);
	return (u8)at;
}

void pci_func_set_hooks(struct pci_func *f, const struct pci_func_hooks *hooks, void *dev)
{
	f->hooks = hooks;
	f->hooks_dev = dev;
}

/* The INTx wire follows the device's level unless the command register
 * disables INTx (6.2.2 bit 10) or MSI or MSI-X is enabled (6.8.1.3,
 * 6.8.2.3); the status
 * bit shows the device's level either way (6.2.3 bit 3). */
void pci_func_update_intx(struct pci_func *f)
{
	u8 pin = f->id.int_pin;

	if (!pin)
		return;
	pci_host_intx(f->host, PC_PCI_INTX_GSI_OF(PCI_BDF_SLOT(f->bdf), pin - 1U), f->index,
		      f->intx && !(f->command & PCI_CMD_INTX_OFF) && !pci_func_msix_enabled(f) &&
			      !pci_func_msi_enabled(f));
}

void pci_func_intx(struct pci_func *f, bool asserted)
{
	if (!f->id.int_pin)
		return;
	f->intx = asserted;
	pci_func_update_intx(f);
}

bool pci_func_bus_master(const struct pci_func *f)
{
	return f->command & PCI_CMD_MASTER;
}

u64 pci_func_bar_addr(const struct pci_func *f, u32 idx)
{
	return idx < PCI_FUNC_BARS ? f->bar[idx].addr : 0;
}

bool pci_func_mem_decoding(const struct pci_func *f)
{
	return f->command & PCI_CMD_MEM;
}

/* Reset (6.2.2: the command register resets to 0, so no decoding), after
 * the owner's device (its hook): BARs
 * go back where the firmware put them, INTx deasserts, MSI-X is off with
 * every vector masked, MSI off. */
void pci_func_reset(struct pci_func *f)
{
	if (f->hooks && f->hooks->reset)
		f->hooks->reset(f->hooks_dev);
	f->command = 0;
	f->cache_line = 0;
	f->int_line = 0;
	f->intx = false;
	for (u32 i = 0; i < PCI_FUNC_BARS; i++)
		f->bar[i].addr = f->bar[i].fw_addr;
	pci_host_decode_changed(f->host);
	pci_msix_reset(f);
	pci_msi_reset(f);
	pci_func_update_intx(f);
}
