/* PCI passthrough, the VM's side (docs/architecture.md "Passthrough"):
 * each function passthrough.c confined is put on the VM's emulated bus at
 * slot PC_PCI_SLOT_PASSTHROUGH + i, its configuration space served by
 * pci_cfg_filter (the allow-list is in pci_cfg_filter.h). Its memory BARs
 * are placed in the VM's PCI window as firmware would (PCI 3.0 6.2.5.1);
 * while the guest has memory decoding on, each BAR is mapped in the VM's
 * nested page table at its guest address to the host BAR (uncached, 4 KiB
 * pages, MMIO of that device only), and unmapped when decoding goes off or
 * the guest moves it; a BAR the guest puts outside the window, or over
 * another mapping, is not mapped. The host keeps its BARs where firmware
 * put them; the host command register follows the guest's memory space
 * and bus master bits (bus mastering on the host only while the guest has
 * it on), never I/O space. BARs under 4 KiB cannot be page-mapped: a VM
 * given such a function is not started. I/O BARs are not passed. The
 * pages holding the MSI-X table and PBA are left out of the mapping: the
 * guest's accesses to them trap and reach passthrough_msix.c (through
 * pci_func_ops.mmio), which also delivers the function's interrupts
 * (polled as a timer device of the VM); a function with plain MSI has it
 * mediated by passthrough_msi.c through the same configuration writes
 * and poll. */
#include <bulkhead/console.h>
#include <bulkhead/format.h>
#include <bulkhead/passthrough.h>
#include <bulkhead/passthrough_msi.h>
#include <bulkhead/passthrough_msix.h>
#include <bulkhead/passthrough_reset.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/pci.h>
#include <bulkhead/pci_cfg_filter.h>
#include <bulkhead/pci_func_priv.h>
#include <bulkhead/spinlock.h>
#include <bulkhead/vm.h>
#include <bulkhead/vm_device.h>
#include <bulkhead/vmm.h>
#include <bulkhead/vtimer.h>
#include <bulkhead/x86/host_pci.h>

#define HOST_COMMAND  0x04U
#define HOST_BAR0     0x10U
#define BAR_IO        0x1U
#define BAR_64        0x4U
#define BAR_TYPE_MASK 0x6U
#define BAR_ADDR_MASK (~0xfULL)
#define CMD_IO        (1U << 0)

struct pt_fn {
	struct vm *vm;
	const struct host_pci_fn *hf;
	struct pci_cfg_filter filt;
	u64 host_bar[PCI_CFG_FILTER_BARS];   /* host address of each passed BAR */
	u64 mapped_gpa[PCI_CFG_FILTER_BARS]; /* where it is mapped now */
	bool mapped[PCI_CFG_FILTER_BARS];
	struct pt_msix msix;
	struct pt_msi msi;
	struct pci_cfg_filter boot_filt; /* what the guest saw at its first boot */
	struct spinlock lock;
};

static struct pt_fn pt_fns[VM_MAX][VM_MAX_PASSTHROUGH];
static unsigned pt_nr[VM_MAX];
static char msg[160];

static u32 hread(const struct pt_fn *p, u32 reg)
{
	return host_pci_read32(p->hf->bus, p->hf->dev, p->hf->fn, (u8)reg);
}

static void hwrite(const struct pt_fn *p, u32 reg, u32 v)
{
	host_pci_write32(p->hf->bus, p->hf->dev, p->hf->fn, (u8)reg, v);
}

/* Sizes the host's BARs (PCI 3.0 6.2.5.1: write all ones, read back) with
 * its decoding off, then puts back the BARs and the command register. */
