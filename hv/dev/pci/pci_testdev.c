/* pci-testdev: a PCI function for test guests (VMs with the `testdev`
 * option only), at 00:PC_PCI_SLOT_TESTDEV.0, built on pci_func.h so a
 * guest can exercise sizing, moving BARs, MSI-X and INTx end to end. Its
 * IDs (PCI_TESTDEV_VENDOR/DEVICE, class 0xff "unassigned") are for tests
 * only; no OS driver binds to them.
 *
 * BAR 0, 32-bit memory, 4 KiB, and BAR 1, I/O, 32 ports: the same
 * registers, aligned dwords only (other accesses are refused):
 *   0x00 magic (read-only)  PCI_TESTDEV_MAGIC
 *   0x04 scratch            read/write
 *   0x08 doorbell           write v: signal vector v (MSI-X, else INTx)
 *   0x0c doorbells          read-only count of doorbell writes
 *   0x10 INTx level         write bit 0: assert (1) or deassert (0) INTx
 * BAR 2-3, 64-bit memory, 16 KiB: the MSI-X table (PCI_TESTDEV_VECTORS
 * vectors) at 0 and the PBA at 0x2000. Layout in guests/README.md. */
#include <bulkhead/dev.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/pci.h>
#include <bulkhead/pci_func.h>
#include <bulkhead/vm_config.h>

#define PCI_TESTDEV_VENDOR  0x1b36
#define PCI_TESTDEV_DEVICE  0x10f0
#define PCI_TESTDEV_MAGIC   0x50434954U /* "TICP" in memory: 'T' 'I' 'C' 'P' */
#define PCI_TESTDEV_VECTORS 4

#define REG_MAGIC    0x00
#define REG_SCRATCH  0x04
#define REG_DOORBELL 0x08
#define REG_COUNT    0x0c
#define REG_INTX     0x10

struct pci_testdev {
	struct pci_func *f;
	u32 scratch, doorbells;
};

static enum bus_result regs_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct pci_testdev *t = dev;

	if (size != 4 || (off & 3))
		return BUS_BAD_ACCESS;
	switch (off) {
	case REG_MAGIC:
		*val = PCI_TESTDEV_MAGIC;
		break;
	case REG_SCRATCH:
		*val = t->scratch;
		break;
	case REG_COUNT:
		*val = __atomic_load_n(&t->doorbells, __ATOMIC_RELAXED);
		break;
	default:
		*val = 0;
		break;
	}
	return BUS_OK;
}

static enum bus_result regs_write(void *dev, u64 off, u32 size, u64 val)
{
	struct pci_testdev *t = dev;

	if (size != 4 || (off & 3))
		return BUS_BAD_ACCESS;
	switch (off) {
	case REG_SCRATCH:
		t->scratch = (u32)val;
		break;
	case REG_DOORBELL:
		__atomic_add_fetch(&t->doorbells, 1, __ATOMIC_RELAXED);
		pci_func_msix_notify(t->f, (u16)val);
		break;
	case REG_INTX:
		pci_func_intx(t->f, val & 1);
		break;
	default:
		break;
	}
	return BUS_OK;
}

static const struct bus_dev_ops regs_ops = { regs_read, regs_write, NULL };

static void testdev_reset(void *dev)
{
	struct pci_testdev *t = dev;

	t->scratch = 0;
	__atomic_store_n(&t->doorbells, 0, __ATOMIC_RELAXED);
}

static const struct pci_func_hooks hooks = { .reset = testdev_reset };

static bool pci_testdev_create(struct dev_host *host, const struct vm_config *cfg,
			       const char **err)
{
	const struct pci_func_id id = {
		.vendor = PCI_TESTDEV_VENDOR, .device = PCI_TESTDEV_DEVICE,
		.subsys_vendor = PCI_TESTDEV_VENDOR, .subsys = PCI_TESTDEV_DEVICE,
		.revision = 1, .class_code = 0xff0000, .int_pin = 1,
	};
	struct pci_testdev *t;

	if (!cfg->testdev)
		return true;
	t = dev_alloc(host, sizeof(*t));
	if (!t) {
		*err = "pci-testdev: out of device memory";
		return false;
	}
	t->f = pci_func_create(host, PCI_BDF(0, PC_PCI_SLOT_TESTDEV, 0), &id, err);
	if (!t->f)
		return false;
	if (!pci_func_add_bar(t->f, 0, PCI_BAR_MEM32, 0x1000, &regs_ops, t, "pci-testdev-mem") ||
	    !pci_func_add_bar(t->f, 1, PCI_BAR_IO, 32, &regs_ops, t, "pci-testdev-io") ||
	    !pci_func_add_bar(t->f, 2, PCI_BAR_MEM64, 0x4000, NULL, NULL, "pci-testdev-msix") ||
	    !pci_func_add_msix(t->f, PCI_TESTDEV_VECTORS, 2, 0, 0x2000)) {
		*err = "pci-testdev: BARs or MSI-X not placed";
		return false;
	}
	pci_func_set_hooks(t->f, &hooks, t);
	return true;
}

VM_DEVICE(30, pci_testdev, pci_testdev_create);
