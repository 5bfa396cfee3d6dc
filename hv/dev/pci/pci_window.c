/* The host bridge's PCI windows (PC_PCI_MMIO_*, PC_PCI_IO_*), registered
 * once on the VM's bus, send each access to the BAR that covers its
 * address at that moment, so BARs move without touching the (frozen) bus.
 *
 * A BAR decodes (PCI 3.0 6.2.2, 6.2.5) only while the command register
 * enables its space, only if it lies wholly inside its window, and only
 * if no other decoding BAR of any function overlaps it: two BARs the
 * guest moved onto each other both decode nothing until one moves away,
 * and a BAR moved outside the window (or above 4 GiB) decodes nothing.
 * An access nothing decodes is unclaimed (reads all ones); one that runs
 * past the end of its BAR is refused.
 *
 * The BARs that decode are kept in a table per window, rebuilt whenever a
 * BAR or a command register changes (rare), so an access (every virtio
 * notification) looks through live BARs only. The lookup copies the entry
 * under the lock and calls the device without it: an access racing with a
 * BAR move reaches the BAR where it was, as on a real bus. */
#include <bulkhead/pc_platform.h>
#include <bulkhead/pci_func_priv.h>

static bool in_window(bool io, u64 addr, u64 size)
{
	u64 base = io ? PC_PCI_IO_BASE : PC_PCI_MMIO_BASE;
	u64 len = io ? PC_PCI_IO_SIZE : PC_PCI_MMIO_SIZE;

	return addr >= base && size <= len && addr - base <= len - size;
}

/* Is BAR i of f decoding in this space, ignoring the others? */
static bool bar_enabled(const struct pci_func *f, u32 i, bool io)
{
	const struct pci_bar *b = &f->bar[i];

	if (b->part != BAR_PART_LOW || (b->kind == PCI_BAR_IO) != io)
		return false;
	if (!(f->command & (io ? PCI_CMD_IO : PCI_CMD_MEM)))
		return false;
	return in_window(io, b->addr, b->size);
}

static bool overlaps_another(struct pci_func *const *funcs, u32 n, const struct pci_bar *b,
			     bool io)
{
	for (u32 k = 0; k < n; k++) {
		for (u32 i = 0; i < PCI_FUNC_BARS; i++) {
			const struct pci_bar *o = &funcs[k]->bar[i];

			if (o == b || !bar_enabled(funcs[k], i, io))
				continue;
			if (o->addr < b->addr + b->size && b->addr < o->addr + o->size)
				return true;
		}
	}
	return false;
}

static void rebuild_space(struct pci_windows *w, struct pci_func *const *funcs, u32 n, bool io)
{
	for (u32 k = 0; k < n; k++) {
		for (u32 i = 0; i < PCI_FUNC_BARS && w->n < PCI_WINDOW_BARS; i++) {
			const struct pci_bar *b = &funcs[k]->bar[i];

			if (!bar_enabled(funcs[k], i, io) || overlaps_another(funcs, n, b, io))
				continue;
			w->d[w->n++] = (struct pci_decode){ (u32)b->addr, (u32)b->size, (u8)k, (u8)i,
							    io };
		}
	}
}

void pci_windows_rebuild(struct pci_windows *w, struct pci_func *const *funcs, u32 n)
{
	spin_lock(&w->lock);
	w->n = 0;
	rebuild_space(w, funcs, n, false);
	rebuild_space(w, funcs, n, true);
	spin_unlock(&w->lock);
}

static enum bus_result bar_access(struct pci_func *f, u32 i, u64 off, u32 size, u64 *val,
				  bool write)
{
	const struct pci_bar *b = &f->bar[i];
	enum bus_result r;

	if (size > b->size || off > b->size - size)
		return BUS_BAD_ACCESS;
	if (pci_msix_bar_access(f, i, off, size, val, write, &r))
		return r;
	if (!b->ops) {
		if (!write)
			*val = 0; /* a BAR that holds only the MSI-X structures */
		return BUS_OK;
	}
	return write ? b->ops->write(b->dev, off, size, *val) : b->ops->read(b->dev, off, size, val);
}

enum bus_result pci_window_access(struct pci_windows *w, struct pci_func *const *funcs, bool io,
				  u64 addr, u32 size, u64 *val, bool write)
{
	struct pci_decode hit = { 0 };
	bool found = false;

	spin_lock(&w->lock);
	for (u32 k = 0; k < w->n; k++) {
		const struct pci_decode *d = &w->d[k];

		if (d->io == io && addr >= d->base && addr - d->base < d->size) {
			hit = *d;
			found = true;
			break;
		}
	}
	spin_unlock(&w->lock);
	if (!found)
		return BUS_UNCLAIMED;
	return bar_access(funcs[hit.func], hit.bar, addr - hit.base, size, val, write);
}
