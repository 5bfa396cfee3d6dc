/* libFuzzer target: the configuration-space filter of a passed-through
 * function (hv/dev/pci/pci_cfg_filter.c). The input is a host header (64
 * bytes), six BAR sizes (one byte each: 0 none, else 1 << (b % 64), or
 * an odd size when bit 7 is set), then guest accesses of 7 bytes each
 * (op, offset, size, value); one op exposes an MSI-X capability (offset,
 * entries, table and PBA dwords from the access's bytes) or, with the
 * value's top bit set, an MSI capability (offset, host Message Control
 * from the value); the owner's pending bit may be set. After every
 * access: the identity reads as the host's, the command holds only its
 * writable bits, every passed BAR is aligned to its size with the host's
 * type bits, every other BAR and everything from 0x40 on reads 0 but an
 * exposed MSI-X capability (dword aligned in 40h-f4h, ID 11h, next 0, its
 * table and PBA inside a passed BAR, only Enable and Function Mask
 * changed, next pointer the MSI capability's) and an exposed MSI
 * capability (ID 05h, next 0, Message Control only Enable and the
 * host's 64-bit and masking bits, address dword aligned, mask bit 0
 * only, not overlapping MSI-X), never both Enables on, and the dropped
 * count never goes down. */
#include <stdlib.h>
#include <string.h>
#include <bulkhead/pci_cfg_filter.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static u32 host32(const u8 *h, u32 off)
{
	return (u32)h[off] | (u32)h[off + 1] << 8 | (u32)h[off + 2] << 16 | (u32)h[off + 3] << 24;
}

static void check(const struct pci_cfg_filter *f, const u8 *h, u32 dropped_before)
{
	static const u32 ident[] = { 0x00, 0x08, 0x2c };

	for (u32 i = 0; i < 3; i++)
		if (pci_cfg_filter_read(f, ident[i], 4) != host32(h, ident[i]))
			abort();
	if (pci_cfg_filter_read(f, 0x04, 2) & ~(PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_INTX_OFF))
		abort();
	for (u32 i = 0; i < PCI_CFG_FILTER_BARS; i++) {
		u64 gpa, sz;
		u32 reg = pci_cfg_filter_read(f, 0x10 + 4 * i, 4);

		if (pci_cfg_filter_bar(f, i, &gpa, &sz)) {
			if (!sz || (sz & (sz - 1)) || sz < 16 || (gpa & (sz - 1)) ||
			    (reg & 0xfU) != (host32(h, 0x10 + 4 * i) & 0xfU) || (reg & 1U))
				abort();
		} else if (f->kind[i] != PCI_CFG_BAR_MEM64_HIGH && reg != 0) {
			abort();
		}
	}
	u32 mc = f->msi_cap, mlen = 0, md = 0;

	if (mc) {
		md = f->msi_ctrl & PCI_CFG_MSI_64 ? 0x0cU : 0x08U;
		mlen = md + (f->msi_ctrl & PCI_CFG_MSI_PVM ? 12U : 4U);
		if (mc < 0x40 || (mc & 3U) || mc + mlen > 0x100)
			abort();
		if (f->msix_cap && mc < f->msix_cap + 12U && f->msix_cap < mc + mlen)
			abort();
		if ((f->msi_ctrl & PCI_CFG_MSI_ENABLE) && (f->msix_ctrl & PCI_CFG_MSIX_ENABLE))
			abort();
	}
	for (u32 off = 0x40; off < 0x100; off += 4) {
		u32 v = pci_cfg_filter_read(f, off, 4), c = f->msix_cap;

		if (mc && off >= mc && off < mc + mlen) {
			u32 rel = off - mc;

			if (rel == 0 && ((v & 0xffffU) != 0x05U ||
					 (v >> 16 & ~(PCI_CFG_MSI_ENABLE | PCI_CFG_MSI_64 |
						      PCI_CFG_MSI_PVM))))
				abort();
			if (rel == 4 && (v & 3U))
				abort();
			if (rel == md && (v >> 16))
				abort();
			if (rel == md + 4 && (v & ~1U))
				abort();
			if (rel == md + 8 && v != (f->msi_pending & 1U))
				abort();
			continue;
		}
		if (c && off == c) {
			if ((v & 0xffU) != 0x11U || (v >> 8 & 0xffU) != mc ||
			    ((v >> 16) & 0x7ffU) != f->msix_nvec - 1U ||
			    (v >> 16 & 0x3800U))
				abort();
		} else if (c && (off == c + 4U || off == c + 8U)) {
			u32 bir = v & 7U;
			u64 gpa, sz, len = off == c + 4U ? 16ULL * f->msix_nvec
						    : (f->msix_nvec + 63U) / 64U * 8U;

			if (!pci_cfg_filter_bar(f, bir, &gpa, &sz) || (v & ~7U) > sz ||
			    len > sz - (v & ~7U))
				abort();
		} else if (v) {
			abort();
		}
	}
	if (f->msix_cap && (f->msix_cap < 0x40 || f->msix_cap > 0xf4 || (f->msix_cap & 3U) ||
			    !f->msix_nvec || f->msix_nvec > PCI_CFG_MSIX_MAX))
		abort();
	if (pci_cfg_filter_read(f, 0x30, 4) ||
	    pci_cfg_filter_read(f, 0x34, 4) != (f->msix_cap ? f->msix_cap : mc) ||
	    !(pci_cfg_filter_read(f, 0x06, 2) & 0x10U) != !(f->msix_cap || mc))
		abort();
	if (f->dropped < dropped_before)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pci_cfg_filter f;
	u8 h[64];
	u64 bar_size[PCI_CFG_FILTER_BARS];

	if (size < 64 + PCI_CFG_FILTER_BARS)
		return 0;
	memcpy(h, data, 64);
	for (u32 i = 0; i < PCI_CFG_FILTER_BARS; i++) {
		u8 b = data[64 + i];

		bar_size[i] = !b ? 0 : (b & 0x80) ? (u64)b * 3 : 1ULL << (b % 64);
	}
	pci_cfg_filter_init(&f, h, bar_size);
	check(&f, h, 0);
	data += 64 + PCI_CFG_FILTER_BARS;
	size -= 64 + PCI_CFG_FILTER_BARS;
	for (; size >= 7; data += 7, size -= 7) {
		u32 off = data[1] | (u32)(data[0] & 1) << 8, sz = data[2] % 9;
		u32 val = host32(data, 3), before = f.dropped;

		switch (data[0] >> 1 & 7) {
		case 0:
		case 1:
			(void)pci_cfg_filter_read(&f, off, sz);
			break;
		case 2:
		case 3:
		case 4:
		case 5:
			(void)pci_cfg_filter_write(&f, off, sz, val);
			break;
		case 6:
			pci_cfg_filter_place(&f, data[1] % 8, (u64)val << (data[2] % 33));
			break;
		default:
			if (val >> 31) {
				if (data[2] & 1U)
					f.msi_pending = f.msi_ctrl & PCI_CFG_MSI_PVM ? 1U : 0;
				else
					(void)pci_cfg_filter_msi(&f, data[1], val >> 8 & 0xffffU);
				break;
			}
			(void)pci_cfg_filter_msix(&f, data[1], (val & 0xfffU) + (data[2] >> 4),
						  val & 0xffff00ffU, (val >> 4 & 0xfff8U) | data[2] % 8);
			break;
		}
		check(&f, h, before);
	}
	return 0;
}
