/* PCI configuration mechanism #1 (PCI Local Bus 3.0 3.2.2.3.2) at
 * PC_PCI_CONFIG, the same functions' configuration space through ECAM at
 * PC_PCI_ECAM_BASE (PCI Express 3.0 7.2.2), the reset control register at PC_RESET_CONTROL (byte
 * 0xcf9 inside the CONFIG_ADDRESS dword, as on PIIX/ICH chipsets), the
 * registry of the VM's PCI functions, and the host bridge at 00:00.0.
 * Absent functions read all ones; writes to them are dropped. */
#include <bulkhead/dev.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/pci.h>
#include <bulkhead/pci_func_priv.h>

#define CFG_ADDRESS    0     /* dword at 0xcf8 */
#define RESET_CONTROL  (PC_RESET_CONTROL - PC_PCI_CONFIG)
#define CFG_DATA       4     /* 0xcfc-0xcff */
#define ADDR_ENABLE    (1U << 31)
#define ADDR_MASK      0x80fffffcU /* enable, bus, device, function, dword */
#define RCR_RESET      0x04  /* RST_CPU: bits 1 (SYS_RST) and 3 (FULL_RST) read back */
#define RCR_KEEP       0x0a

struct pci_slot {
	u16 bdf;
	const struct pci_func_ops *ops;
	void *dev;
};

#define INTX_LINES 4

struct pci_host {
	struct dev_host *host;
	u32 address;
	u8 rcr;
	u16 bridge_cmd;
	struct pci_slot slot[PCI_MAX_FUNCS];
	u32 nr;
	struct pci_func *func[PCI_MAX_FUNCS]; /* emulated functions (pci_func.h) */
	u32 nr_func;
	u64 mmio_next, io_next;               /* the firmware's placement cursors */
	u32 nr_bars;                          /* placed, at most PCI_WINDOW_BARS */
	u32 intx[INTX_LINES];                 /* per line: the functions asserting it */
	struct pci_windows win;               /* what the windows decode now */
};

u32 pci_cfg_get(const u8 *cfg, u32 off, u32 size)
{
	u32 v = 0;

	for (u32 i = 0; i < size; i++)
		v |= (u32)cfg[off + i] << (8 * i);
	return v;
}

void pci_cfg_put(u8 *cfg, u32 off, u32 size, u32 val)
{
	for (u32 i = 0; i < size; i++)
		cfg[off + i] = (u8)(val >> (8 * i));
}

static const struct pci_slot *find_slot(const struct pci_host *h, u16 bdf)
{
	for (u32 i = 0; i < h->nr; i++)
		if (h->slot[i].bdf == bdf)
			return &h->slot[i];
	return NULL;
}

/* The host's state is the device behind its CONFIG_ADDRESS port. */
static struct pci_host *host_bridge(struct dev_host *host)
{
	const struct bus_region *r = bus_find(&host->bus->pio, PC_PCI_CONFIG, 4);

	return r ? r->dev : NULL;
}

struct pci_host *pci_host_of(struct dev_host *host)
{
	return host_bridge(host);
}

/* Registers f's configuration space at bdf and adds it to the functions
 * whose BARs the windows decode; nothing is kept on failure. */
bool pci_host_add_func(struct pci_host *h, struct pci_func *f, u16 bdf,
		       const struct pci_func_ops *ops, u8 *index)
{
	if (h->nr_func == PCI_MAX_FUNCS || !pci_register_function(h->host, bdf, ops, f))
		return false;
	*index = (u8)h->nr_func;
	h->func[h->nr_func++] = f;
	return true;
}

void pci_host_decode_changed(struct pci_host *h)
{
	pci_windows_rebuild(&h->win, h->func, h->nr_func);
}

/* The firmware's job: BARs in the order they are added, each aligned to
 * its size (PCI 3.0 6.2.5.1), in the windows the DSDT's _CRS gives. */
bool pci_host_place(struct pci_host *h, bool io, u64 size, u64 *addr)
{
	u64 *next = io ? &h->io_next : &h->mmio_next;
	u64 end = io ? PC_PCI_IO_BASE + PC_PCI_IO_SIZE : PC_PCI_MMIO_BASE + PC_PCI_MMIO_SIZE;
	u64 at = ALIGN_UP(*next, size);

	if (at > end || size > end - at || h->nr_bars == PCI_WINDOW_BARS)
		return false;
	h->nr_bars++;
	*addr = at;
	*next = at + size;
	return true;
}

/* INTx lines are open-drain with a pull-up (PCI 3.0 2.2.6): the wire to
 * the IOAPIC is low (asserted, the _PRT says active low) while any
 * function on it asserts, high otherwise. */
void pci_host_intx(struct pci_host *h, u32 gsi, u8 index, bool asserted)
{
	u32 line = gsi - PC_PCI_INTX_GSI, bit = 1U << index;
	bool was, now;

	if (line >= INTX_LINES || index >= PCI_MAX_FUNCS)
		return;
	was = h->intx[line] != 0;
	h->intx[line] = asserted ? h->intx[line] | bit : h->intx[line] & ~bit;
	now = h->intx[line] != 0;
	if (was != now)
		dev_irq_set(h->host, gsi, !now);
}