static void probe_host(struct pt_fn *p, u8 hdr[64], u64 size[PCI_CFG_FILTER_BARS])
{
	u32 cmd = hread(p, HOST_COMMAND);

	hwrite(p, HOST_COMMAND, cmd & ~0x7U & 0xffffU);
	for (u32 i = 0; i < 64; i += 4) {
		u32 v = hread(p, i);

		hdr[i] = (u8)v, hdr[i + 1] = (u8)(v >> 8);
		hdr[i + 2] = (u8)(v >> 16), hdr[i + 3] = (u8)(v >> 24);
	}
	for (u32 i = 0; i < PCI_CFG_FILTER_BARS; i++) {
		u32 reg = HOST_BAR0 + 4 * i, lo = hread(p, reg), hi = 0;
		bool is64 = (lo & BAR_TYPE_MASK) == BAR_64 && i + 1 < PCI_CFG_FILTER_BARS;
		u64 mask;

		size[i] = 0;
		if (lo & BAR_IO)
			continue;
		hwrite(p, reg, ~0U);
		mask = hread(p, reg) & BAR_ADDR_MASK & 0xffffffffULL;
		hwrite(p, reg, lo);
		if (is64) {
			hi = hread(p, reg + 4);
			hwrite(p, reg + 4, ~0U);
			mask |= (u64)hread(p, reg + 4) << 32;
			hwrite(p, reg + 4, hi);
		} else if (mask) {
			mask |= ~0xffffffffULL;
		}
		size[i] = mask ? ~mask + 1 : 0;
		p->host_bar[i] = ((u64)hi << 32 | lo) & BAR_ADDR_MASK;
		if (is64) {
			size[++i] = 0;
		}
	}
	hwrite(p, HOST_COMMAND, cmd & 0xffffU);
}

static bool in_window(u64 gpa, u64 size)
{
	return gpa >= PC_PCI_MMIO_BASE && size <= PC_PCI_MMIO_SIZE &&
	       gpa - PC_PCI_MMIO_BASE <= PC_PCI_MMIO_SIZE - size;
}

/* The parts of BAR i (offsets [0, size)) outside the MSI-X table and PBA
 * pages, which stay unmapped so that guest accesses trap
 * (passthrough_msix.c): up to three pieces, lo[k] to hi[k]; how many. */
static u32 pieces(const struct pt_fn *p, u32 i, u64 size, u64 lo[3], u64 hi[3])
{
	u64 h[2][2], at = 0;
	u32 nh = 0, n = 0;

	for (u32 w = 0; w < 2; w++)
		if (pt_msix_hole(&p->msix, i, w, &h[nh][0], &h[nh][1]))
			nh++;
	if (nh == 2 && h[1][0] < h[0][0]) { /* in address order */
		u64 t0 = h[0][0], t1 = h[0][1];

		h[0][0] = h[1][0], h[0][1] = h[1][1];
		h[1][0] = t0, h[1][1] = t1;
	}
	for (u32 k = 0; k < nh; k++) {
		if (h[k][0] > at)
			lo[n] = at, hi[n++] = MIN(h[k][0], size);
		at = MAX(at, h[k][1]);
	}
	if (at < size)
		lo[n] = at, hi[n++] = size;
	return n;
}

static bool map_bar(struct pt_fn *p, u32 i, u64 gpa, u64 size, bool map)
{
	u64 lo[3], hi[3];
	u32 n = pieces(p, i, size, lo, hi);
	bool ok = true;

	for (u32 k = 0; k < n; k++) {
		if (hi[k] <= lo[k])
			continue;
		if (map)
			ok = vmm->vm_map_mmio(p->vm, gpa + lo[k], p->host_bar[i] + lo[k],
					      hi[k] - lo[k]) && ok;
		else
			ok = vmm->vm_unmap_mmio(p->vm, gpa + lo[k], hi[k] - lo[k]) && ok;
	}
	return ok;
}

/* Brings the nested page table in line with the guest's BARs and memory
 * decoding. @pre p->lock held. */
