/* Mode setting on the Bochs VBE adapter (bochs_vbe.h). */
#include <bulkhead/bochs_vbe.h>
#include <bulkhead/mm.h>
#include <bulkhead/x86/host_pci.h>
#include <bulkhead/x86/io.h>

#define BOCHS_VENDOR 0x1234
#define BOCHS_DEVICE 0x1111

#define DISPI_INDEX 0x1ce
#define DISPI_DATA  0x1cf
#define DISPI_ID      0x0
#define DISPI_XRES    0x1
#define DISPI_YRES    0x2
#define DISPI_BPP     0x3
#define DISPI_ENABLE  0x4
#define DISPI_VIRT_W  0x6
#define DISPI_VIRT_H  0x7
#define DISPI_X_OFF   0x8
#define DISPI_Y_OFF   0x9
#define DISPI_MEM_64K 0xa /* video memory in 64 KiB units, from ID 0xB0C5 */
#define DISPI_ID0     0xb0c0
#define DISPI_ID5     0xb0c5
#define DISPI_ENABLED 0x01
#define DISPI_LFB     0x40

#define PCI_COMMAND      0x04
#define PCI_CMD_MEMORY   0x02
#define PCI_BAR0         0x10
#define PCI_BAR_IO       0x01
#define PCI_BAR_64       0x04 /* type field (bits 2:1) = 2 */
#define PCI_BAR_MEM_MASK 0xfffffff0U

static void dispi_write(u16 index, u16 v)
{
	outw(DISPI_INDEX, index);
	outw(DISPI_DATA, v);
}

static u16 dispi_read(u16 index)
{
	outw(DISPI_INDEX, index);
	return inw(DISPI_DATA);
}

bool bochs_vbe_find(u64 *base, const char **why)
{
	u8 dev;
	u32 bar;

	if (!host_pci_find(BOCHS_VENDOR, BOCHS_DEVICE, &dev)) {
		*why = "no Bochs VBE adapter on PCI bus 0";
		return false;
	}
	bar = host_pci_read32(0, dev, 0, PCI_BAR0);
	*base = bar & PCI_BAR_MEM_MASK;
	if (bar & PCI_BAR_64)
		*base |= (u64)host_pci_read32(0, dev, 0, PCI_BAR0 + 4) << 32;
	/* the hypervisor's identity map covers the low 4 GiB */
	if ((bar & PCI_BAR_IO) || !*base || *base >= GiB(4)) {
		*why = "Bochs VBE: BAR 0 is not a memory BAR below 4 GiB";
		return false;
	}
	return true;
}

bool bochs_vbe_setup(u32 width, u32 height, struct fb_surface *s, u64 *pa, const char **why)
{
	u8 dev;
	u32 cmd;
	u16 id;
	u64 base, bytes = (u64)width * height * 4;

	if (!bochs_vbe_find(&base, why) || !host_pci_find(BOCHS_VENDOR, BOCHS_DEVICE, &dev))
		return false;
	if (base + bytes > GiB(4)) {
		*why = "Bochs VBE: the mode does not fit below 4 GiB";
		return false;
	}
	id = dispi_read(DISPI_ID);
	if (id < DISPI_ID0 || id > DISPI_ID5 + 0x10) {
		*why = "Bochs VBE: DISPI interface not found";
		return false;
	}
	if (id >= DISPI_ID5 && (u64)dispi_read(DISPI_MEM_64K) * KiB(64) < bytes) {
		*why = "Bochs VBE: video memory too small for the mode";
		return false;
	}
	cmd = host_pci_read32(0, dev, 0, PCI_COMMAND);
	if (!(cmd & PCI_CMD_MEMORY))
		host_pci_write32(0, dev, 0, PCI_COMMAND, (cmd & 0xffffU) | PCI_CMD_MEMORY);
	/* the mode registers take effect while the interface is disabled */
	dispi_write(DISPI_ENABLE, 0);
	dispi_write(DISPI_XRES, (u16)width);
	dispi_write(DISPI_YRES, (u16)height);
	dispi_write(DISPI_BPP, 32);
	dispi_write(DISPI_ENABLE, DISPI_ENABLED | DISPI_LFB);
	if (dispi_read(DISPI_XRES) != width || dispi_read(DISPI_YRES) != height ||
	    dispi_read(DISPI_BPP) != 32) {
		dispi_write(DISPI_ENABLE, 0);
		*why = "Bochs VBE: the adapter refused the mode";
		return false;
	}
	dispi_write(DISPI_X_OFF, 0);
	dispi_write(DISPI_Y_OFF, 0);
	*pa = base;
	*s = (struct fb_surface){ phys_to_virt(base), width, height, dispi_read(DISPI_VIRT_W) };
	if (s->pitch < width)
		s->pitch = width;
	return true;
}
