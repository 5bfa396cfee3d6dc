/* Host PCI configuration mechanism 1 (host_pci.h). */
#include <bulkhead/x86/host_pci.h>
#include <bulkhead/x86/io.h>

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA    0xcfc
#define PCI_ENABLE         0x80000000U

static u32 address(u8 bus, u8 dev, u8 fn, u8 reg)
{
	return PCI_ENABLE | (u32)bus << 16 | (u32)(dev & 31) << 11 | (u32)(fn & 7) << 8 | (reg & 0xfcU);
}

u32 host_pci_read32(u8 bus, u8 dev, u8 fn, u8 reg)
{
	outl(PCI_CONFIG_ADDRESS, address(bus, dev, fn, reg));
	return inl(PCI_CONFIG_DATA);
}

void host_pci_write32(u8 bus, u8 dev, u8 fn, u8 reg, u32 v)
{
	outl(PCI_CONFIG_ADDRESS, address(bus, dev, fn, reg));
	outl(PCI_CONFIG_DATA, v);
}

bool host_pci_find(u16 vendor, u16 device, u8 *dev)
{
	for (u8 d = 0; d < 32; d++) {
		u32 id = host_pci_read32(0, d, 0, 0);

		if (id == ((u32)device << 16 | vendor)) {
			*dev = d;
			return true;
		}
	}
	return false; /* an empty slot reads all ones */
}