static void sync_bars(struct pt_fn *p)
{
	bool mem = p->filt.command & PCI_CMD_MEM;

	for (u32 i = 0; i < PCI_CFG_FILTER_BARS; i++) {
		u64 gpa, size;
		bool want = pci_cfg_filter_bar(&p->filt, i, &gpa, &size) && mem &&
			    in_window(gpa, size);

		if (p->mapped[i] && (!want || gpa != p->mapped_gpa[i])) {
			if (!map_bar(p, i, p->mapped_gpa[i], p->filt.size[i], false))
				printf("vm %s: passthrough %02x:%02x.%u BAR %u: unmap at %#lx "
				       "incomplete\n", p->vm->name, p->hf->bus, p->hf->dev,
				       p->hf->fn, i, p->mapped_gpa[i]);
			p->mapped[i] = false;
			printf("vm %s: passthrough %02x:%02x.%u BAR %u unmapped from %#lx\n",
			       p->vm->name, p->hf->bus, p->hf->dev, p->hf->fn, i, p->mapped_gpa[i]);
		}
		if (want && !p->mapped[i]) {
			if (!map_bar(p, i, gpa, size, true)) {
				/* over another mapping: undo what part of it was made */
				(void)map_bar(p, i, gpa, size, false);
				printf("vm %s: passthrough %02x:%02x.%u BAR %u at %#lx overlaps "
				       "another mapping: not mapped\n", p->vm->name, p->hf->bus,
				       p->hf->dev, p->hf->fn, i, gpa);
				continue;
			}
			p->mapped[i] = true;
			p->mapped_gpa[i] = gpa;
			printf("vm %s: passthrough %02x:%02x.%u BAR %u mapped at %#lx -> host %#lx, "
			       "%lu KiB uncached\n", p->vm->name, p->hf->bus, p->hf->dev, p->hf->fn,
			       i, gpa, p->host_bar[i], size >> 10);
		}
	}
}

/* The host's command register follows the guest's memory space and bus
 * master bits; I/O space stays off. */
static void sync_command(struct pt_fn *p)
{
	u32 cmd = hread(p, HOST_COMMAND) & 0xffffU;

	cmd &= ~(u32)(PCI_CMD_MEM | PCI_CMD_MASTER | CMD_IO);
	cmd |= p->filt.command & (PCI_CMD_MEM | PCI_CMD_MASTER);
	hwrite(p, HOST_COMMAND, cmd); /* status half 0: its RW1C bits untouched */
}

static u32 pt_cfg_read(void *dev, u32 off, u32 size)
{
	struct pt_fn *p = dev;
	u32 v;

	spin_lock(&p->lock);
	v = pci_cfg_filter_read(&p->filt, off, size);
	spin_unlock(&p->lock);
	return v;
}

static void pt_cfg_write(void *dev, u32 off, u32 size, u32 val)
{
	struct pt_fn *p = dev;
	unsigned fx;

	spin_lock(&p->lock);
	fx = pci_cfg_filter_write(&p->filt, off, size, val);
	if (fx & (PCI_CFG_FX_MEM | PCI_CFG_FX_MASTER))
		sync_command(p);
	if (fx & (PCI_CFG_FX_MEM | PCI_CFG_FX_BARS))
		sync_bars(p);
	if (fx & PCI_CFG_FX_MSIX)
		pt_msix_ctrl_changed(&p->msix);
	if (fx & PCI_CFG_FX_MSI)
		pt_msi_changed(&p->msi);
	spin_unlock(&p->lock);
}

/* The guest's access to a page of a mapped BAR that holds the MSI-X
 * table or PBA (not mapped: it traps and reaches the window). */
static enum bus_result pt_mmio(void *dev, u64 addr, u32 size, u64 *val, bool write)
{
	struct pt_fn *p = dev;
	enum bus_result r = BUS_UNCLAIMED;

	spin_lock(&p->lock);
	for (u32 i = 0; i < PCI_CFG_FILTER_BARS && r == BUS_UNCLAIMED; i++) {
		u64 off = addr - p->mapped_gpa[i];

		for (u32 w = 0; w < 2 && p->mapped[i] && addr >= p->mapped_gpa[i]; w++) {
			u64 lo, hi;

			if (pt_msix_hole(&p->msix, i, w, &lo, &hi) && off >= lo && off < hi &&
			    size <= hi - off) {
				r = pt_msix_access(&p->msix, i, off, size, val, write);
				break;
			}
		}
	}
	spin_unlock(&p->lock);
	return r;
}

