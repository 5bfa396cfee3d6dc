/* The host's PCI configuration space (host_pci.h): ECAM for the buses the
 * MCFG covers, mechanism 1 otherwise; and the boot-time walk of every bus. */
#include <bulkhead/console.h>
#include <bulkhead/format.h>
#include <bulkhead/mm.h>
#include <bulkhead/x86/host_pci.h>
#include <bulkhead/x86/io.h>

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA    0xcfc
#define PCI_ENABLE         0x80000000U

/* Enhanced configuration access (PCI Express 3.0 7.2.2): 4 KiB per
 * function at base + (bus << 20 | device << 15 | function << 12), for
 * the buses the MCFG covers; used only where the hypervisor maps it (below
 * 4 GiB). */
static struct {
	u64 base;
	u8 first, last;
	bool on;
} ecam;

static bool via_ecam(u8 bus)
{
	return ecam.on && bus >= ecam.first && bus <= ecam.last;
}

static volatile u32 *ecam_reg(u8 bus, u8 dev, u8 fn, u8 reg)
{
	return phys_to_virt(ecam.base + ((u64)bus << 20 | (u64)(dev & 31) << 15 |
					 (u64)(fn & 7) << 12 | (reg & 0xfcU)));
}

static u32 address(u8 bus, u8 dev, u8 fn, u8 reg)
{
	return PCI_ENABLE | (u32)bus << 16 | (u32)(dev & 31) << 11 | (u32)(fn & 7) << 8 | (reg & 0xfcU);
}

u32 host_pci_read32(u8 bus, u8 dev, u8 fn, u8 reg)
{
	if (via_ecam(bus))
		return *ecam_reg(bus, dev, fn, reg);
	outl(PCI_CONFIG_ADDRESS, address(bus, dev, fn, reg));
	return inl(PCI_CONFIG_DATA);
}

void host_pci_write32(u8 bus, u8 dev, u8 fn, u8 reg, u32 v)
{
	if (via_ecam(bus)) {
		*ecam_reg(bus, dev, fn, reg) = v;
		return;
	}
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

struct host_pci_fn host_pci_fns[HOST_PCI_MAX_FNS];
unsigned host_pci_nr_fns;

#define PCI_ID           0x00
#define PCI_CLASS_REV    0x08
#define PCI_HEADER       0x0c /* header type in bits 23:16 */
#define PCI_BRIDGE_BUSES 0x18 /* type 1: primary, secondary, subordinate */
#define HDR_MULTI_FN     0x80U
#define HDR_TYPE_MASK    0x7fU
#define HDR_BRIDGE       1U

static bool absent(u32 id)
{
	return (id & 0xffffU) == 0xffffU || (id & 0xffffU) == 0;
}

/* Records and logs one function; the secondary bus of a bridge, or 0. */
static u8 add_fn(u8 bus, u8 dev, u8 fn, u32 id, u8 hdr)
{
	u32 class = host_pci_read32(bus, dev, fn, PCI_CLASS_REV) >> 8;
	u8 secondary = 0;
	char bridge[24] = "";

	if ((hdr & HDR_TYPE_MASK) == HDR_BRIDGE) {
		secondary = (u8)(host_pci_read32(bus, dev, fn, PCI_BRIDGE_BUSES) >> 8);
		fmt_snprintf(bridge, sizeof(bridge), " bridge to bus %02x", secondary);
	}
	printf("pci: %02x:%02x.%u %04x:%04x class %06x%s\n", bus, dev, fn, id & 0xffffU, id >> 16,
	       class, bridge);
	if (host_pci_nr_fns < HOST_PCI_MAX_FNS)
		host_pci_fns[host_pci_nr_fns++] = (struct host_pci_fn){
			.bus = bus, .dev = dev, .fn = fn, .vendor = (u16)id,
			.device = (u16)(id >> 16), .class = class, .header = hdr,
		};
	return secondary;
}

/* Every function on bus, queueing the buses behind its bridges. */
static void scan_bus(u8 bus, u8 *queue, unsigned *tail, u8 *seen)
{
	for (u8 dev = 0; dev < 32; dev++) {
		u32 id = host_pci_read32(bus, dev, 0, PCI_ID);
		u8 hdr, nr_fn;

		if (absent(id))
			continue;
		hdr = (u8)(host_pci_read32(bus, dev, 0, PCI_HEADER) >> 16);
		nr_fn = (hdr & HDR_MULTI_FN) ? 8 : 1;
		for (u8 fn = 0; fn < nr_fn; fn++) {
			u8 sec;

			if (fn) {
				id = host_pci_read32(bus, dev, fn, PCI_ID);
				if (absent(id))
					continue;
				hdr = (u8)(host_pci_read32(bus, dev, fn, PCI_HEADER) >> 16);
			}
			sec = add_fn(bus, dev, fn, id, hdr);
			/* a bridge to a bus walked already, or below its own, is a
			 * firmware error: not followed, so the walk ends */
			if (sec > bus && !(seen[sec / 8] & (1U << (sec % 8)))) {
				seen[sec / 8] |= (u8)(1U << (sec % 8));
				queue[(*tail)++] = sec;
			}
		}
	}
}

void host_pci_init(const struct acpi_info *acpi)
{
	u8 queue[256], seen[32] = { 1 }; /* bus 0 seen */
	unsigned head = 0, tail = 0;
	u64 ecam_end = acpi->ecam_base + ((u64)acpi->ecam_bus_end + 1) * MiB(1);

	if (acpi->ecam_base && ecam_end <= GiB(4)) {
		ecam.base = acpi->ecam_base;
		ecam.first = acpi->ecam_bus_start;
		ecam.last = acpi->ecam_bus_end;
		ecam.on = true;
	} else if (acpi->ecam_base)
		printf("pci: ECAM at %#lx is above 4 GiB; using mechanism 1\n", acpi->ecam_base);
	queue[tail++] = 0;
	while (head < tail)
		scan_bus(queue[head++], queue, &tail, seen);
	if (host_pci_nr_fns == HOST_PCI_MAX_FNS)
		printf("pci: only the first %u functions are kept\n", HOST_PCI_MAX_FNS);
	if (ecam.on)
		printf("pci: %u functions on %u bus%s, config space through ECAM at %#lx (buses %02x-%02x)\n",
		       host_pci_nr_fns, tail, tail == 1 ? "" : "es", ecam.base, ecam.first, ecam.last);
	else
		printf("pci: %u functions on %u bus%s, config space through mechanism 1\n",
		       host_pci_nr_fns, tail, tail == 1 ? "" : "es");
}

const struct host_pci_fn *host_pci_lookup(u16 vendor, u16 device)
{
	for (unsigned i = 0; i < host_pci_nr_fns; i++)
		if (host_pci_fns[i].vendor == vendor && host_pci_fns[i].device == device)
			return &host_pci_fns[i];
	return NULL;
}