/* The windows: accesses go to whichever BAR decodes the address now
 * (pci_window.c); where none does, reads are all ones and writes dropped
 * (master abort, PCI 3.0 3.3.3.1). */
static enum bus_result window(struct pci_host *h, bool io, u64 addr, u32 size, u64 *val,
			      bool write)
{
	enum bus_result r = pci_window_access(&h->win, h->func, io, addr, size, val, write);

	for (u32 i = 0; r == BUS_UNCLAIMED && !io && i < h->nr; i++)
		if (h->slot[i].ops->mmio)
			r = h->slot[i].ops->mmio(h->slot[i].dev, addr, size, val, write);
	if (r == BUS_UNCLAIMED) {
		if (!write)
			*val = ~0ULL;
		return BUS_OK;
	}
	return r;
}

static enum bus_result mmio_win_read(void *dev, u64 off, u32 size, u64 *val)
{
	return window(dev, false, PC_PCI_MMIO_BASE + off, size, val, false);
}

static enum bus_result mmio_win_write(void *dev, u64 off, u32 size, u64 val)
{
	return window(dev, false, PC_PCI_MMIO_BASE + off, size, &val, true);
}

static enum bus_result io_win_read(void *dev, u64 off, u32 size, u64 *val)
{
	return window(dev, true, PC_PCI_IO_BASE + off, size, val, false);
}

static enum bus_result io_win_write(void *dev, u64 off, u32 size, u64 val)
{
	return window(dev, true, PC_PCI_IO_BASE + off, size, &val, true);
}

static const struct bus_dev_ops mmio_win_ops = { mmio_win_read, mmio_win_write, NULL };
static const struct bus_dev_ops io_win_ops = { io_win_read, io_win_write, NULL };

bool pci_register_function(struct dev_host *host, u16 bdf, const struct pci_func_ops *ops,
			   void *dev)
{
	struct pci_host *h = host_bridge(host);

	if (!h || !ops || !ops->cfg_read || !ops->cfg_write || find_slot(h, bdf) ||
	    h->nr == PCI_MAX_FUNCS)
		return false;
	h->slot[h->nr++] = (struct pci_slot){ bdf, ops, dev };
	return true;
}

/* CONFIG_DATA byte k of the selected function, size bytes. */
static u32 cfg_read(struct pci_host *h, u64 k, u32 size)
{
	const struct pci_slot *s = find_slot(h, (u16)(h->address >> 8));

	if (!(h->address & ADDR_ENABLE) || !s)
		return size == 4 ? ~0U : (1U << (8 * size)) - 1;
	return s->ops->cfg_read(s->dev, (h->address & 0xfc) + (u32)k, size);
}

static void cfg_write(struct pci_host *h, u64 k, u32 size, u32 val)
{
	const struct pci_slot *s = find_slot(h, (u16)(h->address >> 8));

	if ((h->address & ADDR_ENABLE) && s)
		s->ops->cfg_write(s->dev, (h->address & 0xfc) + (u32)k, size, val);
}

/* ECAM (PCI Express 3.0 7.2.2, Table 7-1): bus in bits 27:20 (bus 0
 * only), device 19:15, function 14:12, register 11:0. An access of 1, 2
 * or 4 bytes inside one dword reaches the function; offsets 256-4095 of a
 * present function (extended space, no capabilities there) read zero and
 * drop writes; absent functions read all ones. Wider or dword-crossing
 * accesses are refused (the bus reads them as all ones, 7.2.2.1 leaves
 * them undefined). */
#define ECAM_FN_SHIFT 12
#define ECAM_REG_MASK 0xfffU

static bool ecam_ok(u64 off, u32 size)
{
	return (size == 1 || size == 2 || size == 4) && (off & 3) + size <= 4;
}

static enum bus_result ecam_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct pci_host *h = dev;
	const struct pci_slot *s = find_slot(h, (u16)(off >> ECAM_FN_SHIFT));
	u32 reg = (u32)off & ECAM_REG_MASK;

	if (!ecam_ok(off, size))
		return BUS_BAD_ACCESS;
	if (!s)
		*val = size == 4 ? ~0U : (1U << (8 * size)) - 1;
	else if (reg >= PCI_CFG_SIZE)
		*val = 0;
	else
		*val = s->ops->cfg_read(s->dev, reg, size);
	return BUS_OK;
}

static enum bus_result ecam_write(void *dev, u64 off, u32 size, u64 val)
{
	struct pci_host *h = dev;
	const struct pci_slot *s = find_slot(h, (u16)(off >> ECAM_FN_SHIFT));
	u32 reg = (u32)off & ECAM_REG_MASK;

	if (!ecam_ok(off, size))
		return BUS_BAD_ACCESS;
	if (s && reg < PCI_CFG_SIZE)
		s->ops->cfg_write(s->dev, reg, size, (u32)val);
	return BUS_OK;
}

static const struct bus_dev_ops ecam_ops = { ecam_read, ecam_write, NULL };