/* The function quiet and its guest view as at a fresh boot, @pre p->lock
 * held: MSI-X back to its reset state (PCI 3.0 6.8.2.3, 6.8.2.9: disabled,
 * every entry masked, nothing pending, host vectors given back), the
 * virtual header as the VM's creation left it (command 0, each BAR at the
 * address it was placed at), so the host's decoding and bus mastering off
 * and every BAR unmapped from the nested page table. */
static void pt_fn_to_boot(struct pt_fn *p)
{
	u32 dropped = p->filt.dropped;

	pt_msix_reset(&p->msix);
	pt_msi_reset(&p->msi);
	p->filt = p->boot_filt;
	p->filt.dropped = dropped;
	sync_command(p);
	sync_bars(p);
}

/* The VM's RST# (bus_reset, after passthrough_vm_reset did the host's
 * side before its RAM was wiped): the guest view back to boot. Already
 * there unless the guest ran in between; idempotent. */
static void pt_reset(void *dev)
{
	struct pt_fn *p = dev;

	spin_lock(&p->lock);
	pt_fn_to_boot(p);
	spin_unlock(&p->lock);
}

void passthrough_vm_reset(struct vm *vm)
{
	for (unsigned i = 0; i < pt_nr[vm->id]; i++) {
		struct pt_fn *p = &pt_fns[vm->id][i];
		enum passthrough_reset done;

		spin_lock(&p->lock);
		pt_fn_to_boot(p); /* bus mastering off first: no new DMA */
		done = passthrough_reset_fn(p->hf);
		sync_command(p); /* the header put back had command 0 already */
		spin_unlock(&p->lock);
		printf("vm %s: passthrough %02x:%02x.%u at the VM's reset: %s; BARs unmapped, "
		       "guest view as at boot, same IOMMU domain\n", p->vm->name, p->hf->bus,
		       p->hf->dev, p->hf->fn, passthrough_reset_how(done));
	}
}

static const struct pci_func_ops pt_ops = { pt_cfg_read, pt_cfg_write, pt_mmio, pt_reset };

/* The scheduler polls the VM's functions (under hv_lock) for what their
 * host interrupts noted (passthrough_msix.h). */
static u64 pt_next(void *dev)
{
	struct pt_fn *fns = dev;
	unsigned id = (unsigned)((fns - &pt_fns[0][0]) / VM_MAX_PASSTHROUGH);

	for (unsigned i = 0; i < pt_nr[id]; i++)
		if (pt_msix_due(&fns[i].msix) || pt_msi_due(&fns[i].msi))
			return 0;
	return ~0ULL;
}

static void pt_poll(void *dev, u64 now)
{
	struct pt_fn *fns = dev;
	unsigned id = (unsigned)((fns - &pt_fns[0][0]) / VM_MAX_PASSTHROUGH);

	(void)now;
	for (unsigned i = 0; i < pt_nr[id]; i++) {
		spin_lock(&fns[i].lock);
		pt_msix_poll(&fns[i].msix);
		pt_msi_poll(&fns[i].msi);
		spin_unlock(&fns[i].lock);
	}
}

static const struct vtimer_ops pt_timer_ops = { pt_next, pt_poll };

