/* libFuzzer target: a guest's arbitrary configuration accesses through
 * 0xcf8/0xcfc and ECAM, and accesses to the PCI windows, against the host
 * bridge and two functions (one with a memory BAR, an I/O BAR and MSI-X
 * in a 64-bit BAR; one with a memory BAR and plain MSI), mixed with the devices'
 * MSI-X notifications and INTx levels (hv/dev/pci/). Checks: nothing
 * stops the VM, reads fit their size, every message sent is a fixed or
 * lowest-priority interrupt that came from an 0xFEExxxxx address, an
 * INTx line only moves between its two levels, no out-of-bounds access
 * (ASan), and a reset leaves every function as created.
 *
 * Input: records of 8 bytes: op (bits 0-2 kind, bit 3 write, bits 4-5
 * log2 size), 3 bytes of address, 4-byte value (little endian). Kinds:
 * 0 CONFIG_ADDRESS, 1 CONFIG_DATA, 2 ECAM, 3 memory window, 4 I/O
 * window, 5 notify vector (value), 6 INTx level, 7 reset. */
#include <stdlib.h>
#include <string.h>

#include <bulkhead/apic_bus.h>
#include <bulkhead/dev.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/pci.h>
#include <bulkhead/pci_func_priv.h>
#include <bulkhead/vm.h>

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static struct vm vm;
static struct pci_func *fa, *fb;
static u8 regs[0x1000];

void vm_crash(struct vm *m, const char *fmt, ...)
{
	(void)m;
	(void)fmt;
	__builtin_trap(); /* a guest's access never stops its VM */
}

void vm_irq_set(struct vm *m, u32 gsi, bool level)
{
	(void)m;
	(void)level;
	CHECK(gsi >= PC_PCI_INTX_GSI && gsi < PC_PCI_INTX_GSI + 4);
}

void vm_apic_send(struct vm *m, const struct vlapic *from, const struct apic_msg *msg)
{
	(void)m;
	CHECK(!from);
	CHECK(msg->mode == APIC_FIXED || msg->mode == APIC_LOWEST);
	CHECK(msg->dest <= 0xff && !msg->level && !msg->x2apic);
}

/* The device behind the memory and I/O BARs: a register file. */
static enum bus_result regs_read(void *dev, u64 off, u32 size, u64 *val)
{
	CHECK(off + size <= sizeof(regs));
	*val = 0;
	memcpy(val, (u8 *)dev + off, size);
	return BUS_OK;
}

static enum bus_result regs_write(void *dev, u64 off, u32 size, u64 val)
{
	CHECK(off + size <= sizeof(regs));
	memcpy((u8 *)dev + off, &val, size);
	return BUS_OK;
}

static const struct bus_dev_ops regs_ops = { regs_read, regs_write, NULL };

static void build_vm(void)
{
	const char *err = NULL;
	const struct pci_func_id a = { 0x1b36, 0x0005, 0, 0, 1, 0x00ff00, 1 };
	const struct pci_func_id b = { 0x1b36, 0x0006, 0, 0, 1, 0x00ff00, 2 };
	const u8 body[6] = { 1, 2, 3, 4, 5, 6 };

	memset(&vm, 0, sizeof(vm));
	vm_init_dev_host(&vm);
	bus_init(&vm.bus);
	CHECK(pci_host_attach(&vm.dev, &err));
	fa = pci_func_create(&vm.dev, PCI_BDF(0, 3, 0), &a, &err);
	fb = pci_func_create(&vm.dev, PCI_BDF(0, 4, 0), &b, &err);
	CHECK(fa && fb);
	CHECK(pci_func_add_bar(fa, 0, PCI_BAR_MEM32, 0x1000, &regs_ops, regs, "a0"));
	CHECK(pci_func_add_bar(fa, 1, PCI_BAR_IO, 0x100, &regs_ops, regs, "a1"));
	CHECK(pci_func_add_bar(fa, 2, PCI_BAR_MEM64, 0x2000, NULL, NULL, "a2"));
	CHECK(pci_func_add_cap(fa, 0x09, body, sizeof(body)));
	CHECK(pci_func_add_msix(fa, PCI_FUNC_MSIX_MAX, 2, 0, 0x1000));
	CHECK(pci_func_add_bar(fb, 0, PCI_BAR_MEM32, 0x1000, &regs_ops, regs, "b0"));
	CHECK(pci_func_add_msi(fb, 3));
}

static void check_reset(const struct pci_func *f)
{
	CHECK(f->command == 0 && !f->intx && !pci_func_msix_enabled(f) && f->msix.pending == 0);
	CHECK(!pci_func_msi_enabled(f) && f->msi.pending == 0 && f->msi.mask == 0);
	for (u32 i = 0; i < PCI_FUNC_BARS; i++)
		CHECK(f->bar[i].addr == f->bar[i].fw_addr);
}

static void one(const u8 *r)
{
	u32 kind = r[0] & 7, size = 1U << ((r[0] >> 4) & 3);
	bool write = r[0] & 8;
	u32 a = (u32)r[1] | (u32)r[2] << 8 | (u32)r[3] << 16, v;
	struct bus_space *s = &vm.bus.mmio;
	u64 addr, val;

	memcpy(&v, r + 4, 4);
	switch (kind) {
	case 0:
		addr = PC_PCI_CONFIG + (a & 7);
		s = &vm.bus.pio;
		break;
	case 1:
		addr = PC_PCI_CONFIG + 4 + (a & 3);
		s = &vm.bus.pio;
		break;
	case 2:
		addr = PC_PCI_ECAM_BASE + (a & 0xfffff);
		break;
	case 3:
		addr = PC_PCI_MMIO_BASE + (a & 0xffffff);
		break;
	case 4:
		addr = PC_PCI_IO_BASE + (a & 0xfff);
		s = &vm.bus.pio;
		break;
	case 5:
		pci_func_msix_notify(a & 1 ? fb : fa, (u16)v);
		return;
	case 6:
		pci_func_intx(a & 1 ? fb : fa, v & 1);
		return;
	default:
		bus_reset(&vm.bus);
		check_reset(fa);
		check_reset(fb);
		return;
	}
	if (s == &vm.bus.pio && size == 8)
		size = 4;
	if (write) {
		enum bus_result res = bus_guest_write(s, addr, size, v, "fuzz");

		CHECK(res == BUS_OK || res == BUS_UNCLAIMED);
		return;
	}
	val = 0x5a5a5a5a5a5a5a5aULL;
	(void)bus_guest_read(s, addr, size, &val, "fuzz");
	CHECK(size == 8 || (val >> (8 * size)) == 0);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	build_vm();
	for (size_t at = 0; at + 8 <= size && at < 8 * 4096; at += 8)
		one(data + at);
	return 0;
}