/* CONFIG_ADDRESS answers dword accesses only; other sizes at 0xcf8-0xcfb
 * go to the ISA bus (Linux's pci_check_type1 writes a byte to 0xcfb), but
 * for the byte at 0xcf9, the reset control register. */
static enum bus_result pci_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct pci_host *h = dev;

	if (off >= CFG_DATA)
		*val = cfg_read(h, off - CFG_DATA, size);
	else if (off == CFG_ADDRESS && size == 4)
		*val = h->address;
	else if (off == RESET_CONTROL && size == 1)
		*val = h->rcr;
	else
		*val = ~0ULL;
	return BUS_OK;
}

static enum bus_result pci_write(void *dev, u64 off, u32 size, u64 val)
{
	struct pci_host *h = dev;

	if (off >= CFG_DATA) {
		cfg_write(h, off - CFG_DATA, size, (u32)val);
	} else if (off == CFG_ADDRESS && size == 4) {
		h->address = (u32)val & ADDR_MASK;
	} else if (off == RESET_CONTROL && size == 1) {
		h->rcr = (u8)val & RCR_KEEP;
		if (val & RCR_RESET)
			dev_request_reset(h->host);
	}
	return BUS_OK;
}

/* The host bridge, 00:00.0: identity, class 0x060000, no BARs. Only the
 * command register takes writes (PCI 3.0 6.2.2), kept as written. */
static u32 bridge_read(void *dev, u32 off, u32 size)
{
	struct pci_host *h = dev;
	u8 cfg[16] = { 0 };

	if (off >= sizeof(cfg))
		return 0;
	pci_cfg_put(cfg, PCI_VENDOR_ID, 2, PC_PCI_HOST_VENDOR);
	pci_cfg_put(cfg, PCI_DEVICE_ID, 2, PC_PCI_HOST_DEVICE);
	pci_cfg_put(cfg, PCI_COMMAND, 2, h->bridge_cmd);
	pci_cfg_put(cfg, PCI_STATUS, 2, 0x0280); /* medium DEVSEL, fast back-to-back */
	pci_cfg_put(cfg, PCI_REVISION, 4, 0x06000002U); /* class 06 00 00, revision 2 */
	return pci_cfg_get(cfg, off, size);
}

static void bridge_write(void *dev, u32 off, u32 size, u32 val)
{
	struct pci_host *h = dev;

	u8 cmd[2] = { (u8)h->bridge_cmd, (u8)(h->bridge_cmd >> 8) };

	for (u32 i = 0; i < size; i++)
		if (off + i == PCI_COMMAND || off + i == PCI_COMMAND + 1)
			cmd[off + i - PCI_COMMAND] = (u8)(val >> (8 * i));
	h->bridge_cmd = (u16)(cmd[0] | cmd[1] << 8) & 0x0147U; /* I/O, memory, master, parity, SERR */
}

static const struct pci_func_ops bridge_ops = { bridge_read, bridge_write, NULL, NULL };

/* The VM's reset (RST#) resets every function on the bus. */
static void pci_host_reset(void *dev)
{
	struct pci_host *h = dev;

	h->address = 0;
	h->rcr = 0;
	h->bridge_cmd = 0;
	for (u32 i = 0; i < h->nr_func; i++)
		pci_func_reset(h->func[i]);
	for (u32 i = 0; i < h->nr; i++)
		if (h->slot[i].ops->reset)
			h->slot[i].ops->reset(h->slot[i].dev);
}

static const struct bus_dev_ops pci_ops = { pci_read, pci_write, pci_host_reset };

struct pci_host *pci_host_attach(struct dev_host *host, const char **err)
{
	struct pci_host *h = dev_create(host, &host->bus->pio, PC_PCI_CONFIG, 8, sizeof(*h), &pci_ops,
					"pci-config", err);

	if (!h)
		return NULL;
	h->host = host;
	h->mmio_next = PC_PCI_MMIO_BASE;
	h->io_next = PC_PCI_IO_BASE;
	if (!bus_register(&host->bus->mmio, PC_PCI_ECAM_BASE, PC_PCI_ECAM_SIZE, &ecam_ops, h,
			  "pci-ecam") ||
	    !bus_register(&host->bus->mmio, PC_PCI_MMIO_BASE, PC_PCI_MMIO_SIZE, &mmio_win_ops, h,
			  "pci-mmio") ||
	    !bus_register(&host->bus->pio, PC_PCI_IO_BASE, PC_PCI_IO_SIZE, &io_win_ops, h,
			  "pci-io")) {
		*err = "PCI ECAM or windows not registered";
		return NULL;
	}
	/* the pull-ups: no INTx line is asserted */
	for (u32 line = 0; line < INTX_LINES; line++)
		dev_irq_set(host, PC_PCI_INTX_GSI + line, true);
	if (!pci_register_function(host, PCI_BDF(0, 0, 0), &bridge_ops, h)) {
		*err = "PCI host bridge not registered";
		return NULL;
	}
	return h;
}

static bool pci_host_create(struct dev_host *host, const struct vm_config *cfg, const char **err)
{
	(void)cfg;
	return pci_host_attach(host, err) != NULL;
}

VM_DEVICE(20, pci_host, pci_host_create);