/* Builds the filter of p and places its BARs in the VM's window. */
static bool setup_fn(struct dev_host *h, struct pt_fn *p, unsigned slot, const char **err)
{
	struct pci_host *ph = pci_host_of(h);
	u64 size[PCI_CFG_FILTER_BARS];
	u8 hdr[64];

	probe_host(p, hdr, size);
	for (u32 i = 0; i < PCI_CFG_FILTER_BARS; i++) {
		if (size[i] && size[i] < PAGE_SIZE) {
			fmt_snprintf(msg, sizeof(msg), "passthrough %02x:%02x.%u: BAR %u is %lu "
				     "bytes, under a page: cannot map it", p->hf->bus, p->hf->dev,
				     p->hf->fn, i, size[i]);
			*err = msg;
			return false;
		}
	}
	pci_cfg_filter_init(&p->filt, hdr, size);
	(void)pt_msix_probe(&p->msix, h, p->vm, p->hf, p->host_bar, &p->filt);
	(void)pt_msi_probe(&p->msi, h, p->vm, p->hf, &p->filt);
	for (u32 i = 0; i < PCI_CFG_FILTER_BARS; i++) {
		u64 gpa, sz;

		if (!pci_cfg_filter_bar(&p->filt, i, &gpa, &sz))
			continue;
		if (!ph || !pci_host_place(ph, false, sz, &gpa)) {
			*err = "passthrough: a BAR does not fit the VM's PCI window";
			return false;
		}
		pci_cfg_filter_place(&p->filt, i, gpa);
		printf("vm %s: passthrough %02x:%02x.%u at 00:%02x.0, BAR %u: host %#lx, guest "
		       "%#lx, %lu KiB\n", p->vm->name, p->hf->bus, p->hf->dev, p->hf->fn, slot, i,
		       p->host_bar[i], gpa, sz >> 10);
	}
	sync_command(p); /* decoding and bus mastering off until the guest turns them on */
	p->boot_filt = p->filt;
	if (!pci_register_function(h, PCI_BDF(0, slot, 0), &pt_ops, p)) {
		*err = "passthrough: its slot on the VM's PCI bus is taken";
		return false;
	}
	return true;
}

static bool passthrough_bus_create(struct dev_host *h, const struct vm_config *cfg,
				   const char **err)
{
	struct vm *vm = vm_of_dev(h);
	const struct host_pci_fn *fns[VM_MAX_PASSTHROUGH];
	unsigned n = passthrough_vm_fns(vm, fns);

	(void)cfg;
	pt_nr[vm->id] = 0;
	if (n && (!vmm->vm_map_mmio || !vmm->vm_unmap_mmio)) {
		*err = "passthrough: this backend cannot map device MMIO";
		return false;
	}
	for (unsigned i = 0; i < n; i++) {
		struct pt_fn *p = &pt_fns[vm->id][i];

		*p = (struct pt_fn){ .vm = vm, .hf = fns[i] };
		pt_nr[vm->id] = i + 1;
		if (!setup_fn(h, p, PC_PCI_SLOT_PASSTHROUGH + i, err)) {
			pt_nr[vm->id] = 0; /* nothing mapped yet; passthrough.c resets them */
			return false;
		}
	}
	if (n && !dev_add_timer(h, &pt_timer_ops, pt_fns[vm->id])) {
		*err = "passthrough: the VM's timer table is full (MSI-X delivery)";
		return false;
	}
	return true;
}

/* The nested page table goes with the VM; the host function is reset and
 * its header put back by passthrough.c after this. */
static void passthrough_bus_destroy(struct dev_host *h)
{
	struct vm *vm = vm_of_dev(h);

	for (unsigned i = 0; i < pt_nr[vm->id]; i++) {
		struct pt_fn *p = &pt_fns[vm->id][i];

		spin_lock(&p->lock);
		pt_msix_stop(&p->msix); /* before the reset, in passthrough.c */
		pt_msi_stop(&p->msi);
		p->filt.command = 0;
		sync_command(p);
		sync_bars(p); /* decoding off: every BAR unmapped */
		spin_unlock(&p->lock);
	}
	pt_nr[vm->id] = 0;
}

bool passthrough_mmio_own(const struct vm *vm, u64 gpa, u64 hpa, u64 size)
{
	for (unsigned i = 0; i < pt_nr[vm->id]; i++) {
		const struct pt_fn *p = &pt_fns[vm->id][i];

		for (u32 b = 0; b < PCI_CFG_FILTER_BARS; b++) {
			u64 at = p->mapped_gpa[b], len = p->filt.size[b];

			if (p->mapped[b] && gpa >= at && size <= len && gpa - at <= len - size &&
			    hpa == p->host_bar[b] + (gpa - at))
				return true;
		}
	}
	return false;
}

/* After the host bridge (20), which owns the bus it registers on. */
VM_DEVICE_DESTROY(21, passthrough_bus, passthrough_bus_create, passthrough_bus_destroy);
